import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from './errors';
import { loadServiceConfig, parseServiceConfig } from './service';
import type { ServiceName } from './types';
import { configError, FILE, governor, parse, parseError, v1 } from '../test/helpers';

// One service reads its own block: typed, with the same errors and positions, from a file or from
// content fetched elsewhere; another part that is broken never stops it, and says so.

function read<S extends ServiceName>(service: S, text: string, env: NodeJS.ProcessEnv = {}) {
  return parseServiceConfig(text, service, { file: FILE, env });
}

describe('each block follows its own defaults', () => {
  it.each([
    ['memory: {} is on', v1('memory: {}'), 'memory', 'enabled', true],
    ['reviewer: {} is off', v1('reviewer: {}'), 'reviewer', 'disabled', false],
    ['security: {} is on', v1('security: {}'), 'security', 'enabled', true],
    ['planner: {} is on', v1('planner: {}'), 'planner', 'enabled', true],
    ['architect: {} is on', v1('architect: {}'), 'architect', 'enabled', true],
    [
      'release_governor: {} is off (the decision record)',
      v1('release_governor: {}'),
      'release_governor',
      'empty',
      false,
    ],
  ] as const)('%s', (_name, text, service, state, enabled) => {
    const result = read(service, text);
    expect({ state: result.state, enabled: result.enabled }).toEqual({ state, enabled });
    if (service !== 'release_governor') expect(result.settings).not.toBeNull();
  });

  it('says why reviewer: {} is off, and how to turn it on', () => {
    expect(read('reviewer', v1('reviewer: {}')).reason).toBe(
      `reviewer.enabled is false by default; write \`enabled: true\` under reviewer in ${FILE} to turn it on`,
    );
  });

  it.each([
    ['absent', v1(), 'absent', `${FILE} has no memory block`],
    ['null (`memory:` with no value)', v1('memory:'), 'null', `memory is null in ${FILE}`],
    [
      'in a schema_version 0 file',
      'test_command: x\nmemory: {}\n',
      'absent',
      'which has no memory block (set schema_version: 1 to use one)',
    ],
  ])('a block that is %s is not configured: no settings, not enabled', (_name, text, state, reason) => {
    const result = read('memory', text);
    expect(result).toMatchObject({ state, enabled: false, settings: null, values: null, overriddenBy: [] });
    expect(result.reason).toContain(reason);
  });

  it('gives every setting typed, with its origin', () => {
    const result = read('security', v1('security:', '  fail_severity: critical'), { SECURITY_ENABLED: 'no' });
    expect(result).toMatchObject({
      service: 'security',
      path: FILE,
      state: 'disabled-by-env',
      enabled: false,
      overriddenBy: ['SECURITY_ENABLED'],
    });
    expect(result.settings?.fail_severity).toBe('critical');
    expect(result.values).toEqual({
      enabled: { value: false, origin: 'SECURITY_ENABLED' },
      fail_severity: { value: 'critical', origin: '.booty.yml:4:3' },
      sensitive_paths: {
        value: [
          '.github/workflows/**',
          'infra/**',
          'terraform/**',
          'helm/**',
          'k8s/**',
          'iam/**',
          'auth/**',
          'security/**',
        ],
        origin: 'default',
      },
      secret_scanner: { value: 'gitleaks', origin: 'default' },
      secret_scan_exclude: { value: [], origin: 'default' },
    });
  });
});

