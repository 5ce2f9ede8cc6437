export { loadGovernor, isGovernorEnabled } from './governor';
export type { Governor, GovernorStatus, GovernorStore, LoadGovernorOptions } from './governor';
export type { GovernorReason } from './reason';
export { handleWorkflowRun } from './handlers';
export type { HandlerContext, SkipReason, WorkflowRunOutcome } from './handlers';
export { PayloadError } from './payload';
export type { PayloadErrorCode, WorkflowRunFacts } from './payload';
