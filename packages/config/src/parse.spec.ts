import { ConfigError } from './errors';
import { parseBootyConfig } from './parse';
import { resolveReleaseGovernor } from './service-status';
import type { BootyConfigV1 } from './types';
import { FILE, governor, parse, parseError, v1 } from '../test/helpers';

describe('the top of the document', () => {
  it.each([
    ['an empty file', ''],
    ['only white space', '  \n\n'],
    ['only comments', '# nothing here\n# yet\n'],
    ['a lone document marker', '---\n'],
  ])('refuses %s with a message that says what to write', (_name, text) => {
    const error = parseError('CONFIG_SCHEMA', text);
    expect(error.issues).toEqual([
      expect.objectContaining({
        path: '',
        file: FILE,
        message: expect.stringContaining('the file is empty (or only comments); it needs at least `test_command`'),
      }),
    ]);
  });

  it.each([
    ['a list', '- test_command: x\n', 'found a list'],
    ['a string (its length, never its text)', 'npm test\n', 'found text (8 characters)'],
    ['a number', '42\n', 'found 42'],
    ['null', '~\n', 'found null'],
    ['a boolean', 'true\n', 'found true'],
  ])('refuses %s at the top level', (_name, text, found) => {
    const error = parseError('CONFIG_SCHEMA', text);
    expect(error.issues).toEqual([
      { path: '', file: FILE, line: 1, column: 1, message: expect.stringContaining(found) },
    ]);
    expect(error.issues[0]?.message).toContain('the top level must be a mapping');
  });
});

describe('schema_version', () => {
  it('is 0 when absent or 0, and 1 when 1', () => {
    expect(parse('test_command: x\n').config?.schema_version).toBe(0);
    expect(parse('schema_version: 0\ntest_command: x\n').config?.schema_version).toBe(0);
    expect(parse('schema_version: 1\ntest_command: x\n').config?.schema_version).toBe(1);
  });

  it.each([
    ['2', 'found 2'],
    ['-1', 'found -1'],
    ['1.5', 'found 1.5'],
    ['"1"', 'found the string "1"; supported versions are 0 (or no schema_version) and 1; write 1 without quotes'],
    ['v1', 'found the string "v1"'],
    ['~', 'found null'],
    ['[1]', 'found a list'],
  ])('refuses %s, naming the supported versions, at the value', (value, fragment) => {
    const error = parseError(
      'CONFIG_VERSION',
      `test_command: x\nschema_version: ${value}\nunknown: checked only after the version\n`,
    );
    expect(error.issues).toEqual([
      { path: 'schema_version', file: FILE, line: 2, column: 17, message: expect.stringContaining(fragment) },
    ]);
    expect(error.issues[0]?.message).toContain('supported versions are 0 (or no schema_version) and 1');
  });
});

