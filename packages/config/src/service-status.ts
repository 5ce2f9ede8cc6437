import { SERVICE_BLOCKS, variableOf } from './blocks';
import { applyEnvOverrides, ignoredVariableWarnings } from './env-overrides';
import { ConfigError } from './errors';
import { escapeText } from './text';
import type {
  BootyConfig,
  ConfigIssue,
  ConfigWarning,
  ReleaseGovernorSettings,
  ReleaseGovernorStatus,
  ServiceName,
  ServiceState,
  ServiceStatus,
} from './types';

/** What the file says about a service's block, before defaults. */
export type BlockPresence = 'no-config' | 'absent' | 'absent-v0' | 'null' | 'empty' | 'present';

/** The one reading of a file's block value: absent, null, `{}` or written. */
export function presenceOf(version: 0 | 1, raw: unknown): BlockPresence {
  if (version === 0) return 'absent-v0';
  if (raw === undefined) return 'absent';
  if (raw === null) return 'null';
  if (typeof raw === 'object' && !Array.isArray(raw) && Object.keys(raw).length === 0) return 'empty';
  return 'present';
}

/**
 * The one wording of why a service is on or off, used by its status, by the warnings about
 * overrides with nothing to apply to, and by `@booty/governor`.
 */
function reasonFor(
  block: ServiceName,
  presence: BlockPresence,
  state: ServiceState,
  file: string,
  byEnv: boolean,
): string {
  const shown = escapeText(file);
  const enabledVariable = variableOf(block, 'enabled');
  switch (presence) {
    case 'no-config':
      return `there is no ${shown}`;
    case 'absent':
      return `${shown} has no ${block} block`;
    case 'absent-v0':
      return `${shown} is schema_version 0, which has no ${block} block (set schema_version: 1 to use one)`;
    case 'null':
      return `${block} is null in ${shown}`;
    case 'empty':
    case 'present':
      if (presence === 'empty' && SERVICE_BLOCKS[block].emptyMeansDisabled) {
        return `${block} is empty ({}) in ${shown}, and an empty block means disabled`;
      }
      if (state === 'disabled-by-env') return `${enabledVariable} turns it off`;
      if (state === 'disabled') {
        return presence === 'empty'
          ? `${block}.enabled is false by default; write \`enabled: true\` under ${block} in ${shown} to turn it on`
          : `${block}.enabled is false in ${shown}`;
      }
      return byEnv ? `${enabledVariable} turns it on` : `${block} is enabled in ${shown}`;
  }
}

export interface EvaluatedService<S> {
  status: ServiceStatus<S>;
  warnings: ConfigWarning[];
  /** CONFIG_ENV issues: variables of the block that do not parse or break its schema. */
  issues: ConfigIssue[];
}

/**
 * A service's state from the file's block and the environment. Overrides apply only to a block in
 * force (written, and for release_governor not `{}`, as the decision record says); a variable set
 * without one is a warning, a bad one an issue. `fileSettings` is taken over: the overrides are
 * applied to it in place (the settings are copied once, from the document, by the caller).
 */
export function serviceStatus<S extends object>(
  block: ServiceName,
  presence: BlockPresence,
  fileSettings: S | null,
  env: NodeJS.ProcessEnv,
  file: string,
): EvaluatedService<S> {
  const inForce =
    fileSettings !== null &&
    (presence === 'present' || (presence === 'empty' && !SERVICE_BLOCKS[block].emptyMeansDisabled));
  if (!inForce) {
    const shown: Exclude<BlockPresence, 'present'> = presence === 'present' ? 'absent' : presence;
    const state: ServiceState = shown === 'absent-v0' ? 'absent' : shown;
    const reason = reasonFor(block, shown, state, file, false);
    return {
      status: { state, enabled: false, reason, settings: null, overriddenBy: [] },
      warnings: ignoredVariableWarnings(block, env, reason),
      issues: [],
    };
  }
  const enabledInFile = (fileSettings as { enabled?: unknown }).enabled === true;
  const { overriddenBy, issues } = applyEnvOverrides(block, fileSettings, env);
  const enabled = (fileSettings as { enabled?: unknown }).enabled === true;
  const state: ServiceState = enabled ? 'enabled' : enabledInFile ? 'disabled-by-env' : 'disabled';
  const reason = reasonFor(block, presence, state, file, overriddenBy.includes(variableOf(block, 'enabled')));
  return { status: { state, enabled, reason, settings: fileSettings, overriddenBy }, warnings: [], issues };
}

/**
 * The Governor's state for an already loaded config (`LoadedBootyConfig.config`, or null when
 * there is no file), with `RELEASE_GOVERNOR_*` overrides from `env` (default: none) applied on
 * top. `loadBootyConfig` already returns this as `releaseGovernor`; this is for callers that
 * hold only the config. A config cannot tell `release_governor: {}` from `release_governor:`
 * (both load as null), so both report `null` here.
 *
 * @param config - `LoadedBootyConfig.config`, or null for no file
 * @param env - the variables to apply (default: none, so the file alone decides)
 * @throws {@link ConfigError} CONFIG_ENV for a `RELEASE_GOVERNOR_*` value that does not parse or
 *   breaks the schema
 */
export function resolveReleaseGovernor(config: BootyConfig | null, env: NodeJS.ProcessEnv = {}): ReleaseGovernorStatus {
  const status = (presence: BlockPresence, settings: ReleaseGovernorSettings | null) =>
    serviceStatus('release_governor', presence, settings, env, '.booty.yml');
  if (config === null) return status('no-config', null).status;
  if (config.schema_version === 0) return status('absent-v0', null).status;
  const block = config.release_governor;
  if (block === undefined) return status('absent', null).status;
  if (block === null) return status('null', null).status;
  // The caller's config stays as it is: the overrides go onto a copy.
  const { status: resolved, issues } = status('present', structuredClone(block));
  if (issues.length > 0) throw new ConfigError('CONFIG_ENV', issues);
  return resolved;
}
