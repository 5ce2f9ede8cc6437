import { configEnvVariables, NON_CONFIG_VARIABLES, releaseGovernorEnvVariables } from './env-overrides';
import { releaseGovernorSchema } from './schema-services';
import type { ReleaseGovernorSettings } from './types';
import { governor, parse, parseError, v1 } from '../test/helpers';

const BLOCK = governor('enabled: true');

function settingsWith(env: NodeJS.ProcessEnv): ReleaseGovernorSettings {
  const settings = parse(BLOCK, env).releaseGovernor.settings;
  if (settings === null) throw new Error('expected settings');
  return settings;
}

function envError(env: NodeJS.ProcessEnv, text = BLOCK) {
  return parseError('CONFIG_ENV', text, env);
}

describe('releaseGovernorEnvVariables', () => {
  it('has one variable per release_governor key, in key order', () => {
    expect(releaseGovernorEnvVariables.map((v) => v.key)).toEqual(Object.keys(releaseGovernorSchema.properties));
    for (const entry of releaseGovernorEnvVariables) {
      expect(entry.variable).toBe(`RELEASE_GOVERNOR_${entry.key.toUpperCase()}`);
      expect(entry.accepts.length).toBeGreaterThan(5);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(releaseGovernorEnvVariables)).toBe(true);
  });
});

describe('overrides that apply', () => {
  it.each([
    ['RELEASE_GOVERNOR_ENABLED', 'false', 'enabled', false],
    ['RELEASE_GOVERNOR_PRODUCTION_ENVIRONMENT_NAME', 'prod-eu', 'production_environment_name', 'prod-eu'],
    ['RELEASE_GOVERNOR_REQUIRE_APPROVAL_FOR_FIRST_DEPLOY', 'YES', 'require_approval_for_first_deploy', true],
    ['RELEASE_GOVERNOR_HIGH_RISK_PATHS', 'infra/**, .github/**', 'high_risk_paths', ['infra/**', '.github/**']],
    ['RELEASE_GOVERNOR_HIGH_RISK_PATHS', '["a, with comma", "b"]', 'high_risk_paths', ['a, with comma', 'b']],
    ['RELEASE_GOVERNOR_MIGRATION_PATHS', '[]', 'migration_paths', []],
    ['RELEASE_GOVERNOR_MIGRATION_PATHS', ' db/** ', 'migration_paths', ['db/**']],
    ['RELEASE_GOVERNOR_DEPLOY_WORKFLOW_NAME', 'release.yaml', 'deploy_workflow_name', 'release.yaml'],
    ['RELEASE_GOVERNOR_DEPLOY_WORKFLOW_REF', 'v2.0.0', 'deploy_workflow_ref', 'v2.0.0'],
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', '0', 'cooldown_minutes', 0],
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', '1440', 'cooldown_minutes', 1440],
    ['RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR', '1', 'max_deploys_per_hour', 1],
    ['RELEASE_GOVERNOR_APPROVAL_MODE', 'comment', 'approval_mode', 'comment'],
    ['RELEASE_GOVERNOR_APPROVAL_LABEL', 'ship-it', 'approval_label', 'ship-it'],
    ['RELEASE_GOVERNOR_APPROVAL_LABEL', '', 'approval_label', null],
    ['RELEASE_GOVERNOR_APPROVAL_COMMAND', '/deploy', 'approval_command', '/deploy'],
    ['RELEASE_GOVERNOR_APPROVAL_COMMAND', '', 'approval_command', null],
  ])('%s=%j sets %s', (variable, value, key, expected) => {
    const result = parse(BLOCK, { [variable]: value });
    expect((result.releaseGovernor.settings as unknown as Record<string, unknown>)[key]).toEqual(expected);
    expect(result.releaseGovernor.overriddenBy).toEqual([variable]);
    expect(result.warnings).toEqual([]);
  });

  it.each(['true', 'TRUE', 'True', '1', 'yes', 'Yes', 'on', 'ON'])('reads %j as true', (value) => {
    expect(
      settingsWith({ RELEASE_GOVERNOR_REQUIRE_APPROVAL_FOR_FIRST_DEPLOY: value }).require_approval_for_first_deploy,
    ).toBe(true);
  });

  it.each(['false', 'FALSE', '0', 'no', 'NO', 'off', 'Off'])('reads %j as false', (value) => {
    expect(settingsWith({ RELEASE_GOVERNOR_ENABLED: value }).enabled).toBe(false);
  });

  it('wins over the file and shows up in the loaded config', () => {
    const result = parse(governor('cooldown_minutes: 10'), { RELEASE_GOVERNOR_COOLDOWN_MINUTES: '45' });
    expect(result.releaseGovernor.settings?.cooldown_minutes).toBe(45);
    expect(result.config).toMatchObject({ release_governor: { cooldown_minutes: 45 } });
  });

  it('lists the variables applied in key order', () => {
    const result = parse(BLOCK, {
      RELEASE_GOVERNOR_APPROVAL_MODE: 'label',
      RELEASE_GOVERNOR_ENABLED: '1',
      RELEASE_GOVERNOR_STATE_DIR: '/tmp/x',
    });
    expect(result.releaseGovernor.overriddenBy).toEqual(['RELEASE_GOVERNOR_ENABLED', 'RELEASE_GOVERNOR_APPROVAL_MODE']);
  });

  it('only reads the env option, never process.env, when one is given', () => {
    process.env['RELEASE_GOVERNOR_COOLDOWN_MINUTES'] = 'abc';
    try {
      expect(parse(BLOCK, {}).releaseGovernor.settings?.cooldown_minutes).toBe(30);
    } finally {
      delete process.env['RELEASE_GOVERNOR_COOLDOWN_MINUTES'];
    }
  });
});

