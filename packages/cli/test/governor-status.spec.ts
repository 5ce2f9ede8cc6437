import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { booty, cleanEnv, expectNoStackTrace, tempDir, workspace } from './booty';
import { corruptEntry, sha, withLibraryStore } from './state-fixture';

const V1 = 'schema_version: 1\ntest_command: npm test\n';
const ENABLED = `${V1}release_governor:\n  enabled: true\n`;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const FIELDS = [
  'production_sha_current',
  'production_sha_previous',
  'last_deploy_attempt_sha',
  'last_deploy_time',
  'last_deploy_result',
  'last_health_check',
];

describe('booty governor status: disabled', () => {
  test.each([
    ['no .booty.yml', {}, {}, 'no-config', /there is no \S*\.booty\.yml/],
    ['no release_governor block', { '.booty.yml': V1 }, {}, 'absent', /no release_governor block/],
    ['a null block', { '.booty.yml': `${V1}release_governor:\n` }, {}, 'null', /release_governor is null/],
    ['an empty block', { '.booty.yml': `${V1}release_governor: {}\n` }, {}, 'empty', /release_governor is empty/],
    [
      'enabled: false',
      { '.booty.yml': `${V1}release_governor:\n  enabled: false\n` },
      {},
      'disabled',
      /enabled is false/,
    ],
    [
      'RELEASE_GOVERNOR_ENABLED=false',
      { '.booty.yml': ENABLED },
      { RELEASE_GOVERNOR_ENABLED: 'false' },
      'disabled-by-env',
      /RELEASE_GOVERNOR_ENABLED/,
    ],
    [
      'RELEASE_GOVERNOR_ENABLED=off',
      { '.booty.yml': ENABLED },
      { RELEASE_GOVERNOR_ENABLED: 'OFF' },
      'disabled-by-env',
      /RELEASE_GOVERNOR_ENABLED/,
    ],
  ] as const)('%s: says why, exit 0, and writes nothing', async (_title, files, extraEnv, code, reason) => {
    const dir = workspace(files);
    const stateDir = path.join(tempDir(), 'state');
    const env = cleanEnv({ ...extraEnv, RELEASE_GOVERNOR_STATE_DIR: stateDir });
    const home = env['HOME'] as string;

    const human = await booty(['governor', 'status'], { cwd: dir, env });
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^Governor: disabled\n/);
    expect(human.stdout).toMatch(reason);

    const json = await booty(['governor', 'status', '--json'], { cwd: dir, env });
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      enabled: false,
      reason: { code },
      store: null,
      stateDir: null,
      state: null,
      deliveries: null,
    });

    // Disabled is a no-op: no state directory anywhere, the workspace untouched.
    expect(existsSync(stateDir)).toBe(false);
    expect(existsSync(path.join(home, '.booty'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(Object.keys(files).sort());
  });
});

