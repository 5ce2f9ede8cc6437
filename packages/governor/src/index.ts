export { loadGovernor, loadGovernorFromContent, isGovernorEnabled } from './governor';
export type {
  DisabledGovernor,
  EnabledGovernor,
  Governor,
  GovernorBase,
  GovernorFromContentOptions,
  GovernorStatus,
  GovernorStore,
  GovernorStoreOptions,
  LoadGovernorOptions,
} from './governor';
export type { GovernorReason } from './reason';
export { handleWorkflowRun } from './handlers';
export type {
  DisabledHandlerContext,
  EnabledHandlerContext,
  HandlerContext,
  SkipReason,
  WorkflowRunOutcome,
} from './handlers';
export { isPayloadError, PayloadError, readWorkflowRun } from './payload';
export type { PayloadErrorCode, WorkflowRunAction, WorkflowRunFacts } from './payload';
export { checkVerificationRun } from './verification';
export type { NotVerificationReason, VerificationCheck, VerificationSettings } from './verification';

// What a worker meets from the two libraries, so that it imports one package: their errors (with
// the checks that recognise them across installed copies) and the types of the store and settings.
export { ConfigError, isConfigError } from '@booty/config';
export type { ConfigErrorCode, ConfigIssue, ConfigWarning, ReleaseGovernorSettings } from '@booty/config';
export { isStateError, StateError } from '@booty/release-state';
export type {
  ClaimInput,
  ClaimResult,
  ClaimStanding,
  CompleteInput,
  Deliveries,
  DeliveryKeyInput,
  DeliveryRecord,
  ExtendInput,
  FencedClaim,
  ReleaseState,
  ReleaseStore,
  StateErrorCode,
  StateErrorDetails,
  StateScope,
  UpdateStateOptions,
} from '@booty/release-state';
