/** Where `network_policy` lets the agent reach (v1). */
export type NetworkPolicy = 'deny_all' | 'registry_only' | 'allow_list';

/** How a deploy that needs approval gets it. */
export type ApprovalMode = 'environment' | 'label' | 'comment';

/** The effective `release_governor` block: every key present, defaults and overrides applied. */
export interface ReleaseGovernorSettings {
  enabled: boolean;
  production_environment_name: string;
  require_approval_for_first_deploy: boolean;
  high_risk_paths: string[];
  migration_paths: string[];
  deploy_workflow_name: string;
  deploy_workflow_ref: string;
  cooldown_minutes: number;
  max_deploys_per_hour: number;
  approval_mode: ApprovalMode;
  approval_label: string | null;
  approval_command: string | null;
  medium_risk_paths: string[];
  verification_workflow_name: string;
}

/** Findings of this severity or worse fail Security's check. */
export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** The effective `security` block. */
export interface SecuritySettings {
  enabled: boolean;
  fail_severity: Severity;
  sensitive_paths: string[];
  secret_scanner: 'gitleaks' | 'trufflehog';
  secret_scan_exclude: string[];
}

/** The effective `memory` block. */
export interface MemorySettings {
  enabled: boolean;
  retention_days: number;
  max_matches: number;
  comment_on_pr: boolean;
  comment_on_incident_issue: boolean;
}

/** The effective `planner` block. */
export interface PlannerSettings {
  enabled: boolean;
}

/** The effective `architect` block. */
export interface ArchitectSettings {
  enabled: boolean;
  builder_compat: boolean;
  rewrite_ambiguous_steps: boolean;
  enforce_risk_rules: boolean;
}

/** The effective `reviewer` block. */
export interface ReviewerSettings {
  enabled: boolean;
  block_on: string[];
}

/** Each service's block of `.booty.yml`, by the block's key. */
export interface ServiceSettings {
  release_governor: ReleaseGovernorSettings;
  security: SecuritySettings;
  memory: MemorySettings;
  planner: PlannerSettings;
  architect: ArchitectSettings;
  reviewer: ReviewerSettings;
}

/** The key of a service's block in `.booty.yml`. */
export type ServiceName = keyof ServiceSettings;

/** A part of the file checked on its own: a service's block, or the top-level keys (the Verifier's, the builder's). */
export type ConfigBlock = ServiceName | 'top-level';

/** A v0 `.booty.yml` (no `schema_version`, or `schema_version: 0`), defaults applied. */
export interface BootyConfigV0 {
  schema_version: 0;
  test_command: string;
  timeout: number;
  max_retries: number;
  protected_paths: string[];
}

/** A strict v1 `.booty.yml`, defaults applied and commands trimmed. */
export interface BootyConfigV1 {
  schema_version: 1;
  test_command: string;
  setup_command: string | null;
  install_command: string | null;
  timeout_seconds: number;
  max_retries: number;
  allowed_paths: string[];
  forbidden_paths: string[];
  allowed_commands: string[];
  network_policy: NetworkPolicy | null;
  labels: Record<string, string>;
  max_files_changed: number | null;
  max_diff_loc: number | null;
  max_loc_per_file: number | null;
  max_loc_per_file_pathspec: string[] | null;
  protected_paths: string[];
  /**
   * The effective block when the file has a non-empty one; `null` when the file says
   * `release_governor:` (null) or `release_governor: {}` (both mean disabled); absent when the
   * key is absent. `LoadedBootyConfig.releaseGovernor.state` tells the cases apart.
   */
  release_governor?: ReleaseGovernorSettings | null;
  /** The effective block (`{}` is every default); `null` when the file says `security:`; absent without the key. */
  security?: SecuritySettings | null;
  /** As `security`. */
  memory?: MemorySettings | null;
  /** As `security`. */
  planner?: PlannerSettings | null;
  /** As `security`. */
  architect?: ArchitectSettings | null;
  /** As `security` (`reviewer: {}` gives `enabled: false`, its default). */
  reviewer?: ReviewerSettings | null;
}

/** A loaded `.booty.yml`: tell the versions apart by `schema_version` (`0` for a file without it). */
export type BootyConfig = BootyConfigV0 | BootyConfigV1;

/**
 * What a service's block says, after the environment: `no-config` (no `.booty.yml`), `absent`
 * (no such key, or a schema_version 0 file), `null` (`block:` with nothing under it), `empty`
 * (`release_governor: {}` only, which means disabled; for the other blocks `{}` is every default),
 * `disabled` (by the file, or by the block's default, as `reviewer: {}`), `disabled-by-env`
 * (the file enables it, `<PREFIX>_ENABLED` turns it off), `enabled`.
 */
