import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from './errors';
import { MAX_CONFIG_BYTES } from './limits';
import { loadBootyConfig } from './load';
import type { ConfigErrorCode } from './types';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'booty-config-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function loadError(code: ConfigErrorCode, workspace: string): Promise<ConfigError> {
  const error: unknown = await loadBootyConfig(workspace, { env: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).code).toBe(code);
  return error as ConfigError;
}

describe('loadBootyConfig', () => {
  it('loads <workspace>/.booty.yml and returns its absolute path', async () => {
    await fs.writeFile(path.join(dir, '.booty.yml'), 'schema_version: 1\ntest_command: npm test\n');
    const relative = path.relative(process.cwd(), dir);
    const result = await loadBootyConfig(relative, { env: {} });
    expect(result.path).toBe(path.join(dir, '.booty.yml'));
    expect(path.isAbsolute(result.path ?? '')).toBe(true);
    expect(result.config).toMatchObject({ schema_version: 1, test_command: 'npm test' });
  });

  it('returns "no configuration" for a workspace without .booty.yml, and creates nothing', async () => {
    const result = await loadBootyConfig(dir, { env: {} });
    expect(result).toEqual({
      path: null,
      config: null,
      releaseGovernor: {
        state: 'no-config',
        enabled: false,
        reason: `there is no ${path.join(dir, '.booty.yml')}`,
        settings: null,
        overriddenBy: [],
      },
      services: expect.objectContaining({
        security: expect.objectContaining({ state: 'no-config', enabled: false, settings: null }),
      }),
      origins: {},
      warnings: [],
    });
    expect(result.services.release_governor).toBe(result.releaseGovernor);
    expect(Object.keys(result.services)).toEqual([
      'release_governor',
      'security',
      'memory',
      'planner',
      'architect',
      'reviewer',
    ]);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('warns about overrides that cannot apply when there is no .booty.yml', async () => {
    const result = await loadBootyConfig(dir, {
      env: { RELEASE_GOVERNOR_ENABLED: 'true', RELEASE_GOVERNOR_ENABLD: '1' },
    });
    expect(result.warnings.map((w) => [w.code, w.variable])).toEqual([
      ['CONFIG_ENV_IGNORED', 'RELEASE_GOVERNOR_ENABLED'],
      ['CONFIG_ENV_UNKNOWN', 'RELEASE_GOVERNOR_ENABLD'],
    ]);
    expect(result.warnings[0]?.message).toContain(`there is no ${path.join(dir, '.booty.yml')}`);
  });

  it('reports errors with the absolute file path', async () => {
    await fs.writeFile(path.join(dir, '.booty.yml'), 'schema_version: 1\ntest_command: npm test\ntimeout_seconds: 1\n');
    const error = await loadError('CONFIG_SCHEMA', dir);
    expect(error.issues[0]).toMatchObject({ file: path.join(dir, '.booty.yml'), line: 3, column: 18 });
  });

  it('reads a file with a byte order mark', async () => {
    await fs.writeFile(
      path.join(dir, '.booty.yml'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('test_command: x\n')]),
    );
    expect((await loadBootyConfig(dir, { env: {} })).config).toMatchObject({ test_command: 'x' });
  });

  it('refuses invalid UTF-8 read from disk', async () => {
    await fs.writeFile(path.join(dir, '.booty.yml'), Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
    const error = await loadError('CONFIG_ENCODING', dir);
    expect(error.issues[0]).toMatchObject({ line: 1, column: 4 });
  });

  it('refuses a file over 1 MiB from its size, before reading it', async () => {
    const file = path.join(dir, '.booty.yml');
    await fs.writeFile(file, 'test_command: x\n');
    await fs.truncate(file, 64 * MAX_CONFIG_BYTES);
    const error = await loadError('CONFIG_TOO_LARGE', dir);
    expect(error.issues[0]?.message).toContain('67,108,864 bytes, over the 1 MiB limit');
  });

  it('refuses a directory named .booty.yml', async () => {
    await fs.mkdir(path.join(dir, '.booty.yml'));
    const error = await loadError('CONFIG_READ', dir);
    expect(error.issues).toEqual([
      {
        path: '',
        message:
          'it is a directory; .booty.yml must be a file; remove the directory, or run booty in the repository that holds the file',
        file: path.join(dir, '.booty.yml'),
        line: null,
        column: null,
      },
    ]);
  });

  it('follows a symbolic link to a file', async () => {
    await fs.writeFile(path.join(dir, 'real.yml'), 'test_command: linked\n');
    await fs.symlink(path.join(dir, 'real.yml'), path.join(dir, '.booty.yml'));
    expect((await loadBootyConfig(dir, { env: {} })).config).toMatchObject({ test_command: 'linked' });
  });

  it('refuses a dangling symbolic link instead of treating it as no configuration', async () => {
    await fs.symlink(path.join(dir, 'missing.yml'), path.join(dir, '.booty.yml'));
    const error = await loadError('CONFIG_READ', dir);
    expect(error.issues[0]?.message).toContain('symbolic link to a file that does not exist');
  });

  it('refuses a symbolic link loop', async () => {
    await fs.symlink(path.join(dir, '.booty.yml'), path.join(dir, '.booty.yml.tmp'));
    await fs.rename(path.join(dir, '.booty.yml.tmp'), path.join(dir, '.booty.yml'));
    const error = await loadError('CONFIG_READ', dir);
    expect(error.issues[0]?.message).toContain('too many levels of symbolic links');
  });

  it('refuses a workspace that does not exist instead of treating it as no configuration', async () => {
    const error = await loadError('CONFIG_READ', path.join(dir, 'nope'));
    expect(error.issues[0]?.message).toContain(`the workspace directory ${path.join(dir, 'nope')} does not exist`);
  });

  it('refuses a workspace that is a file', async () => {
    await fs.writeFile(path.join(dir, 'file'), 'x');
    const error = await loadError('CONFIG_READ', path.join(dir, 'file'));
    expect(error.issues[0]?.message).toContain('is not a directory');
  });

  it('writes nothing, whatever the outcome', async () => {
    await fs.writeFile(
      path.join(dir, '.booty.yml'),
      'schema_version: 1\ntest_command: x\nrelease_governor:\n  enabled: true\n',
    );
    await loadBootyConfig(dir, { env: {} });
    expect(await fs.readdir(dir)).toEqual(['.booty.yml']);
  });
});