describe('release_governor states', () => {
  it.each([
    ['absent', v1(), 'absent', null],
    ['null', v1('release_governor:'), 'null', null],
    ['explicit null', v1('release_governor: null'), 'null', null],
    ['empty', v1('release_governor: {}'), 'empty', null],
    ['disabled in the file', governor('enabled: false'), 'disabled', false],
    ['enabled in the file', governor('enabled: true'), 'enabled', true],
    ['enabled by default in a non-empty block', governor('cooldown_minutes: 5'), 'enabled', true],
  ])('%s', (_name, text, state, enabledSetting) => {
    const result = parse(text);
    expect(result.releaseGovernor.state).toBe(state);
    expect(result.releaseGovernor.enabled).toBe(state === 'enabled');
    expect(result.releaseGovernor.settings?.enabled ?? null).toBe(enabledSetting);
  });

  it('is "absent" for every v0 file, even one with a release_governor key', () => {
    const result = parse('test_command: x\nrelease_governor:\n  enabled: true\n');
    expect(result.releaseGovernor).toEqual({
      state: 'absent',
      enabled: false,
      reason: expect.stringContaining('schema_version 0'),
      settings: null,
      overriddenBy: [],
    });
  });

  it('treats {} as disabled (the decision record), not enabled-by-default (the Python code)', () => {
    const result = parse(v1('release_governor: {}'));
    expect(result.releaseGovernor.enabled).toBe(false);
    expect((result.config as BootyConfigV1).release_governor).toBeNull();
  });

  it('keeps release_governor out of the config when the file has none', () => {
    expect(parse(v1()).config).not.toHaveProperty('release_governor');
    expect((parse(v1('release_governor:')).config as BootyConfigV1).release_governor).toBeNull();
  });

  it('is "disabled-by-env" when RELEASE_GOVERNOR_ENABLED turns an enabled block off', () => {
    const result = parse(governor('enabled: true'), { RELEASE_GOVERNOR_ENABLED: 'false' });
    expect(result.releaseGovernor).toMatchObject({
      state: 'disabled-by-env',
      enabled: false,
      overriddenBy: ['RELEASE_GOVERNOR_ENABLED'],
    });
  });

  it('is "enabled" when RELEASE_GOVERNOR_ENABLED turns a disabled block on', () => {
    const result = parse(governor('enabled: false'), { RELEASE_GOVERNOR_ENABLED: 'true' });
    expect(result.releaseGovernor).toMatchObject({
      state: 'enabled',
      enabled: true,
      overriddenBy: ['RELEASE_GOVERNOR_ENABLED'],
    });
  });

  it('stays "disabled" when the file and the environment both say off', () => {
    expect(parse(governor('enabled: false'), { RELEASE_GOVERNOR_ENABLED: '0' }).releaseGovernor.state).toBe('disabled');
  });

  it('fills every default of a non-empty block', () => {
    expect(parse(governor('enabled: true')).releaseGovernor.settings).toEqual({
      enabled: true,
      production_environment_name: 'production',
      require_approval_for_first_deploy: false,
      high_risk_paths: ['.github/workflows/**', '**/migrations/**'],
      migration_paths: [],
      deploy_workflow_name: 'deploy.yml',
      deploy_workflow_ref: 'main',
      cooldown_minutes: 30,
      max_deploys_per_hour: 6,
      approval_mode: 'environment',
      approval_label: null,
      approval_command: null,
      medium_risk_paths: [
        '**/package.json',
        '**/requirements*.txt',
        '**/pyproject.toml',
        '**/Cargo.toml',
        '**/go.mod',
        '**/go.sum',
      ],
      verification_workflow_name: 'Verify main',
    });
  });

  it('holds one copy of the settings: the config and the status share it, the document is not it', () => {
    const result = parse(governor('enabled: true'));
    expect((result.config as BootyConfigV1).release_governor).toBe(result.releaseGovernor.settings);
  });

  it("resolveReleaseGovernor leaves the caller's config as it was", () => {
    const config = parse(governor('cooldown_minutes: 5')).config as BootyConfigV1;
    expect(resolveReleaseGovernor(config, { RELEASE_GOVERNOR_COOLDOWN_MINUTES: '45' }).settings?.cooldown_minutes).toBe(
      45,
    );
    expect(config.release_governor?.cooldown_minutes).toBe(5);
  });
});

describe('a complete v1 file', () => {
  it('loads with every key, commands trimmed', () => {
    const text = [
      '# yaml-language-server: $schema=./node_modules/@booty/config/schema.json',
      'schema_version: 1',
      'test_command: "  npm test  "',
      'setup_command: ./setup.sh',
      'install_command: " npm ci "',
      'timeout_seconds: 600',
      'max_retries: 2',
      'allowed_paths: [src/**]',
      'forbidden_paths: [secrets/**]',
      'allowed_commands: [npm]',
      'network_policy: registry_only',
      'labels: {approved: ship-it}',
      'max_files_changed: 20',
      'max_diff_loc: 800',
      'max_loc_per_file: 300',
      'max_loc_per_file_pathspec: ["src/**"]',
      'protected_paths: [.github/**]',
      'release_governor:',
      '  enabled: true',
      '  cooldown_minutes: 15',
      '',
    ].join('\n');
    const result = parseBootyConfig(text, { file: FILE, env: {} });
    expect(result.path).toBe(FILE);
    expect(result.config).toEqual({
      schema_version: 1,
      test_command: 'npm test',
      setup_command: './setup.sh',
      install_command: 'npm ci',
      timeout_seconds: 600,
      max_retries: 2,
      allowed_paths: ['src/**'],
      forbidden_paths: ['secrets/**'],
      allowed_commands: ['npm'],
      network_policy: 'registry_only',
      labels: { approved: 'ship-it' },
      max_files_changed: 20,
      max_diff_loc: 800,
      max_loc_per_file: 300,
      max_loc_per_file_pathspec: ['src/**'],
      protected_paths: ['.github/**'],
      release_governor: expect.objectContaining({ enabled: true, cooldown_minutes: 15 }),
    });
    expect(result.warnings).toEqual([]);
  });

  it('uses process.env when no env option is given', () => {
    process.env['RELEASE_GOVERNOR_COOLDOWN_MINUTES'] = '7';
    try {
      expect(
        parseBootyConfig(governor('enabled: true'), { file: FILE }).releaseGovernor.settings?.cooldown_minutes,
      ).toBe(7);
    } finally {
      delete process.env['RELEASE_GOVERNOR_COOLDOWN_MINUTES'];
    }
  });
});