describe('bad override values (CONFIG_ENV)', () => {
  it.each([
    ['RELEASE_GOVERNOR_ENABLED', 'maybe', 'is not a boolean'],
    ['RELEASE_GOVERNOR_ENABLED', '', 'is empty, and this key cannot be null'],
    ['RELEASE_GOVERNOR_ENABLED', ' true', 'is not a boolean'],
    ['RELEASE_GOVERNOR_PRODUCTION_ENVIRONMENT_NAME', '', 'is empty'],
    ['RELEASE_GOVERNOR_PRODUCTION_ENVIRONMENT_NAME', '   ', 'must not be blank'],
    ['RELEASE_GOVERNOR_REQUIRE_APPROVAL_FOR_FIRST_DEPLOY', 'y', 'is not a boolean'],
    ['RELEASE_GOVERNOR_HIGH_RISK_PATHS', 'a,,b', 'has an empty item (item 2)'],
    ['RELEASE_GOVERNOR_HIGH_RISK_PATHS', 'a,', 'has an empty item (item 2)'],
    ['RELEASE_GOVERNOR_HIGH_RISK_PATHS', '', 'is empty'],
    ['RELEASE_GOVERNOR_HIGH_RISK_PATHS', '[a, b]', 'starts with [ but is not valid JSON'],
    ['RELEASE_GOVERNOR_HIGH_RISK_PATHS', '[1, 2]', 'not an array of strings'],
    ['RELEASE_GOVERNOR_MIGRATION_PATHS', '["ok", " "]', 'must not be blank'],
    ['RELEASE_GOVERNOR_DEPLOY_WORKFLOW_NAME', '.github/workflows/deploy.yml', 'must be a workflow file name'],
    ['RELEASE_GOVERNOR_DEPLOY_WORKFLOW_NAME', '', 'is empty'],
    ['RELEASE_GOVERNOR_DEPLOY_WORKFLOW_REF', 'my branch', 'must be a branch or tag name'],
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', 'abc', 'is not a whole number in decimal digits'],
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', '1.5', 'is not a whole number'],
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', '1.0', 'is not a whole number'],
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', '1e3', 'is not a whole number'],
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', '0x10', 'is not a whole number in decimal digits'],
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', '+5', 'is not a whole number in decimal digits'],
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', '05', 'is not a whole number in decimal digits'],
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', ' 5', 'has spaces around it'],
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', '5 ', 'has spaces around it'],
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', '', 'is empty'],
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', '-1', 'must be a whole number 0 or more, found -1'],
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', '99999999999999999999', 'is too large'],
    ['RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR', '0', 'must be a whole number 1 or more, found 0'],
    ['RELEASE_GOVERNOR_APPROVAL_MODE', 'lable', 'is not one of the allowed values (did you mean label?)'],
    ['RELEASE_GOVERNOR_APPROVAL_MODE', 'LABEL', 'is not one of the allowed values (did you mean label?)'],
    ['RELEASE_GOVERNOR_APPROVAL_MODE', '', 'is empty, and this key cannot be null'],
    ['RELEASE_GOVERNOR_APPROVAL_LABEL', ' ', 'must not be blank'],
    ['RELEASE_GOVERNOR_APPROVAL_COMMAND', '\t', 'must not be blank'],
  ])('%s=%j: %s', (variable, value, fragment) => {
    const error = envError({ [variable]: value });
    expect(error.issues).toHaveLength(1);
    const [issue] = error.issues;
    const key = variable.slice('RELEASE_GOVERNOR_'.length).toLowerCase();
    expect(issue).toMatchObject({ path: `release_governor.${key}`, file: null, line: null, column: null, variable });
    // The issue's place (`variable`) names the variable; the message does not say it again.
    expect(issue?.message).not.toContain('RELEASE_GOVERNOR_');
    expect(issue?.message).toContain(fragment);
    const accepts = releaseGovernorEnvVariables.find((v) => v.variable === variable)?.accepts ?? '';
    expect(issue?.message).toContain(`it accepts ${accepts}`);
  });

  it('suggests the closest allowed value', () => {
    expect(envError({ RELEASE_GOVERNOR_APPROVAL_MODE: 'enviroment' }).issues[0]?.suggestion).toBe('environment');
  });

  it('reports every bad variable at once, parse errors and range errors together', () => {
    const error = envError({
      RELEASE_GOVERNOR_COOLDOWN_MINUTES: 'abc',
      RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR: '0',
      RELEASE_GOVERNOR_ENABLED: 'perhaps',
    });
    expect(error.issues.map((i) => i.variable).sort()).toEqual([
      'RELEASE_GOVERNOR_COOLDOWN_MINUTES',
      'RELEASE_GOVERNOR_ENABLED',
      'RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR',
    ]);
    expect(error.message).toMatch(/^RELEASE_GOVERNOR_/);
    // Once per message: the place, not again in the words.
    expect(error.message.match(/RELEASE_GOVERNOR_/g)).toHaveLength(1);
  });

  it('shows a value with escape sequences escaped, and a long one cut short', () => {
    const [issue] = envError({ RELEASE_GOVERNOR_COOLDOWN_MINUTES: `\u001b[2K${'9'.repeat(500)}` }).issues;
    expect(issue?.message).not.toContain('\u001b');
    expect(issue?.message).toContain('\\e[2K');
    expect(issue?.message).toContain('(504 characters)');
  });

  it('escapes a variable name holding an escape sequence in its warning', () => {
    const [warning] = parse(BLOCK, { 'RELEASE_GOVERNOR_\u001b[2KENABLED': '1' }).warnings;
    expect(warning?.message).not.toContain('\u001b');
    expect(warning?.message).toContain('RELEASE_GOVERNOR_\\e[2KENABLED');
  });

  it('is an error even when the override would turn the Governor off', () => {
    envError({ RELEASE_GOVERNOR_ENABLED: 'false', RELEASE_GOVERNOR_COOLDOWN_MINUTES: 'soon' });
  });
});

