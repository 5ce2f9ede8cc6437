import { ConfigError, parseBootyConfig } from '@booty/config';
import { existsSync, mkdtempSync as makeTemp, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { openReleaseStore } from '@booty/release-state';
import { isGovernorEnabled, loadGovernor, loadGovernorFromContent, type Governor } from './governor';

const created: string[] = [];
afterAll(() => created.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function mkdtempSync(prefix: string): string {
  const dir = makeTemp(prefix);
  created.push(dir);
  return dir;
}

function workspaceWith(yaml: string | null): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'booty-governor-'));
  if (yaml !== null) writeFileSync(path.join(dir, '.booty.yml'), yaml);
  return dir;
}
const V1 = 'schema_version: 1\ntest_command: npm test\n';

describe('loadGovernor', () => {
  test('enabled: opens the store at start-up, so release.json exists with every field null', async () => {
    const stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'booty-state-')), 'state');
    const governor = await loadGovernor({
      workspace: workspaceWith(`${V1}release_governor:\n  cooldown_minutes: 10\n`),
      env: {},
      stateDir,
    });
    expect(governor.enabled).toBe(true);
    expect(governor.settings).toMatchObject({
      cooldown_minutes: 10,
      max_deploys_per_hour: 6,
      approval_mode: 'environment',
    });
    const onDisk = JSON.parse(readFileSync(path.join(stateDir, 'release.json'), 'utf8'));
    expect(onDisk).toMatchObject({ production_sha_current: null, last_deploy_result: null });
    const status = await governor.status();
    expect(status).toMatchObject({
      enabled: true,
      reason: { code: 'enabled' },
      store: { kind: 'file', location: stateDir },
      stateDir,
      deliveries: {
        entries: 0,
        damaged: 0,
        limit: { maxDeliveries: 10_000, windowDays: 4, inWindow: 0, exceeded: false },
      },
      advice: null,
      state: { production_sha_current: null },
      overrides: [],
    });
    expect(status.settings).toMatchObject({
      cooldown_minutes: { value: 10, origin: '.booty.yml:4:3' },
      max_deploys_per_hour: { value: 6, origin: 'default' },
    });
    await governor.close();
    await governor.close();
  });

  test('the environment can override settings and the state directory', async () => {
    const stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'booty-state-')), 'from-env');
    const governor = await loadGovernor({
      workspace: workspaceWith(`${V1}release_governor:\n  enabled: true\n`),
      env: { RELEASE_GOVERNOR_COOLDOWN_MINUTES: '45', RELEASE_GOVERNOR_STATE_DIR: stateDir },
    });
    expect(governor.settings?.cooldown_minutes).toBe(45);
    expect(governor.store?.location).toBe(stateDir);
    const status = await governor.status();
    expect(status.settings?.['cooldown_minutes']).toEqual({ value: 45, origin: 'RELEASE_GOVERNOR_COOLDOWN_MINUTES' });
    expect(status.settings?.['enabled']).toEqual({ value: true, origin: '.booty.yml:4:3' });
    expect(status.overrides).toEqual(['RELEASE_GOVERNOR_COOLDOWN_MINUTES']);
    await governor.close();
  });

  test('a damaged ledger entry is counted apart, and the status says to run `booty state check`', async () => {
    const stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'booty-state-')), 'state');
    const governor = await loadGovernor({
      workspace: workspaceWith(`${V1}release_governor:\n  enabled: true\n`),
      env: {},
      stateDir,
    });
    await governor.store?.deliveries.claim({ repo: 'octo/app', headSha: 'a'.repeat(40), deliveryId: 'd-1' });
    await governor.store?.deliveries.claim({ repo: 'octo/app', headSha: 'b'.repeat(40), deliveryId: 'd-2' });
    expect((await governor.status()).deliveries).toMatchObject({ entries: 2, damaged: 0 });
    const ledger = path.join(stateDir, 'deliveries');
    const entry = readdirSync(ledger, { recursive: true, withFileTypes: true }).find(
      (e) => e.isFile() && e.name.endsWith('.json') && !e.name.startsWith('.'),
    );
    if (!entry) throw new Error(`no ledger entry file under ${ledger}`);
    writeFileSync(path.join(entry.parentPath ?? entry.path, entry.name), '{"key": ');
    const status = await governor.status();
    expect(status.deliveries).toMatchObject({ entries: 1, damaged: 1 });
    expect(status.advice).toContain('booty state check');
    expect(status.advice).toContain('booty state reset deliveries');
    await governor.close();
  });

  test('repo: the status shows that repository’s own state; without it, the store’s own', async () => {
    const stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'booty-state-')), 'state');
    const workspace = workspaceWith(`${V1}release_governor:\n  enabled: true\n`);
    const store = await openReleaseStore({ stateDir });
    await store.updateState((s) => ({ ...s, production_sha_current: 'a'.repeat(40) }), { repo: 'octo-org/web' });
    await store.updateState((s) => ({ ...s, production_sha_current: 'b'.repeat(40) }));
    await store.close();
    const ofWeb = await loadGovernor({ workspace, env: {}, stateDir, repo: 'Octo-Org/Web' });
    const web = { repo: 'Octo-Org/Web', state: { production_sha_current: 'a'.repeat(40) } };
    expect(await ofWeb.status()).toMatchObject(web);
    await ofWeb.close();
    const own = await loadGovernor({ workspace, env: {}, stateDir });
    expect(await own.status()).toMatchObject({ repo: null, state: { production_sha_current: 'b'.repeat(40) } });
    await own.close();
    const bad = await loadGovernor({ workspace, env: {}, stateDir, repo: 'not a repo' });
    const refused = await bad.status().catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'STATE_INVALID_INPUT', details: { field: 'repo' } });
    await bad.close();
  });

  test('a store URL and a state directory both in the environment are refused, naming both', async () => {
    const workspace = workspaceWith(`${V1}release_governor:\n  enabled: true\n`);
    const env = {
      RELEASE_GOVERNOR_STORE_URL: 'postgres://booty:hunter2@127.0.0.1:1/booty',
      RELEASE_GOVERNOR_STATE_DIR: '/nonexistent/state',
    };
    const error = await loadGovernor({ workspace, env }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STATE_INVALID_INPUT' });
    expect((error as Error).message).toContain('RELEASE_GOVERNOR_STORE_URL');
    expect((error as Error).message).toContain('RELEASE_GOVERNOR_STATE_DIR');
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('hunter2');
  });

  test('the url option opens PostgreSQL: a server that is not there is a typed error without the password', async () => {
    const workspace = workspaceWith(`${V1}release_governor:\n  enabled: true\n`);
    const error = await loadGovernor({ workspace, env: {}, url: 'postgres://booty:hunter2@127.0.0.1:1/booty' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'StateError', code: 'STATE_UNAVAILABLE' });
    expect(`${String((error as Error).message)} ${JSON.stringify(error)}`).not.toContain('hunter2');
  });

  test('disabled: the store settings are not even looked at', async () => {
    const env = {
      RELEASE_GOVERNOR_STORE_URL: 'postgres://x@127.0.0.1:1/db',
      RELEASE_GOVERNOR_STATE_DIR: '/nonexistent/state',
    };
    const governor = await loadGovernor({ workspace: workspaceWith(V1), env });
    expect(governor).toMatchObject({ enabled: false, store: null });
    await governor.close();
  });

  test.each([
    ['no .booty.yml', null, 'no-config'],
    ['no block', V1, 'absent'],
    ['a schema_version 0 file', 'test_command: npm test\nrelease_governor:\n  enabled: true\n', 'absent'],
    ['an empty block', `${V1}release_governor: {}\n`, 'empty'],
    ['enabled: false', `${V1}release_governor:\n  enabled: false\n`, 'disabled'],
  ])('disabled by %s: a no-op that creates nothing', async (_name, yaml, code) => {
    const stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'booty-state-')), 'state');
    const governor = await loadGovernor({ workspace: workspaceWith(yaml), env: {}, stateDir });
    expect(governor).toMatchObject({ enabled: false, reason: { code }, store: null });
    if (yaml?.startsWith('test_command')) expect(governor.reason.message).toContain('schema_version 0');
    expect(await governor.status()).toMatchObject({
      enabled: false,
      store: null,
      stateDir: null,
      state: null,
      deliveries: null,
      overrides: [],
    });
    if (code === 'disabled')
      expect((await governor.status()).settings?.['enabled']).toEqual({ value: false, origin: '.booty.yml:4:3' });
    else expect((await governor.status()).settings).toBeNull();
    expect(existsSync(stateDir)).toBe(false);
  });

  test('an invalid file throws ConfigError: it is never reported as disabled', async () => {
    const error = await loadGovernor({
      workspace: workspaceWith(`${V1}release_governor:\n  enabeld: true\n`),
      env: {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
  });
});

describe("loadGovernor: one service's block never switches the Governor off", () => {
  const ENABLED = `${V1}release_governor:\n  enabled: true\n`;
  const stateDirOf = () => path.join(mkdtempSync(path.join(tmpdir(), 'booty-state-')), 'state');

  test.each([
    ['security is broken', `${ENABLED}security:\n  fail_severity: extreme\n`, {}, 'security', '.booty.yml:6:18'],
    ['memory is not a mapping', `${ENABLED}memory: true\n`, {}, 'memory', '.booty.yml:5:9'],
    ['a misspelt key inside reviewer', `${ENABLED}reviewer:\n  block_onn: []\n`, {}, 'reviewer', '.booty.yml:6:3'],
    ["the Verifier's keys are broken", `${ENABLED}timeout_seconds: 5\n`, {}, 'top-level', '.booty.yml:5:18'],
    [
      'SECURITY_FAIL_SEVERITY is bad',
      `${ENABLED}security: {}\n`,
      { SECURITY_FAIL_SEVERITY: 'extreme' },
      'security',
      'SECURITY_FAIL_SEVERITY',
    ],
  ])('%s: enabled, the store opened, a warning naming the block, its problem and the fix', async (...row) => {
    const [, yaml, env, block, place] = row;
    const stateDir = stateDirOf();
    const governor = await loadGovernor({ workspace: workspaceWith(yaml), env, stateDir });
    expect(governor).toMatchObject({ enabled: true, reason: { code: 'enabled' } });
    expect(existsSync(path.join(stateDir, 'release.json'))).toBe(true);
    expect(governor.warnings).toEqual([expect.objectContaining({ code: 'CONFIG_BLOCK_INVALID', block })]);
    const [warning] = governor.warnings;
    expect(warning?.message).toContain('the Release Governor goes on');
    expect(warning?.message).toContain('booty config validate');
    const issue = warning?.issues?.[0];
    expect(issue?.variable ?? `${path.basename(issue?.file ?? '')}:${issue?.line}:${issue?.column}`).toBe(place);
    await governor.close();
  });

  test('a key of a newer booty, in its own block or elsewhere: a warning naming the key, and it goes on', async () => {
    const yaml = `${ENABLED}  rollback_window_minutes: 15\nnotifier:\n  channel: deploys\n`;
    const governor = await loadGovernor({ workspace: workspaceWith(yaml), env: {}, stateDir: stateDirOf() });
    expect(governor.enabled).toBe(true);
    expect(governor.warnings.map((w) => [w.code, w.path, w.line])).toEqual([
      ['CONFIG_KEY_UNKNOWN', 'release_governor.rollback_window_minutes', 5],
      ['CONFIG_KEY_UNKNOWN', 'notifier', 6],
    ]);
    expect(governor.warnings[0]?.message).toMatch(/not known to booty \d+\.\d+\.\d+; a newer version may use it/);
    await governor.close();
  });

  test.each([
    ['its own block is broken', `${ENABLED}  cooldown_minutes: -1\nsecurity: {}\n`, {}, 'CONFIG_SCHEMA'],
    ['a near miss in its own block', `${ENABLED}  cooldown_minute: 5\n`, {}, 'CONFIG_SCHEMA'],
    ['a misspelt block name', `${ENABLED}securty:\n  enabled: true\n`, {}, 'CONFIG_SCHEMA'],
    ['one of its variables is bad', ENABLED, { RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR: '0' }, 'CONFIG_ENV'],
    [
      'one of its variables is bad, and another block too',
      `${ENABLED}security:\n  enabled: maybe\n`,
      { RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR: '0' },
      'CONFIG_ENV',
    ],
    ['an unknown schema_version', ENABLED.replace('schema_version: 1', 'schema_version: 2'), {}, 'CONFIG_VERSION'],
  ])('%s: ConfigError, and no store is created', async (_name, yaml, env, code) => {
    const stateDir = stateDirOf();
    const error = await loadGovernor({ workspace: workspaceWith(yaml), env, stateDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe(code);
    expect(existsSync(stateDir)).toBe(false);
  });

  test("other software's variables under the services' prefixes are neither read nor warned about", async () => {
    const env = {
      MEMORY_LIMIT: '512m',
      SECURITY_PROFILE: 'strict',
      MEMORY_STATE_DIR: '/var/lib/memory',
      RELEASE_GOVERNOR_OVERRIDE_POLL_SEC: '30',
    };
    const workspace = workspaceWith(`${ENABLED}memory: {}\n`);
    const governor = await loadGovernor({ workspace, env, stateDir: stateDirOf() });
    expect(governor.warnings).toEqual([]);
    await governor.close();
  });
});

describe('Governor narrows on enabled', () => {
  // Type-checked by the build of this spec: after `if (governor.enabled)`, settings and store are
  // not null; in the other branch store is null. Without the union these lines do not compile.
  function use(governor: Governor): string {
    if (governor.enabled) {
      const minutes: number = governor.settings.cooldown_minutes;
      const kind: 'file' | 'postgres' = governor.store.kind;
      return `${kind} ${minutes}`;
    }
    const none: null = governor.store;
    return String(none);
  }

  test('an enabled Governor has settings and a store; a disabled one has no store', async () => {
    const stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'booty-state-')), 'state');
    const workspace = workspaceWith(`${V1}release_governor:\n  enabled: true\n`);
    const on = await loadGovernor({ workspace, env: {}, stateDir });
    const off = await loadGovernor({ workspace: workspaceWith(V1), env: {} });
    expect([use(on), use(off)]).toEqual(['file 30', 'null']);
    await on.close();
  });
});

