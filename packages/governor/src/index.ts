export { loadGovernor, isGovernorEnabled } from './governor';
export type { Governor, GovernorStatus, GovernorStore, LoadGovernorOptions } from './governor';
export type { GovernorReason } from './reason';
export { handleWorkflowRun } from './handlers';
export type { DisabledHandlerContext, EnabledHandlerContext, HandlerContext, SkipReason, WorkflowRunOutcome } from './handlers';
export { isPayloadError, PayloadError, readWorkflowRun } from './payload';
export type { PayloadErrorCode, WorkflowRunAction, WorkflowRunFacts } from './payload';
export { checkVerificationRun } from './verification';
export type { NotVerificationReason, VerificationCheck, VerificationSettings } from './verification';
