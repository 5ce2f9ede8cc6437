import { applyEnvOverrides, ignoredVariableWarnings, unknownVariableWarnings } from './env-overrides';
import { escapeText } from './text';
import type { BootyConfig, ConfigWarning, ReleaseGovernorSettings, ReleaseGovernorState, ReleaseGovernorStatus } from './types';

/** What the file says about `release_governor`, before defaults. */
export type BlockPresence = 'no-config' | 'absent' | 'absent-v0' | 'null' | 'empty' | 'present';

/** The one reading of a file's `release_governor` value: absent, null and {} all mean disabled. */
export function presenceOf(version: 0 | 1, raw: unknown): BlockPresence {
  if (version === 0) return 'absent-v0';
  if (raw === undefined) return 'absent';
  if (raw === null) return 'null';
  if (typeof raw === 'object' && !Array.isArray(raw) && Object.keys(raw).length === 0) return 'empty';
  return 'present';
}

/**
 * The one wording of why the Governor is on or off, used by the status, by the warnings about
 * overrides with nothing to apply to, and by `@booty/governor`.
 */
function reasonFor(presence: BlockPresence, state: ReleaseGovernorState, file: string, byEnv: boolean): string {
  const shown = escapeText(file);
  switch (presence) {
    case 'no-config':
      return `there is no ${shown}`;
    case 'absent':
      return `${shown} has no release_governor block`;
    case 'absent-v0':
      return `${shown} is schema_version 0, which has no release_governor block (set schema_version: 1 to use one)`;
    case 'null':
      return `release_governor is null in ${shown}`;
    case 'empty':
      return `release_governor is empty ({}) in ${shown}, and an empty block means disabled`;
    case 'present':
      if (state === 'disabled-by-env') return 'RELEASE_GOVERNOR_ENABLED turns it off';
      if (state === 'disabled') return `release_governor.enabled is false in ${shown}`;
      return byEnv ? 'RELEASE_GOVERNOR_ENABLED turns it on' : `release_governor is enabled in ${shown}`;
  }
}

/**
 * The Governor's state from the file's block and the environment. Overrides apply only to a
 * non-empty block (absent, null and {} all mean disabled, as the decision record says); a
 * variable set without a block is a warning, a bad one is a CONFIG_ENV error. `fileSettings` is
 * taken over: the overrides are applied to it in place (the settings are copied once, from the
 * document, by the caller).
 */
export function governorStatus(
  presence: BlockPresence,
  fileSettings: ReleaseGovernorSettings | null,
  env: NodeJS.ProcessEnv,
  file: string,
): { status: ReleaseGovernorStatus; warnings: ConfigWarning[] } {
  const unknown = unknownVariableWarnings(env);
  if (presence !== 'present' || fileSettings === null) {
    const shown: Exclude<BlockPresence, 'present'> = presence === 'present' ? 'absent' : presence;
    const state: ReleaseGovernorState = shown === 'absent-v0' ? 'absent' : shown;
    const reason = reasonFor(shown, state, file, false);
    return {
      status: { state, enabled: false, reason, settings: null, overriddenBy: [] },
      warnings: [...ignoredVariableWarnings(env, reason), ...unknown],
    };
  }
  const enabledInFile = fileSettings.enabled;
  const { settings, overriddenBy } = applyEnvOverrides(fileSettings, env);
  const state: ReleaseGovernorState = settings.enabled ? 'enabled' : enabledInFile ? 'disabled-by-env' : 'disabled';
  const reason = reasonFor('present', state, file, overriddenBy.includes('RELEASE_GOVERNOR_ENABLED'));
  return { status: { state, enabled: settings.enabled, reason, settings, overriddenBy }, warnings: unknown };
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
  // The caller's config stays as it is: the overrides go onto a copy.
  return governorStatus('present', structuredClone(block), env, '.booty.yml').status;
}