describe("a service's own problems stop it, with the same errors and positions as the whole file", () => {
  it.each([
    [
      'a wrong value in its block',
      'memory',
      v1('memory:', '  retention_days: 0'),
      'CONFIG_SCHEMA',
      'memory.retention_days',
      4,
      19,
    ],
    [
      'a near miss in its block',
      'security',
      v1('security:', '  fail_severty: low'),
      'CONFIG_SCHEMA',
      'security.fail_severty',
      4,
      3,
    ],
    ['its block is not a mapping', 'architect', v1('architect: false'), 'CONFIG_SCHEMA', 'architect', 3, 12],
    ["a misspelt block name, anyone's", 'planner', v1('planner: {}', 'securty: {}'), 'CONFIG_SCHEMA', 'securty', 4, 1],
    [
      'a block key at the top level',
      'planner',
      v1('planner: {}', 'fail_severity: low'),
      'CONFIG_SCHEMA',
      'fail_severity',
      4,
      1,
    ],
    [
      'a name no booty key has, at the top',
      'planner',
      v1('planner: {}', 'Deploy Window: 9-5'),
      'CONFIG_SCHEMA',
      'Deploy Window',
      4,
      1,
    ],
    [
      'a name no booty key has, in its block',
      'planner',
      v1('planner:', '  __proto__: {}'),
      'CONFIG_SCHEMA',
      'planner.__proto__',
      4,
      3,
    ],
    [
      'a version it does not know',
      'planner',
      'schema_version: 2\nplanner: {}\n',
      'CONFIG_VERSION',
      'schema_version',
      1,
      17,
    ],
    ['YAML it cannot read', 'planner', 'planner: [\n', 'CONFIG_YAML', '', 1, 10],
  ] as const)('%s', (_name, service, text, code, issuePath, line, column) => {
    const error = configError(code, () => read(service, text));
    expect(error.issues).toEqual([expect.objectContaining({ path: issuePath, file: FILE, line, column })]);
    // The whole-file reader reports the same issue, at the same place.
    if (code !== 'CONFIG_YAML' && code !== 'CONFIG_VERSION')
      expect(parseError(code, text).issues).toContainEqual(error.issues[0]);
  });

  it('a bad variable of its own is CONFIG_ENV naming it', () => {
    const error = configError('CONFIG_ENV', () => read('memory', v1('memory: {}'), { MEMORY_MAX_MATCHES: '99' }));
    expect(error.issues).toEqual([
      expect.objectContaining({ variable: 'MEMORY_MAX_MATCHES', path: 'memory.max_matches' }),
    ]);
  });

  it('an unknown service name is a programming error', () => {
    expect(() => parseServiceConfig(v1(), 'securty' as ServiceName, { file: FILE })).toThrow(
      new TypeError(
        'unknown service block "securty"; ' +
          'the blocks are release_governor, security, memory, planner, architect, reviewer',
      ),
    );
  });
});

describe('another part that is broken never stops a service: a warning names it, its problems and the fix', () => {
  it('the Governor, with security broken', () => {
    const text = governor('enabled: true').concat('security:\n  enabled: false\n  sensitive_path: [infra/**]\n');
    expect(() => parse(text)).toThrow(ConfigError);
    const result = read('release_governor', text);
    expect(result).toMatchObject({ state: 'enabled', enabled: true });
    expect(result.warnings).toEqual([
      {
        code: 'CONFIG_BLOCK_INVALID',
        block: 'security',
        errorCode: 'CONFIG_SCHEMA',
        message:
          'the security block is not valid (1 problem); the Release Governor goes on without it, ' +
          'but Security refuses this file until it is fixed; run `booty config validate` to see every problem',
        issues: [
          expect.objectContaining({
            path: 'security.sensitive_path',
            line: 7,
            column: 3,
            suggestion: 'sensitive_paths',
          }),
        ],
      },
    ]);
  });

  it("Security, with the Verifier's keys broken and the Governor's variables bad", () => {
    const result = read('security', v1('timeout_seconds: 1', 'release_governor:', '  enabled: true', 'security: {}'), {
      RELEASE_GOVERNOR_COOLDOWN_MINUTES: 'x',
    });
    expect(result.enabled).toBe(true);
    expect(result.warnings.map((w) => [w.code, w.block, w.errorCode, w.issues?.length])).toEqual([
      ['CONFIG_BLOCK_INVALID', 'top-level', 'CONFIG_SCHEMA', 1],
      ['CONFIG_BLOCK_INVALID', 'release_governor', 'CONFIG_ENV', 1],
    ]);
    expect(result.warnings[0]?.message).toContain(
      "the top-level keys (the Verifier's and the builder's) are not valid (1 problem); " +
        'Security goes on without them, but `booty verifier run` refuses this file',
    );
    expect(result.warnings[1]?.message).toContain('the release_governor block is not valid with the environment');
  });

  it("warnings about variables are the reader's own only", () => {
    const result = read('security', v1('security: {}'), {
      MEMORY_ENABLED: 'true',
      RELEASE_GOVERNOR_ENABLD: '1',
      SECURITY_FAIL_SEVERITY: 'low',
    });
    expect(result.warnings).toEqual([]);
    const memory = read('memory', v1('security: {}'), { MEMORY_ENABLED: 'true' });
    expect(memory.warnings).toEqual([
      expect.objectContaining({ code: 'CONFIG_ENV_IGNORED', variable: 'MEMORY_ENABLED', block: 'memory' }),
    ]);
  });
});

