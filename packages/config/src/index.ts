export { ConfigError, isConfigError } from './errors';
export { loadBootyConfig, OTHER_CONFIG_NAMES, type LoadOptions } from './load';
export { loadServiceConfig, parseServiceConfig, type ServiceConfig, type ServiceParseOptions } from './service';
export { explainBootyConfig, explainLoadedConfig, type ExplainedBootyConfig } from './explain';
export { parseBootyConfig, type ParseOptions } from './parse';
export { resolveReleaseGovernor } from './service-status';
export { bootyConfigSchema } from './schema';
export { commandControlCharacter } from './schema-patterns';
export { configEnvVariables, releaseGovernorEnvVariables, type ConfigEnvVariable } from './env-overrides';
export type {
  ApprovalMode,
  ArchitectSettings,
  BootyConfig,
  BootyConfigV0,
  BootyConfigV1,
  ConfigBlock,
  ConfigErrorCode,
  ConfigIssue,
  ConfigWarning,
  ConfigWarningCode,
  EffectiveValue,
  LoadedBootyConfig,
  MemorySettings,
  NetworkPolicy,
  PlannerSettings,
  ReleaseGovernorSettings,
  ReleaseGovernorState,
  ReleaseGovernorStatus,
  ReviewerSettings,
  SecuritySettings,
  ServiceName,
  ServiceSettings,
  ServiceState,
  ServiceStatus,
  ServiceStatuses,
  Severity,
} from './types';
export { escapeText, excerpt, hasUnsafeText } from './text';
