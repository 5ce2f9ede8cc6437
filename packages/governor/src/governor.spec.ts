import { ConfigError, parseBootyConfig } from '@booty/config';
import { existsSync, mkdtempSync as makeTemp, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isGovernorEnabled, loadGovernor } from './governor';

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
    const governor = await loadGovernor({ workspace: workspaceWith(`${V1}release_governor:\n  cooldown_minutes: 10\n`), env: {}, stateDir });
    expect(governor.enabled).toBe(true);
    expect(governor.settings).toMatchObject({ cooldown_minutes: 10, max_deploys_per_hour: 6, approval_mode: 'environment' });
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
    const governor = await loadGovernor({ workspace: workspaceWith(`${V1}release_governor:\n  enabled: true\n`), env: {}, stateDir });
    await governor.store?.deliveries.claim({ repo: 'octo/app', headSha: 'a'.repeat(40), deliveryId: 'd-1' });
    await governor.store?.deliveries.claim({ repo: 'octo/app', headSha: 'b'.repeat(40), deliveryId: 'd-2' });
    expect((await governor.status()).deliveries).toMatchObject({ entries: 2, damaged: 0 });
    const ledger = path.join(stateDir, 'deliveries');
    const entry = readdirSync(ledger, { recursive: true, withFileTypes: true }).find((e) => e.isFile() && e.name.endsWith('.json') && !e.name.startsWith('.'));
    if (!entry) throw new Error(`no ledger entry file under ${ledger}`);
    writeFileSync(path.join(entry.parentPath ?? entry.path, entry.name), '{"key": ');
    const status = await governor.status();
    expect(status.deliveries).toMatchObject({ entries: 1, damaged: 1 });
    expect(status.advice).toContain('booty state check');
    expect(status.advice).toContain('booty state reset deliveries');
    await governor.close();
  });

  test('a store URL and a state directory both in the environment are refused, naming both', async () => {
    const workspace = workspaceWith(`${V1}release_governor:\n  enabled: true\n`);
    const env = { RELEASE_GOVERNOR_STORE_URL: 'postgres://booty:hunter2@127.0.0.1:1/booty', RELEASE_GOVERNOR_STATE_DIR: '/nonexistent/state' };
    const error = await loadGovernor({ workspace, env }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STATE_INVALID_INPUT' });
    expect((error as Error).message).toContain('RELEASE_GOVERNOR_STORE_URL');
    expect((error as Error).message).toContain('RELEASE_GOVERNOR_STATE_DIR');
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('hunter2');
  });

  test('the url option opens PostgreSQL: a server that is not there is a typed error without the password', async () => {
    const workspace = workspaceWith(`${V1}release_governor:\n  enabled: true\n`);
    const error = await loadGovernor({ workspace, env: {}, url: 'postgres://booty:hunter2@127.0.0.1:1/booty' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StateError', code: 'STATE_UNAVAILABLE' });
    expect(`${String((error as Error).message)} ${JSON.stringify(error)}`).not.toContain('hunter2');
  });

  test('disabled: the store settings are not even looked at', async () => {
    const env = { RELEASE_GOVERNOR_STORE_URL: 'postgres://x@127.0.0.1:1/db', RELEASE_GOVERNOR_STATE_DIR: '/nonexistent/state' };
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
    expect(await governor.status()).toMatchObject({ enabled: false, store: null, stateDir: null, state: null, deliveries: null, overrides: [] });
    if (code === 'disabled') expect((await governor.status()).settings?.['enabled']).toEqual({ value: false, origin: '.booty.yml:4:3' });
    else expect((await governor.status()).settings).toBeNull();
    expect(existsSync(stateDir)).toBe(false);
  });

  test('an invalid file throws ConfigError: it is never reported as disabled', async () => {
    const error = await loadGovernor({ workspace: workspaceWith(`${V1}release_governor:\n  enabeld: true\n`), env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
  });
});

describe('isGovernorEnabled', () => {
  // Configurations as the loader returns them (validated, defaults applied), without the environment.
  const config = (block: string | null) =>
    parseBootyConfig(`${V1}${block === null ? '' : `release_governor:${block}\n`}`, { file: '.booty.yml', env: {} }).config;

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
    expect(() => isGovernorEnabled(config('\n  enabled: true'), { RELEASE_GOVERNOR_ENABLED: 'maybe' })).toThrow(ConfigError);
  });
});
