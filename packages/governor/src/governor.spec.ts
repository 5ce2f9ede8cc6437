import { ConfigError, parseBootyConfig } from '@booty/config';
import { existsSync, mkdtempSync as makeTemp, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    expect(status).toMatchObject({ enabled: true, stateDir, deliveries: 0, state: { production_sha_current: null } });
  });

  test('the environment can override settings and the state directory', async () => {
    const stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'booty-state-')), 'from-env');
    const governor = await loadGovernor({
      workspace: workspaceWith(`${V1}release_governor:\n  enabled: true\n`),
      env: { RELEASE_GOVERNOR_COOLDOWN_MINUTES: '45', RELEASE_GOVERNOR_STATE_DIR: stateDir },
    });
    expect(governor.settings?.cooldown_minutes).toBe(45);
    expect(governor.store?.stateDir).toBe(stateDir);
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
    expect(await governor.status()).toMatchObject({ enabled: false, stateDir: null, state: null, deliveries: null });
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