describe('loadGovernorFromContent: a .booty.yml fetched through the contents API', () => {
  const ENABLED = `${V1}release_governor:\n  enabled: true\n  cooldown_minutes: 10\n`;
  const file = 'octo-org/octo-repo/.booty.yml@main';
  const stateDirOf = () => path.join(mkdtempSync(path.join(tmpdir(), 'booty-state-')), 'state');

  test('builds the Governor from the text, naming it by `file`, with the store from the options', async () => {
    const stateDir = stateDirOf();
    const governor = await loadGovernorFromContent({ content: ENABLED, file, env: {}, stateDir });
    expect(governor).toMatchObject({ enabled: true, configPath: file, reason: { code: 'enabled' } });
    expect(governor.reason.message).toContain(file);
    expect(governor.settings?.cooldown_minutes).toBe(10);
    const cooldown = (await governor.status()).settings?.['cooldown_minutes'];
    expect(cooldown).toEqual({ value: 10, origin: '.booty.yml@main:5:3' });
    expect(existsSync(path.join(stateDir, 'release.json'))).toBe(true);
    await governor.close();
  });

  test("the service's RELEASE_GOVERNOR_* variables never reach a tenant's file; its store location does", async () => {
    const stateDir = stateDirOf();
    const env = {
      RELEASE_GOVERNOR_ENABLED: 'true',
      RELEASE_GOVERNOR_COOLDOWN_MINUTES: '0',
      RELEASE_GOVERNOR_STATE_DIR: stateDir,
    };
    const off = await loadGovernorFromContent({ content: `${V1}release_governor:\n  enabled: false\n`, file, env });
    expect(off).toMatchObject({ enabled: false, store: null, warnings: [] });
    const on = await loadGovernorFromContent({ content: ENABLED, file, env });
    const seen = { cooldown: on.settings?.cooldown_minutes, location: on.store?.location };
    expect(seen).toEqual({ cooldown: 10, location: stateDir });
    expect((await on.status()).overrides).toEqual([]);
    await on.close();
  });

  test('overrides given on purpose apply, each with its origin', async () => {
    const overrides = { RELEASE_GOVERNOR_COOLDOWN_MINUTES: '45' };
    const stateDir = stateDirOf();
    const governor = await loadGovernorFromContent({ content: ENABLED, file, env: {}, stateDir, overrides });
    expect(governor.settings?.cooldown_minutes).toBe(45);
    expect((await governor.status()).overrides).toEqual(['RELEASE_GOVERNOR_COOLDOWN_MINUTES']);
    await governor.close();
  });

  test('an invalid block throws ConfigError naming `file`, line and column', async () => {
    const content = `${V1}release_governor:\n  enabeld: true\n`;
    const error = await loadGovernorFromContent({ content, file, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]).toMatchObject({ file, line: 4, column: 3 });
  });
});

