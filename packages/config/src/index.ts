export { ConfigError } from './errors';
export { loadBootyConfig, OTHER_CONFIG_NAMES } from './load';
export { explainBootyConfig, explainLoadedConfig, type ExplainedBootyConfig } from './explain';
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
  EffectiveValue,
  LoadedBootyConfig,
  NetworkPolicy,
  ReleaseGovernorSettings,
  ReleaseGovernorState,
  ReleaseGovernorStatus,
} from './types';
export { escapeText, excerpt, hasUnsafeText } from './text';
export { commandControlCharacter } from './schema';