describe('overrides that do not apply', () => {
  it.each([
    ['no block', v1(), 'has no release_governor block'],
    ['a null block', v1('release_governor:'), 'release_governor is null in'],
    ['an empty block', v1('release_governor: {}'), 'release_governor is empty ({}) in'],
    ['a v0 file', 'test_command: x\n', 'is schema_version 0, which has no release_governor block'],
  ])('are ignored with a warning for %s', (_name, text, why) => {
    const result = parse(text, {
      RELEASE_GOVERNOR_ENABLED: 'true',
      RELEASE_GOVERNOR_COOLDOWN_MINUTES: 'not even a number',
    });
    expect(result.releaseGovernor).toEqual({
      state: expect.any(String),
      enabled: false,
      reason: expect.stringContaining(why),
      settings: null,
      overriddenBy: [],
    });
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'CONFIG_ENV_IGNORED', variable: 'RELEASE_GOVERNOR_ENABLED' }),
      expect.objectContaining({ code: 'CONFIG_ENV_IGNORED', variable: 'RELEASE_GOVERNOR_COOLDOWN_MINUTES' }),
    ]);
    expect(result.warnings[0]?.message).toContain(why);
    expect(result.warnings[0]?.message).toContain('so it does not apply');
  });
});

describe('unknown RELEASE_GOVERNOR_* variables', () => {
  it('warn with the closest known name', () => {
    const result = parse(BLOCK, { RELEASE_GOVERNOR_COOLDOWN_MINUTE: '5', RELEASE_GOVERNOR_ENABLD: '1' });
    expect(result.warnings).toEqual([
      {
        code: 'CONFIG_ENV_UNKNOWN',
        block: 'release_governor',
        variable: 'RELEASE_GOVERNOR_COOLDOWN_MINUTE',
        message:
          'RELEASE_GOVERNOR_COOLDOWN_MINUTE is not a known variable and is ignored; did you mean RELEASE_GOVERNOR_COOLDOWN_MINUTES?',
        suggestion: 'RELEASE_GOVERNOR_COOLDOWN_MINUTES',
      },
      {
        code: 'CONFIG_ENV_UNKNOWN',
        block: 'release_governor',
        variable: 'RELEASE_GOVERNOR_ENABLD',
        message:
          'RELEASE_GOVERNOR_ENABLD is not a known variable and is ignored; did you mean RELEASE_GOVERNOR_ENABLED?',
        suggestion: 'RELEASE_GOVERNOR_ENABLED',
      },
    ]);
    expect(result.releaseGovernor.settings?.cooldown_minutes).toBe(30);
  });

  it('catch a misspelt prefix and the wrong case', () => {
    const result = parse(BLOCK, { RELEASE_GOVERNER_ENABLED: 'false', release_governor_enabled: 'false' });
    expect(result.warnings.map((w) => w.suggestion)).toEqual(['RELEASE_GOVERNOR_ENABLED', 'RELEASE_GOVERNOR_ENABLED']);
    expect(result.releaseGovernor.enabled).toBe(true);
  });

  it('warn without a suggestion when nothing is close', () => {
    const result = parse(BLOCK, { RELEASE_GOVERNOR_SOMETHING_ELSE_ENTIRELY: 'x' });
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'CONFIG_ENV_UNKNOWN' })]);
    expect(result.warnings[0]).not.toHaveProperty('suggestion');
  });

  it('warn even when there is no block', () => {
    expect(parse(v1(), { RELEASE_GOVERNOR_ENABLD: '1' }).warnings.map((w) => w.code)).toEqual(['CONFIG_ENV_UNKNOWN']);
  });

  it('do not include RELEASE_GOVERNOR_STATE_DIR, _STORE_URL and _APPROVED, which other parts of booty read', () => {
    const result = parse(v1(), {
      RELEASE_GOVERNOR_STATE_DIR: '/var/lib/booty',
      RELEASE_GOVERNOR_STORE_URL: 'postgres://booty@db/booty',
      RELEASE_GOVERNOR_APPROVED: 'true',
    });
    expect(result.warnings).toEqual([]);
  });
});

