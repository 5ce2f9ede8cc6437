import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { explainBootyConfig, explainLoadedConfig } from './explain';
import { parse } from '../test/helpers';

const FILE_TEXT = [
  'schema_version: 1',
  'test_command: npm test',
  'timeout_seconds: 600',
  'release_governor:',
  '  enabled: true',
  '  max_deploys_per_hour: 2',
  '',
].join('\n');

describe('explainLoadedConfig: the other services', () => {
  test('each block in force key by key, a null block as one value, an absent one not at all', () => {
    const text = `${FILE_TEXT}security:\n  fail_severity: critical\nmemory:\nreviewer: {}\n`;
    const explained = explainLoadedConfig(parse(text, { MEMORY_RETENTION_DAYS: '7', REVIEWER_ENABLED: 'on' }));
    expect(explained.values['security.fail_severity']).toEqual({ value: 'critical', origin: '.booty.yml:8:3' });
    expect(explained.values['security.secret_scanner']).toEqual({ value: 'gitleaks', origin: 'default' });
    expect(explained.values['memory']).toEqual({ value: null, origin: '.booty.yml:9:1' });
    expect(explained.values['reviewer.enabled']).toEqual({ value: true, origin: 'REVIEWER_ENABLED' });
    expect(
      Object.keys(explained.values).filter((key) => key.startsWith('planner') || key.startsWith('architect')),
    ).toEqual([]);
    expect(explained.overrides).toEqual(['REVIEWER_ENABLED']);
    expect(explained.ignoredVariables).toEqual(['MEMORY_RETENTION_DAYS']);
    const keys = Object.keys(explained.values);
    expect(keys.indexOf('release_governor.enabled')).toBeLessThan(keys.indexOf('security.enabled'));
    expect(keys.indexOf('security.secret_scan_exclude')).toBeLessThan(keys.indexOf('memory'));
  });
});

describe('explainLoadedConfig', () => {
  test('every effective value with its origin: file position, variable, or default', () => {
    const explained = explainLoadedConfig(
      parse(FILE_TEXT, { RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR: '4', RELEASE_GOVERNOR_COOLDOWN_MINUTES: '45' }),
    );
    expect(explained.values['test_command']).toEqual({ value: 'npm test', origin: '.booty.yml:2:1' });
    expect(explained.values['timeout_seconds']).toEqual({ value: 600, origin: '.booty.yml:3:1' });
    expect(explained.values['max_retries']).toEqual({ value: 3, origin: 'default' });
    expect(explained.values['release_governor.enabled']).toEqual({ value: true, origin: '.booty.yml:5:3' });
    expect(explained.values['release_governor.max_deploys_per_hour']).toEqual({
      value: 4,
      origin: 'RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR',
    });
    expect(explained.values['release_governor.cooldown_minutes']).toEqual({
      value: 45,
      origin: 'RELEASE_GOVERNOR_COOLDOWN_MINUTES',
    });
    expect(explained.values['release_governor.approval_mode']).toEqual({ value: 'environment', origin: 'default' });
    expect(explained.releaseGovernor?.['max_deploys_per_hour']).toBe(
      explained.values['release_governor.max_deploys_per_hour'],
    );
    expect(explained.overrides).toEqual(['RELEASE_GOVERNOR_COOLDOWN_MINUTES', 'RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR']);
    expect(explained.values).not.toHaveProperty('release_governor');
  });

  test('every key of the config and of the block is there, none twice', () => {
    const loaded = parse(FILE_TEXT);
    const explained = explainLoadedConfig(loaded);
    const configKeys = Object.keys(loaded.config ?? {}).filter((key) => key !== 'release_governor');
    const blockKeys = Object.keys(loaded.releaseGovernor.settings ?? {}).map((key) => `release_governor.${key}`);
    expect(Object.keys(explained.values).sort()).toEqual([...configKeys, ...blockKeys].sort());
  });

  test('ignored variables: unknown names and overrides with no block to apply to', () => {
    const explained = explainLoadedConfig(
      parse('schema_version: 1\ntest_command: x\n', {
        RELEASE_GOVERNOR_COOLDOWN_MINUTES: '5',
        RELEASE_GOVERNOR_ENABLD: '1',
      }),
    );
    expect(explained.ignoredVariables.sort()).toEqual(['RELEASE_GOVERNOR_COOLDOWN_MINUTES', 'RELEASE_GOVERNOR_ENABLD']);
    expect(explained.releaseGovernor).toBeNull();
    expect(explained.overrides).toEqual([]);
  });

  test('a null block shows as one value from the file', () => {
    expect(
      explainLoadedConfig(parse('schema_version: 1\ntest_command: x\nrelease_governor:\n')).values['release_governor'],
    ).toEqual({
      value: null,
      origin: '.booty.yml:3:1',
    });
  });

  test('a v0 file: its keys, and schema_version from the default', () => {
    const explained = explainLoadedConfig(parse('test_command: make check\n'));
    expect(explained.values['schema_version']).toEqual({ value: 0, origin: 'default' });
    expect(explained.values['timeout']).toEqual({ value: 300, origin: 'default' });
    expect(explained.values['test_command']).toEqual({ value: 'make check', origin: '.booty.yml:1:1' });
  });

  test('a value written through an alias has the position of the key that uses it', () => {
    const explained = explainLoadedConfig(
      parse('schema_version: 1\ntest_command: x\nallowed_paths: &p [a]\nforbidden_paths: *p\n'),
    );
    expect(explained.values['forbidden_paths']).toEqual({ value: ['a'], origin: '.booty.yml:4:1' });
  });
});

describe('explainBootyConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'booty-config-explain-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('reads the workspace: the file name as the workspace shows it', async () => {
    await fs.writeFile(path.join(dir, '.booty.yml'), FILE_TEXT);
    const explained = await explainBootyConfig(dir, { env: { RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR: '4' } });
    expect(explained.path).toBe(path.join(dir, '.booty.yml'));
    expect(explained.values['release_governor.max_deploys_per_hour']).toEqual({
      value: 4,
      origin: 'RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR',
    });
    expect(explained.values['release_governor.enabled']?.origin).toBe('.booty.yml:5:3');
  });

  test('no file: no values, and the ignored variables are still listed', async () => {
    const explained = await explainBootyConfig(dir, { env: { RELEASE_GOVERNOR_ENABLED: '1' } });
    expect(explained).toMatchObject({
      path: null,
      values: {},
      releaseGovernor: null,
      ignoredVariables: ['RELEASE_GOVERNOR_ENABLED'],
    });
  });
});