describe('booty governor status: enabled', () => {
  test('a fresh machine shows the full skeleton, every field (none), in both forms', async () => {
    const dir = workspace({ '.booty.yml': ENABLED });
    const stateDir = path.join(tempDir(), 'nested', 'state');
    const env = cleanEnv({ RELEASE_GOVERNOR_STATE_DIR: stateDir });

    const human = await booty(['governor', 'status'], { cwd: dir, env });
    expect(human.status).toBe(0);
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Governor: enabled');
    expect(human.stdout).toMatch(new RegExp(`^  store: +file ${escapeRegExp(stateDir)}$`, 'm'));
    for (const field of FIELDS) expect(human.stdout).toMatch(new RegExp(`^  ${field}: +\\(none\\)$`, 'm'));
    expect(human.stdout).toMatch(/^ {2}deliveries recorded: +0$/m);
    expect(human.stdout).toMatch(
      /^Settings \(release_governor\):\n {2}KEY +VALUE +ORIGIN\n {2}enabled +true +\.booty\.yml:4:3$/m,
    );
    expect(human.stdout).not.toContain('Overrides applied');

    expect(existsSync(path.join(stateDir, 'release.json'))).toBe(true);
    const json = await booty(['governor', 'status', '--json'], { cwd: dir, env });
    const status = JSON.parse(json.stdout);
    expect(status).toMatchObject({
      ok: true,
      enabled: true,
      reason: { code: 'enabled' },
      configPath: path.join(dir, '.booty.yml'),
      store: { kind: 'file', location: stateDir },
      stateDir,
      deliveries: { entries: 0, damaged: 0 },
      overrides: [],
      warnings: [],
    });
    for (const field of FIELDS) expect(status.state[field]).toBeNull();
  });

  test('RELEASE_GOVERNOR_ENABLED=true turns on a block that says enabled: false', async () => {
    const dir = workspace({ '.booty.yml': `${V1}release_governor:\n  enabled: false\n` });
    const env = cleanEnv({ RELEASE_GOVERNOR_ENABLED: 'yes', RELEASE_GOVERNOR_STATE_DIR: path.join(tempDir(), 's') });
    const result = await booty(['governor', 'status', '--json'], { cwd: dir, env });
    expect(JSON.parse(result.stdout)).toMatchObject({ enabled: true, reason: { code: 'enabled' } });
  });

  test('--state-dir wins over RELEASE_GOVERNOR_STATE_DIR, which wins over $HOME', async () => {
    const dir = workspace({ '.booty.yml': ENABLED });
    const fromFlag = path.join(tempDir(), 'flag');
    const fromEnv = path.join(tempDir(), 'env');
    const env = cleanEnv({ RELEASE_GOVERNOR_STATE_DIR: fromEnv });
    const home = env['HOME'] as string;

    const flagged = JSON.parse(
      (await booty(['governor', 'status', '--json', '--state-dir', fromFlag], { cwd: dir, env })).stdout,
    );
    expect(flagged.stateDir).toBe(fromFlag);
    expect(existsSync(fromEnv)).toBe(false);

    const byEnv = JSON.parse((await booty(['governor', 'status', '--json'], { cwd: dir, env })).stdout);
    expect(byEnv.stateDir).toBe(fromEnv);

    const byHome = JSON.parse(
      (await booty(['governor', 'status', '--json'], { cwd: dir, env: cleanEnv({ HOME: home }) })).stdout,
    );
    expect(byHome.stateDir).toBe(path.join(home, '.booty', 'state'));
    expect(existsSync(path.join(home, '.booty', 'state', 'release.json'))).toBe(true);
  });

  test('shows what release.json holds, including a deploy recorded by the first implementation', async () => {
    const dir = workspace({ '.booty.yml': ENABLED });
    const stateDir = path.join(tempDir(), 'state');
    const env = cleanEnv({ RELEASE_GOVERNOR_STATE_DIR: stateDir });
    await booty(['governor', 'status'], { cwd: dir, env });
    const sha = 'a'.repeat(40);
    writeFileSync(
      path.join(stateDir, 'release.json'),
      JSON.stringify({
        production_sha_current: sha,
        production_sha_previous: null,
        last_deploy_attempt_sha: sha,
        last_deploy_time: '2026-11-01T10:00:00Z',
        last_deploy_result: 'success',
        last_health_check: null,
        deploy_history: [],
      }),
    );
    const result = await booty(['governor', 'status'], { cwd: dir, env });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`production_sha_current: +${sha}`));
    expect(result.stdout).toMatch(/last_deploy_result: +success/);
  });

  test("--repo shows that repository's own state (an App that serves several), release.json without it", async () => {
    const dir = workspace({ '.booty.yml': ENABLED });
    const stateDir = path.join(tempDir(), 'state');
    const env = cleanEnv({ RELEASE_GOVERNOR_STATE_DIR: stateDir });
    await withLibraryStore(stateDir, async (store) => {
      await store.updateState((s) => ({ ...s, production_sha_current: sha(7) }), { repo: 'octo-org/web' });
    });
    const human = await booty(['governor', 'status', '--repo', 'octo-org/web'], { cwd: dir, env });
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^ {2}repository: +octo-org\/web$/m);
    expect(human.stdout).toMatch(new RegExp(`^  production_sha_current: +${sha(7)}$`, 'm'));
    const args = ['governor', 'status', '--repo', 'Octo-Org/Web', '--json'];
    const json = JSON.parse((await booty(args, { cwd: dir, env })).stdout);
    expect(json).toMatchObject({ repo: 'Octo-Org/Web', state: { production_sha_current: sha(7) } });
    const own = JSON.parse((await booty(['governor', 'status', '--json'], { cwd: dir, env })).stdout);
    expect(own).toMatchObject({ repo: null, state: { production_sha_current: null } });
    const bad = await booty(['governor', 'status', '--repo', 'octo'], { cwd: dir, env });
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringContaining('expected "owner/name"')]);
  });
});