export type ServiceState = 'no-config' | 'absent' | 'null' | 'empty' | 'disabled' | 'disabled-by-env' | 'enabled';

/** The Release Governor's states: those of every service. */
export type ReleaseGovernorState = ServiceState;

/** Whether a service is on for this repository, why, and with which settings. */
export interface ServiceStatus<S = ServiceSettings[ServiceName]> {
  state: ServiceState;
  /** `state === 'enabled'`: a block that is not written (absent, null) is not enabled. */
  enabled: boolean;
  /** Why, in words an operator can act on ("release_governor.enabled is false in /repo/.booty.yml"); escaped. */
  reason: string;
  /**
   * Effective settings (defaults, file, environment) when the block is in force (written, and for
   * release_governor not `{}`); else null.
   */
  settings: S | null;
  /** Names of the block's variables (`SECURITY_FAIL_SEVERITY`) that were applied, in key order. */
  overriddenBy: string[];
}

/** The Release Governor's status: a `ServiceStatus` whose settings are the `release_governor` block. */
export type ReleaseGovernorStatus = ServiceStatus<ReleaseGovernorSettings>;

/** Every service's status, by block. */
export type ServiceStatuses = { [S in ServiceName]: ServiceStatus<ServiceSettings[S]> };

/** What a `ConfigWarning` is about; the package README has a row for each. */
export type ConfigWarningCode =
  'CONFIG_ENV_UNKNOWN' | 'CONFIG_ENV_IGNORED' | 'CONFIG_KEY_UNKNOWN' | 'CONFIG_KEY_IGNORED' | 'CONFIG_BLOCK_INVALID';

/** Something worth knowing that does not stop loading. */
export interface ConfigWarning {
  code: ConfigWarningCode;
  /** What happened and what to do; outside text escaped. */
  message: string;
  /** The block it is about. */
  block?: ConfigBlock;
  /** For `CONFIG_ENV_*`: the variable's name. */
  variable?: string;
  /** The closest known name, when one is close. */
  suggestion?: string;
  /** For `CONFIG_KEY_*`: the dotted key path, and where the key is written. */
  path?: string;
  file?: string | null;
  line?: number | null;
  column?: number | null;
  /** For `CONFIG_BLOCK_INVALID`: every problem of the block, as a `ConfigError` of `errorCode` would list them. */
  issues?: ConfigIssue[];
  errorCode?: ConfigErrorCode;
}

/** The whole `.booty.yml`, as `loadBootyConfig` and `parseBootyConfig` return it. */
export interface LoadedBootyConfig {
  /** Absolute path of `.booty.yml` (for `parseBootyConfig`: the `file` option); null when there is none. */
  path: string | null;
  /** Validated, defaults applied, environment overrides applied; null when there is no file. */
  config: BootyConfig | null;
  releaseGovernor: ReleaseGovernorStatus;
  /** Every service's status (`services.release_governor` is `releaseGovernor`). */
  services: ServiceStatuses;
  warnings: ConfigWarning[];
  /**
   * Where each effective value came from, by dotted key (`test_command`,
   * `release_governor.cooldown_minutes`, `security.fail_severity`): `.booty.yml:LINE:COL` (the
   * file's name and the key's position), the variable's name, or `default`. Empty without a file.
   */
  origins: Readonly<Record<string, string>>;
}

/** One effective value and where it came from (see `LoadedBootyConfig.origins`). */
export interface EffectiveValue {
  value: unknown;
  origin: string;
}

/** What kind of problem a `ConfigError` reports; the package README has a row for each. */
export type ConfigErrorCode =
  | 'CONFIG_READ'
  | 'CONFIG_TOO_LARGE'
  | 'CONFIG_ENCODING'
  | 'CONFIG_YAML'
  | 'CONFIG_VERSION'
  | 'CONFIG_SCHEMA'
  | 'CONFIG_ENV';

/** One problem of a `ConfigError`, with its place: key path, file, line and column (or the variable). */
export interface ConfigIssue {
  /** Dotted key path (`release_governor.cooldown_minutes`, `protected_paths.2`); '' for the document root. */
  path: string;
  /** What was found, what is allowed, and the fix. */
  message: string;
  /** The `.booty.yml` path; null for environment issues. */
  file: string | null;
  /** 1-based, from the YAML node's range; null for environment issues and whole-file problems. */
  line: number | null;
  /** 1-based. */
  column: number | null;
  /** For `CONFIG_ENV`: the variable's name (`RELEASE_GOVERNOR_COOLDOWN_MINUTES`, `SECURITY_FAIL_SEVERITY`). */
  variable?: string;
  /** The closest known key or variable name, when there is one. */
  suggestion?: string;
}