describe('an older reader meets a newer file', () => {
  const newer = governor('enabled: true', 'rollback_window_minutes: 15').concat(
    'notifier:\n  channel: deploys\nsecurity:\n  sbom: true\n',
  );

  it('keys it does not know that are no mistake are warnings for every service: the key, its place, the version', () => {
    const result = read('release_governor', newer);
    expect(result.enabled).toBe(true);
    expect(result.warnings.map((w) => [w.code, w.block, w.path, w.line, w.column])).toEqual([
      ['CONFIG_KEY_UNKNOWN', 'release_governor', 'release_governor.rollback_window_minutes', 5, 3],
      ['CONFIG_KEY_UNKNOWN', 'top-level', 'notifier', 6, 1],
      ['CONFIG_KEY_UNKNOWN', 'security', 'security.sbom', 9, 3],
    ]);
    expect(result.warnings[0]?.message).toMatch(
      /^`rollback_window_minutes` in release_governor is not known to booty \d+\.\d+\.\d+; a newer version may use it/,
    );
    expect(read('security', newer).settings).toMatchObject({ enabled: true });
  });

  it("the authors' side refuses them, saying how an older booty goes on", () => {
    const error = parseError('CONFIG_SCHEMA', newer);
    expect(error.issues.map((i) => i.path)).toEqual([
      'release_governor.rollback_window_minutes',
      'notifier',
      'security.sbom',
    ]);
    expect(error.issues[1]?.message).toMatch(
      /; if a newer booty reads it, booty \d+\.\d+\.\d+ skips it with `--allow-newer-keys`$/,
    );
  });

  it("unknownKeys: 'warn' lets the authors' side go on, near misses still refused", () => {
    const result = parse(newer, {}, 'warn');
    expect(result.warnings.map((w) => w.code)).toEqual([
      'CONFIG_KEY_UNKNOWN',
      'CONFIG_KEY_UNKNOWN',
      'CONFIG_KEY_UNKNOWN',
    ]);
    expect((result.config as { security?: object }).security).toMatchObject({ enabled: true });
    expect(parseError('CONFIG_SCHEMA', `${newer}reviewers: {}\n`, {}, 'warn').issues.map((i) => i.path)).toEqual([
      'reviewers',
    ]);
  });

  it('a schema_version 0 file ignores service blocks, and says so with the place', () => {
    const result = parse('test_command: make\nsecurity:\n  enabled: true\n');
    expect(result.services.security.state).toBe('absent');
    expect(result.warnings).toEqual([
      expect.objectContaining({
        code: 'CONFIG_KEY_IGNORED',
        block: 'security',
        path: 'security',
        file: FILE,
        line: 2,
        column: 1,
      }),
    ]);
    expect(result.warnings[0]?.message).toBe(
      '`security` is ignored: a schema_version 0 file has no service blocks, so Security does not read it; ' +
        'add `schema_version: 1` at the top to use it',
    );
  });
});

describe('loadServiceConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'booty-service-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads <workspace>/.booty.yml as loadBootyConfig does', async () => {
    await fs.writeFile(path.join(dir, '.booty.yml'), v1('memory:', '  max_matches: 5'));
    const result = await loadServiceConfig(dir, 'memory', { env: {} });
    expect(result).toMatchObject({
      service: 'memory',
      path: path.join(dir, '.booty.yml'),
      enabled: true,
      settings: { max_matches: 5 },
    });
    expect(result.values?.['max_matches']).toEqual({ value: 5, origin: '.booty.yml:4:3' });
  });

  it('without a file: no-config, nothing created', async () => {
    expect(await loadServiceConfig(dir, 'reviewer', { env: {} })).toMatchObject({
      path: null,
      state: 'no-config',
      enabled: false,
      settings: null,
    });
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('refuses what loadBootyConfig refuses (the file under another name)', async () => {
    await fs.writeFile(path.join(dir, '.booty.yaml'), v1());
    await expect(loadServiceConfig(dir, 'planner', { env: {} })).rejects.toMatchObject({ code: 'CONFIG_READ' });
  });
});