describe('booty governor status: errors', () => {
  test('an invalid .booty.yml is exit 2 with its place, never "disabled"', async () => {
    const dir = workspace({ '.booty.yml': `${V1}release_governor:\n  cooldown_minutes: -5\n` });
    const result = await booty(['governor', 'status'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stdout).not.toContain('disabled');
    expect(result.stderr).toMatch(/^\.booty\.yml:4:21 {2}release_governor\.cooldown_minutes {2}/m);
    expectNoStackTrace(result);
  });

  test('a bad RELEASE_GOVERNOR_* value is exit 2 naming the variable', async () => {
    const dir = workspace({ '.booty.yml': ENABLED });
    const env = cleanEnv({
      RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR: '0',
      RELEASE_GOVERNOR_STATE_DIR: path.join(tempDir(), 's'),
    });
    const result = await booty(['governor', 'status', '--json'], { cwd: dir, env });
    expect(result.status).toBe(2);
    const report = JSON.parse(result.stdout);
    expect(report.error.code).toBe('CONFIG_ENV');
    expect(report.error.issues[0].variable).toBe('RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR');
  });

  test('an unsafe (world-writable) state directory is exit 1 with the path and the fix, unchanged', async () => {
    const dir = workspace({ '.booty.yml': ENABLED });
    const stateDir = tempDir('booty-unsafe-');
    chmodSync(stateDir, 0o777);
    const result = await booty(['governor', 'status'], {
      cwd: dir,
      env: cleanEnv({ RELEASE_GOVERNOR_STATE_DIR: stateDir }),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(stateDir);
    expect(result.stderr).toContain('chmod');
    expect(readdirSync(stateDir)).toEqual([]);
    expectNoStackTrace(result);
  });

  test('a corrupt release.json is exit 1 naming the file, and it is left as it was', async () => {
    const dir = workspace({ '.booty.yml': ENABLED });
    const stateDir = path.join(tempDir(), 'state');
    const env = cleanEnv({ RELEASE_GOVERNOR_STATE_DIR: stateDir });
    await booty(['governor', 'status'], { cwd: dir, env });
    writeFileSync(path.join(stateDir, 'release.json'), '{"production_sha_current": ');
    const result = await booty(['governor', 'status'], { cwd: dir, env });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(path.join(stateDir, 'release.json'));
    expect(readFileSync(path.join(stateDir, 'release.json'), 'utf8')).toBe('{"production_sha_current": ');
  });
});

describe('booty governor status: what is in force', () => {
  test('RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR=4 and COOLDOWN_MINUTES=45 show as the settings in force, with their variables', async () => {
    const dir = workspace({ '.booty.yml': `${ENABLED}  cooldown_minutes: 30\n` });
    const env = cleanEnv({
      RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR: '4',
      RELEASE_GOVERNOR_COOLDOWN_MINUTES: '45',
      RELEASE_GOVERNOR_STATE_DIR: path.join(tempDir(), 's'),
    });

    const json = await booty(['governor', 'status', '--json'], { cwd: dir, env });
    expect(json.status).toBe(0);
    const status = JSON.parse(json.stdout);
    expect(status.settings.max_deploys_per_hour).toEqual({ value: 4, origin: 'RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR' });
    expect(status.settings.cooldown_minutes).toEqual({ value: 45, origin: 'RELEASE_GOVERNOR_COOLDOWN_MINUTES' });
    expect(status.settings.enabled).toEqual({ value: true, origin: '.booty.yml:4:3' });
    expect(status.settings.approval_mode).toEqual({ value: expect.any(String), origin: 'default' });
    expect([...status.overrides].sort()).toEqual([
      'RELEASE_GOVERNOR_COOLDOWN_MINUTES',
      'RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR',
    ]);

    const human = await booty(['governor', 'status'], { cwd: dir, env });
    expect(human.stdout).toMatch(/^ {2}max_deploys_per_hour +4 +RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR$/m);
    expect(human.stdout).toMatch(/^ {2}cooldown_minutes +45 +RELEASE_GOVERNOR_COOLDOWN_MINUTES$/m);
    expect(human.stdout).toMatch(/^Overrides applied: RELEASE_GOVERNOR_\w+, RELEASE_GOVERNOR_\w+ \(2 variables\)$/m);
  });

  test('a damaged ledger entry is not counted as a delivery: the count says how many are damaged and what to run', async () => {
    const dir = workspace({ '.booty.yml': ENABLED });
    const stateDir = path.join(tempDir(), 'state');
    await withLibraryStore(stateDir, async (store) => {
      for (const n of [1, 2, 3])
        await store.deliveries.claim({ repo: 'octo-org/web', headSha: sha(n), deliveryId: `d-${n}` });
    });
    corruptEntry(stateDir, sha(2));
    const env = cleanEnv({ RELEASE_GOVERNOR_STATE_DIR: stateDir });
    const human = await booty(['governor', 'status'], { cwd: dir, env });
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^ {2}deliveries recorded: +2 \(1 damaged: run `booty state check`\)$/m);
    const json = JSON.parse((await booty(['governor', 'status', '--json'], { cwd: dir, env })).stdout);
    const limit = { maxDeliveries: 10_000, windowDays: 4, inWindow: 2, exceeded: false };
    expect(json.deliveries).toEqual({ entries: 2, damaged: 1, limit });
  });

  test('a corrupt release.json names the commands that inspect and repair it, never a library call', async () => {
    const dir = workspace({ '.booty.yml': ENABLED });
    const stateDir = path.join(tempDir(), 'state');
    await withLibraryStore(stateDir, async () => undefined);
    writeFileSync(path.join(stateDir, 'release.json'), '{"production_sha_current": ');
    const result = await booty(['governor', 'status'], {
      cwd: dir,
      env: cleanEnv({ RELEASE_GOVERNOR_STATE_DIR: stateDir }),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/booty state (check|reset release)/);
    expect(result.stderr).not.toMatch(/store\.reset|reset\(/);
    expectNoStackTrace(result);
  });
});

describe("booty governor status: another service's block never switches the Governor off", () => {
  test('security broken: exit 0, enabled, a warning naming security, its problem and place, and the fix', async () => {
    const dir = workspace({ '.booty.yml': `${ENABLED}security:\n  fail_severity: extreme\n` });
    const env = cleanEnv({ RELEASE_GOVERNOR_STATE_DIR: path.join(tempDir(), 'state') });

    const human = await booty(['governor', 'status'], { cwd: dir, env });
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^Governor: enabled\n/);
    expect(human.stderr).toBe(
      'warning: the security block is not valid (1 problem); the Release Governor goes on without it, but Security ' +
        'refuses this file until it is fixed; run `booty config validate` to see every problem\n' +
        '  .booty.yml:6:18  security.fail_severity  must be one of `low`, `medium`, `high` or `critical`; ' +
        'found the string "extreme"\n',
    );

    const json = await booty(['governor', 'status', '--json'], { cwd: dir, env });
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      enabled: true,
      warnings: [
        {
          code: 'CONFIG_BLOCK_INVALID',
          block: 'security',
          issues: [{ path: 'security.fail_severity', line: 6, column: 18 }],
        },
      ],
    });

    const validate = await booty(['config', 'validate'], { cwd: dir, env });
    expect(validate.status).toBe(2);
  });

  test("a newer booty's key in its own block: exit 0, a warning with the key, its place and the version", async () => {
    const dir = workspace({ '.booty.yml': `${ENABLED}  rollback_window_minutes: 15\n` });
    const env = cleanEnv({ RELEASE_GOVERNOR_STATE_DIR: path.join(tempDir(), 'state') });
    const result = await booty(['governor', 'status'], { cwd: dir, env });
    expect(result.status).toBe(0);
    const [warning] = result.stderr.split('\n');
    expect(warning).toMatch(/^warning: \.booty\.yml:5:3 {2}release_governor\.rollback_window_minutes {2}`rollback/);
    expect(warning).toMatch(/ in release_governor is not known to booty \d+\.\d+\.\d+; a newer version may use it/);
  });

  test('a misspelt block name is exit 2 for the Governor too', async () => {
    const dir = workspace({ '.booty.yml': `${ENABLED}release_govenor:\n  enabled: false\n` });
    const result = await booty(['governor', 'status'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('did you mean `release_governor`?');
  });
});
