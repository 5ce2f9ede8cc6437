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
}

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
}

export type BootyConfig = BootyConfigV0 | BootyConfigV1;

export type ReleaseGovernorState =
  | 'no-config'
  | 'absent'
  | 'null'
  | 'empty'
  | 'disabled'
  | 'disabled-by-env'
  | 'enabled';

export interface ReleaseGovernorStatus {
  state: ReleaseGovernorState;
  /** `state === 'enabled'`. */
  enabled: boolean;
  /** Why, in words an operator can act on ("release_governor.enabled is false in /repo/.booty.yml"); outside text escaped. */
  reason: string;
  /** Effective settings (defaults + environment) when a non-empty block exists, else null. */
  settings: ReleaseGovernorSettings | null;
  /** Names of the `RELEASE_GOVERNOR_*` variables that were applied, in key order. */
  overriddenBy: string[];
}

export interface ConfigWarning {
  code: 'CONFIG_ENV_UNKNOWN' | 'CONFIG_ENV_IGNORED';
  message: string;
  variable: string;
  suggestion?: string;
}

export interface LoadedBootyConfig {
  /** Absolute path of `.booty.yml` (for `parseBootyConfig`: the `file` option); null when there is none. */
  path: string | null;
  /** Validated, defaults applied, environment overrides applied; null when there is no file. */
  config: BootyConfig | null;
  releaseGovernor: ReleaseGovernorStatus;
  warnings: ConfigWarning[];
  /**
   * Where each effective value came from, by dotted key (`test_command`,
   * `release_governor.cooldown_minutes`): `.booty.yml:LINE:COL` (the file's name and the key's
   * position), the `RELEASE_GOVERNOR_*` variable's name, or `default`. Empty without a file.
   */
  origins: Readonly<Record<string, string>>;
}

/** One effective value and where it came from (see `LoadedBootyConfig.origins`). */
export interface EffectiveValue {
  value: unknown;
  origin: string;
}

export type ConfigErrorCode =
  | 'CONFIG_READ'
  | 'CONFIG_TOO_LARGE'
  | 'CONFIG_ENCODING'
  | 'CONFIG_YAML'
  | 'CONFIG_VERSION'
  | 'CONFIG_SCHEMA'
  | 'CONFIG_ENV';

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
  /** For `CONFIG_ENV`: the `RELEASE_GOVERNOR_*` name. */
  variable?: string;
  /** The closest known key or variable name, when there is one. */
  suggestion?: string;
}