describe('ConfigError', () => {
  it('is an Error with a name, a code, sorted issues and a one-line summary', () => {
    const error = parseError('CONFIG_SCHEMA', v1('max_retries: 0', 'timeout_seconds: 1'));
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe('ConfigError');
    expect(error.issues.map((i) => i.line)).toEqual([3, 4]);
    expect(error.message).toBe(
      `${FILE}:3:14: max_retries: must be a whole number from 1 to 10, found 0 (and 1 more problem)`,
    );
    expect(error.message).not.toContain('\n');
  });

  it('always has at least one issue', () => {
    expect(new ConfigError('CONFIG_SCHEMA', []).issues).toHaveLength(1);
  });

  it('puts issues without a position last', () => {
    const error = new ConfigError('CONFIG_ENV', [
      { path: 'b', message: 'b', file: null, line: null, column: null },
      { path: 'a', message: 'a', file: FILE, line: 2, column: 5 },
      { path: 'c', message: 'c', file: FILE, line: 2, column: 1 },
    ]);
    expect(error.issues.map((i) => i.path)).toEqual(['c', 'a', 'b']);
  });
});

describe('resolveReleaseGovernor', () => {
  it('reports the state of a loaded config', () => {
    expect(resolveReleaseGovernor(null)).toEqual({
      state: 'no-config',
      enabled: false,
      reason: 'there is no .booty.yml',
      settings: null,
      overriddenBy: [],
    });
    expect(resolveReleaseGovernor(parse('test_command: x\n').config).state).toBe('absent');
    expect(resolveReleaseGovernor(parse(v1()).config).state).toBe('absent');
    expect(resolveReleaseGovernor(parse(v1('release_governor: {}')).config).state).toBe('null');
    expect(resolveReleaseGovernor(parse(governor('enabled: true')).config)).toMatchObject({
      state: 'enabled',
      enabled: true,
    });
    expect(resolveReleaseGovernor(parse(governor('enabled: false')).config).state).toBe('disabled');
  });

  it('applies overrides from the env it is given, and none by default', () => {
    const config = parse(governor('enabled: true')).config;
    process.env['RELEASE_GOVERNOR_ENABLED'] = 'false';
    try {
      expect(resolveReleaseGovernor(config).enabled).toBe(true);
    } finally {
      delete process.env['RELEASE_GOVERNOR_ENABLED'];
    }
    expect(resolveReleaseGovernor(config, { RELEASE_GOVERNOR_ENABLED: 'off' }).state).toBe('disabled-by-env');
  });

  it('agrees with the loader for the config the loader returns', () => {
    const env = { RELEASE_GOVERNOR_ENABLED: 'false' };
    const loaded = parse(governor('enabled: true'), env);
    expect(resolveReleaseGovernor(loaded.config).enabled).toBe(loaded.releaseGovernor.enabled);
  });

  it('throws CONFIG_ENV for a bad override', () => {
    const config = parse(governor('enabled: true')).config;
    expect(() => resolveReleaseGovernor(config, { RELEASE_GOVERNOR_ENABLED: 'perhaps' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_ENV' }),
    );
  });
});
