export { resolveStateDir, type ResolveStateDirOptions } from './state-dir';
export { resolveStoreLocation, STORE_URL_ENV, type ResolveStoreLocationOptions, type StoreLocation } from './location';
export { openReleaseStore, type OpenReleaseStoreOptions } from './open';
export type { OpenPostgresStoreOptions } from './shared/options';
export {
  RELEASE_STATE_FIELDS,
  type DeployResult,
  type ReleaseState,
  type ReleaseStateField,
} from './shared/release-state';
export type {
  ReleaseStore,
  RepositoryState,
  ResetResult,
  StateScope,
  StoreCheck,
  StoreKind,
  StorePart,
  StoreProblem,
  StoreSnapshot,
  UpdateStateOptions,
} from './shared/contract';
export type {
  ClaimInput,
  ClaimResult,
  ClaimStanding,
  CompleteInput,
  CountLimit,
  Deliveries,
  DeliveryKeyInput,
  DeliveryRecord,
  DeliveryTally,
  ExtendInput,
  FencedClaim,
  ListClaimsOptions,
  PruneResult,
  ReleaseInput,
  ScanOptions,
  ScanProgress,
  TallyOptions,
} from './shared/contract-deliveries';
export { CLAIM_STANDINGS, claimStanding } from './shared/leases';
export { isStateError, StateError, type StateErrorCode, type StateErrorDetails } from './shared/errors';
export { FULL_SHA_TEXT, isFullSha, toFullSha } from './shared/formats';
export { isRepository, REPOSITORY_TEXT } from './shared/input';
export { redactUrl } from './shared/redact';
export { copyStore, type CopyStoreOptions, type CopyStoreResult } from './copy';
