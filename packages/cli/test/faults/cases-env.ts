// RELEASE_GOVERNOR_* variables set to values they do not accept: CONFIG_ENV, exit 2, naming the variable.
import type { FaultCase } from './cases';

const env = (name: string, value: string, says: string[] = []): FaultCase => ({
  id: `env ${name}=${JSON.stringify(value.length > 24 ? `${value.slice(0, 12)}...(${value.length} chars)` : value)}`,
  area: 'env',
  input: `RELEASE_GOVERNOR_${name} set to a value it does not accept`,
  env: { [`RELEASE_GOVERNOR_${name}`]: value },
  expect: { code: 'CONFIG_ENV', exit: 2, says: [`RELEASE_GOVERNOR_${name}`, ...says] },
});

export const ENV_CASES: FaultCase[] = [
  env('ENABLED', 'maybe', ['boolean']),
  env('ENABLED', '', ['empty']),
  env('COOLDOWN_MINUTES', 'abc'),
  env('COOLDOWN_MINUTES', '-3'),
  env('COOLDOWN_MINUTES', '1.5', ['whole number']),
  env('COOLDOWN_MINUTES', '99999999999999999999', ['too large']),
  env('COOLDOWN_MINUTES', '1'.repeat(100_000), ['too large']),
  env('COOLDOWN_MINUTES', ' 5', ['spaces']),
  env('MAX_DEPLOYS_PER_HOUR', '0', ['1 or more']),
  env('HIGH_RISK_PATHS', '[1,2]', ['array of strings']),
  env('HIGH_RISK_PATHS', '["a",', ['not valid JSON']),
  env('MIGRATION_PATHS', ',', ['empty item']),
  env('APPROVAL_MODE', 'bogus', ['environment, label, comment']),
  env('DEPLOY_WORKFLOW_NAME', 'a/b.yml'),
  env('DEPLOY_WORKFLOW_REF', '-x'),
  env('PRODUCTION_ENVIRONMENT_NAME', '', ['cannot be null']),
  env('APPROVAL_LABEL', '   ', ['blank']),
  env('REQUIRE_APPROVAL_FOR_FIRST_DEPLOY', '2', ['boolean']),
  {
    id: 'env RELEASE_GOVERNOR_STATE_DIR is a file',
    area: 'env',
    input: 'the state directory variable names the .booty.yml file',
    env: { RELEASE_GOVERNOR_STATE_DIR: '{ws}/.booty.yml' },
    stateDirArg: null,
    expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['{ws}/.booty.yml', 'not a directory'] },
  },
];