describe("the other services' variables", () => {
  const ALL = v1('security: {}', 'memory: {}', 'planner: {}', 'architect: {}', 'reviewer: {}');

  it('are exactly the names the services read, each with what it accepts', () => {
    expect(
      configEnvVariables.filter((v) => v.block !== 'release_governor').map((v) => [v.variable, `${v.block}.${v.key}`]),
    ).toEqual([
      ['SECURITY_ENABLED', 'security.enabled'],
      ['SECURITY_FAIL_SEVERITY', 'security.fail_severity'],
      ['MEMORY_ENABLED', 'memory.enabled'],
      ['MEMORY_RETENTION_DAYS', 'memory.retention_days'],
      ['MEMORY_MAX_MATCHES', 'memory.max_matches'],
      ['PLANNER_ENABLED', 'planner.enabled'],
      ['ARCHITECT_ENABLED', 'architect.enabled'],
      ['ARCHITECT_BUILDER_COMPAT', 'architect.builder_compat'],
      ['REVIEWER_ENABLED', 'reviewer.enabled'],
    ]);
    expect(configEnvVariables.find((v) => v.variable === 'MEMORY_RETENTION_DAYS')?.accepts).toBe(
      'a whole number in decimal digits, 1 to 365',
    );
    expect(configEnvVariables.find((v) => v.variable === 'SECURITY_FAIL_SEVERITY')?.accepts).toBe(
      'low, medium, high, critical',
    );
    expect(Object.isFrozen(configEnvVariables)).toBe(true);
  });

  it.each([
    ['SECURITY_ENABLED', 'off', 'security', 'enabled', false],
    ['SECURITY_FAIL_SEVERITY', 'critical', 'security', 'fail_severity', 'critical'],
    ['MEMORY_ENABLED', 'NO', 'memory', 'enabled', false],
    ['MEMORY_RETENTION_DAYS', '365', 'memory', 'retention_days', 365],
    ['MEMORY_MAX_MATCHES', '1', 'memory', 'max_matches', 1],
    ['PLANNER_ENABLED', '0', 'planner', 'enabled', false],
    ['ARCHITECT_ENABLED', 'false', 'architect', 'enabled', false],
    ['ARCHITECT_BUILDER_COMPAT', 'Off', 'architect', 'builder_compat', false],
    ['REVIEWER_ENABLED', 'on', 'reviewer', 'enabled', true],
  ] as const)('%s=%j sets %s.%s, and says where it came from', (variable, value, block, key, expected) => {
    const result = parse(ALL, { [variable]: value });
    expect((result.services[block].settings as unknown as Record<string, unknown>)[key]).toEqual(expected);
    expect(result.services[block].overriddenBy).toEqual([variable]);
    expect(result.origins[`${block}.${key}`]).toBe(variable);
    expect(result.warnings).toEqual([]);
  });

  it.each([
    ['SECURITY_ENABLED', 'maybe', 'security.enabled', 'is not a boolean'],
    [
      'SECURITY_FAIL_SEVERITY',
      'extreme',
      'security.fail_severity',
      'is not one of the allowed values; it accepts low, medium, high, critical',
    ],
    ['SECURITY_FAIL_SEVERITY', 'hihg', 'security.fail_severity', '(did you mean high?)'],
    ['MEMORY_RETENTION_DAYS', '0', 'memory.retention_days', 'must be a whole number from 1 to 365, found 0'],
    ['MEMORY_RETENTION_DAYS', '90 days', 'memory.retention_days', 'is not a whole number in decimal digits'],
    ['MEMORY_MAX_MATCHES', '21', 'memory.max_matches', 'from 1 to 20, found 21'],
    ['REVIEWER_ENABLED', '', 'reviewer.enabled', 'is empty, and this key cannot be null'],
  ])('%s=%j is a CONFIG_ENV error naming the variable', (variable, value, path, fragment) => {
    const error = envError({ [variable]: value }, ALL);
    expect(error.issues).toEqual([expect.objectContaining({ variable, path, file: null, line: null })]);
    expect(error.issues[0]?.message).toContain(fragment);
  });

  it("are the only names read under their prefixes: other software's are neither read nor warned about", () => {
    const env = {
      MEMORY_LIMIT: '512m',
      SECURITY_PROFILE: 'strict',
      SECURITY_ENABLE: 'false',
      PLANNER_URL: 'x',
      ARCHITECT_X: '1',
      REVIEWER_TOKEN: 't',
    };
    const result = parse(ALL, env);
    expect(result.warnings).toEqual([]);
    expect(result.services.security.settings?.enabled).toBe(true);
  });

  it.each([
    'MEMORY_STATE_DIR',
    'PLANNER_STATE_DIR',
    'PLANNER_CACHE_TTL_HOURS',
    'ARCHITECT_CACHE_TTL_HOURS',
    'RELEASE_GOVERNOR_OVERRIDE_POLL_SEC',
  ])('%s is known and not a config key: never warned about', (variable) => {
    expect(NON_CONFIG_VARIABLES).toContain(variable);
    expect(parse(BLOCK, { [variable]: 'anything' }).warnings).toEqual([]);
  });

  it.each([
    ['no block', v1(), 'has no security block'],
    ['a null block', v1('security:'), 'security is null in'],
  ])('do not apply to %s, and say so', (_name, text, why) => {
    const result = parse(text, { SECURITY_ENABLED: 'true' });
    expect(result.services.security).toMatchObject({ enabled: false, settings: null, overriddenBy: [] });
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'CONFIG_ENV_IGNORED', block: 'security', variable: 'SECURITY_ENABLED' }),
    ]);
    expect(result.warnings[0]?.message).toContain(why);
    expect(result.warnings[0]?.message).toContain('`security: {}` for every default');
  });

  it('apply to an empty block, which is every default', () => {
    const result = parse(v1('memory: {}'), { MEMORY_RETENTION_DAYS: '7' });
    expect(result.services.memory.settings).toMatchObject({ enabled: true, retention_days: 7, max_matches: 3 });
  });
});
