export { resolveStateDir, type ResolveStateDirOptions } from './state-dir';
export { openReleaseStore, type OpenReleaseStoreOptions, type ReleaseStore } from './store';
export { RELEASE_STATE_FIELDS, type DeployResult, type ReleaseState, type ReleaseStateField } from './release-state';
export type { ClaimInput, ClaimResult, Deliveries, DeliveryKeyInput, DeliveryRecord } from './ledger';
export { StateError, type StateErrorCode, type StateErrorDetails } from './errors';
