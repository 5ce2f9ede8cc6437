export { ConfigError } from './errors';
export { loadBootyConfig } from './load';
export { parseBootyConfig } from './parse';
export { resolveReleaseGovernor } from './release-governor';
export { bootyConfigSchema } from './schema';
export { releaseGovernorEnvVariables } from './env-overrides';
export type {
  ApprovalMode,
  BootyConfig,
  BootyConfigV0,
  BootyConfigV1,
  ConfigErrorCode,
  ConfigIssue,
  ConfigWarning,
  LoadedBootyConfig,
  NetworkPolicy,
  ReleaseGovernorSettings,
  ReleaseGovernorState,
  ReleaseGovernorStatus,
} from './types';
