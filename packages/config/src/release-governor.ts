import { applyEnvOverrides, ignoredVariableWarnings, unknownVariableWarnings } from './env-overrides';
import type { BootyConfig, ConfigWarning, ReleaseGovernorSettings, ReleaseGovernorStatus } from './types';

/** What the file says about `release_governor`, before defaults. */
export type BlockPresence = 'no-config' | 'absent' | 'absent-v0' | 'null' | 'empty' | 'present';

function whyIgnored(presence: Exclude<BlockPresence, 'present'>, file: string): string {
  switch (presence) {
    case 'no-config':
      return 'there is no .booty.yml';
    case 'absent':
      return `${file} has no release_governor block`;
    case 'absent-v0':
      return `${file} is schema_version 0, which has no release_governor block`;
    case 'null':
      return `release_governor is null in ${file}`;
    case 'empty':
      return `release_governor is empty ({}) in ${file}`;
  }
}

/**
 * The Governor's state from the file's block and the environment. Overrides apply only to a
 * non-empty block (absent, null and {} all mean disabled, as the decision record says); a
 * variable set without a block is a warning, a bad one is a CONFIG_ENV error.
 */
export function governorStatus(
  presence: BlockPresence,
  fileSettings: ReleaseGovernorSettings | null,
  env: NodeJS.ProcessEnv,
  file: string,
): { status: ReleaseGovernorStatus; warnings: ConfigWarning[] } {
  const unknown = unknownVariableWarnings(env);
  if (presence !== 'present' || fileSettings === null) {
    const state = presence === 'absent-v0' || presence === 'present' ? 'absent' : presence;
    const ignored = ignoredVariableWarnings(env, whyIgnored(presence === 'present' ? 'absent' : presence, file));
    return {
      status: { state, enabled: false, settings: null, overriddenBy: [] },
      warnings: [...ignored, ...unknown],
    };
  }
  const { settings, overriddenBy } = applyEnvOverrides(fileSettings, env);
  const state = settings.enabled ? 'enabled' : fileSettings.enabled ? 'disabled-by-env' : 'disabled';
  return { status: { state, enabled: settings.enabled, settings, overriddenBy }, warnings: unknown };
}

/**
 * The Governor's state for an already loaded config (`LoadedBootyConfig.config`, or null when
 * there is no file), with `RELEASE_GOVERNOR_*` overrides from `env` (default: none) applied on
 * top. `loadBootyConfig` already returns this as `releaseGovernor`; this is for callers that
 * hold only the config. A config cannot tell `release_governor: {}` from `release_governor:`
 * (both load as null), so both report `null` here. Throws ConfigError (CONFIG_ENV) for a bad
 * override.
 */
export function resolveReleaseGovernor(config: BootyConfig | null, env: NodeJS.ProcessEnv = {}): ReleaseGovernorStatus {
  if (config === null) return governorStatus('no-config', null, env, '.booty.yml').status;
  if (config.schema_version === 0) return governorStatus('absent-v0', null, env, '.booty.yml').status;
  const block = config.release_governor;
  if (block === undefined) return governorStatus('absent', null, env, '.booty.yml').status;
  if (block === null) return governorStatus('null', null, env, '.booty.yml').status;
  return governorStatus('present', block, env, '.booty.yml').status;
}
