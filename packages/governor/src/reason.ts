import type { LoadedBootyConfig, ReleaseGovernorState } from '@booty/config';

/** Why the Governor is on or off, in words an operator can act on. */
export interface GovernorReason {
  code: ReleaseGovernorState;
  message: string;
}

export function describeReason(loaded: LoadedBootyConfig, workspace: string): GovernorReason {
  const { state, overriddenBy } = loaded.releaseGovernor;
  const file = loaded.path ?? '.booty.yml';
  const byEnv = overriddenBy.includes('RELEASE_GOVERNOR_ENABLED');
  const messages: Record<ReleaseGovernorState, string> = {
    'no-config': `no .booty.yml in ${workspace}`,
    absent:
      loaded.config?.schema_version === 0
        ? `${file} is schema_version 0, which has no release_governor block (set schema_version: 1 to use one)`
        : `${file} has no release_governor block`,
    null: `release_governor is null in ${file}`,
    empty: `release_governor is empty in ${file} (an empty block means disabled)`,
    disabled: `release_governor.enabled is false in ${file}`,
    'disabled-by-env': 'RELEASE_GOVERNOR_ENABLED turns it off',
    enabled: byEnv ? 'RELEASE_GOVERNOR_ENABLED turns it on' : `release_governor is enabled in ${file}`,
  };
  return { code: state, message: messages[state] };
}