describe('the store option: one store a service opened, shared by its Governors', () => {
  test('used as it is and left open by close()', async () => {
    const store = await openReleaseStore({ stateDir: path.join(mkdtempSync(path.join(tmpdir(), 'booty-')), 'state') });
    const content = `${V1}release_governor:\n  enabled: true\n`;
    const first = await loadGovernorFromContent({ content, file: 'a/b/.booty.yml', store });
    const second = await loadGovernor({ workspace: workspaceWith(content), env: {}, store });
    expect([first.store, second.store]).toEqual([store, store]);
    await first.close();
    await second.close();
    await expect(store.readState()).resolves.toMatchObject({ production_sha_current: null });
    await store.close();
  });

  test('refused together with stateDir or url: one store, named once', async () => {
    const store = await openReleaseStore({ stateDir: path.join(mkdtempSync(path.join(tmpdir(), 'booty-')), 'state') });
    const content = `${V1}release_governor:\n  enabled: true\n`;
    const options = { content, file: 'x', store, stateDir: '/tmp/x' };
    const error = await loadGovernorFromContent(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('either `store`');
    await store.close();
  });
});

describe('isGovernorEnabled', () => {
  // Configurations as the loader returns them (validated, defaults applied), without the environment.
  const config = (block: string | null) =>
    parseBootyConfig(`${V1}${block === null ? '' : `release_governor:${block}\n`}`, { file: '.booty.yml', env: {} })
      .config;

  test('no config, no block, null or empty block: disabled', () => {
    expect(isGovernorEnabled(null)).toBe(false);
    expect(isGovernorEnabled(config(null))).toBe(false);
    expect(isGovernorEnabled(config(''))).toBe(false);
    expect(isGovernorEnabled(config(' {}'))).toBe(false);
  });

  test('a block follows its enabled flag, and RELEASE_GOVERNOR_ENABLED wins', () => {
    expect(isGovernorEnabled(config('\n  enabled: true'))).toBe(true);
    expect(isGovernorEnabled(config('\n  cooldown_minutes: 5'))).toBe(true);
    expect(isGovernorEnabled(config('\n  enabled: false'))).toBe(false);
    expect(isGovernorEnabled(config('\n  enabled: false'), { RELEASE_GOVERNOR_ENABLED: 'on' })).toBe(true);
    expect(isGovernorEnabled(config('\n  enabled: true'), { RELEASE_GOVERNOR_ENABLED: '0' })).toBe(false);
  });

  test('a bad RELEASE_GOVERNOR_ENABLED is a ConfigError, not a guess', () => {
    expect(() => isGovernorEnabled(config('\n  enabled: true'), { RELEASE_GOVERNOR_ENABLED: 'maybe' })).toThrow(
      ConfigError,
    );
  });
});
