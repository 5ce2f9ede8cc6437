export { resolveStateDir, type ResolveStateDirOptions } from './state-dir';
export { openReleaseStore, type OpenReleaseStoreOptions } from './open';
export type { OpenPostgresStoreOptions } from './postgres/store';
export { RELEASE_STATE_FIELDS, type DeployResult, type ReleaseState, type ReleaseStateField } from './shared/release-state';
export type {
  ClaimInput,
  ClaimResult,
  CompleteInput,
  Deliveries,
  DeliveryKeyInput,
  DeliveryRecord,
  ListClaimsOptions,
  PruneResult,
  ReleaseStore,
  ResetResult,
  StoreCheck,
  StoreKind,
  StorePart,
  StoreProblem,
  StoreSnapshot,
} from './shared/contract';
export { StateError, type StateErrorCode, type StateErrorDetails } from './shared/errors';
export { redactUrl, resolveStoreLocation, STORE_URL_ENV, type ResolveStoreLocationOptions, type StoreLocation } from './location';
export { copyStore, type CopyStoreOptions, type CopyStoreResult } from './copy';
