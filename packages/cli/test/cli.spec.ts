import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, booty, cleanEnv, expectNoStackTrace, workspace } from './booty';

const { version } = JSON.parse(readFileSync(path.join(__dirname, '../package.json'), 'utf8')) as { version: string };
const V1 = 'schema_version: 1\ntest_command: npm test\n';

describe('booty (the program)', () => {
  test('--version prints the package version', async () => {
    const result = await booty(['--version']);
    expect(result).toMatchObject({ status: 0, stdout: `${version}\n` });
  });

  test('--help lists every command', async () => {
    const result = await booty(['--help']);
    expect(result.status).toBe(0);
    for (const command of ['booty config validate', 'booty governor status', 'booty verifier run']) {
      expect(result.stdout).toContain(command);
    }
  });

  test('a command --help shows its details and examples', async () => {
    const result = await booty(['governor', 'status', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--state-dir');
    expect(result.stdout).toContain('Exit status');
  });

  test('a reader that closes the pipe early ends booty quietly, not with a crash', () => {
    // `true` exits before booty writes, so booty's first write meets a closed pipe (EPIPE).
    const script = `"${process.execPath}" "${BIN}" --help | true; echo "booty exited $\{PIPESTATUS[0]}" >&2`;
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 20_000 });
    expect(result.stderr).toBe('booty exited 0\n');
  });

  test.each([
    [['nonsense']],
    [['config', 'validate', '--no-such-flag']],
    [['governor', 'status', '--state-dir']],
    [['config']],
  ])('usage error %j exits 2 with a message on stderr', async (args) => {
    const result = await booty(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stderr).toContain('booty --help');
    expectNoStackTrace(result);
  });
});

describe('booty config validate', () => {
  test('a workspace without .booty.yml is valid: no configuration', async () => {
    const dir = workspace();
    const human = await booty(['config', 'validate', '--workspace', dir]);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain('no .booty.yml');
    const json = await booty(['config', 'validate', '--workspace', dir, '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: true,
      path: null,
      schemaVersion: null,
      releaseGovernor: { state: 'no-config', enabled: false },
      warnings: [],
    });
  });

  test('--json of a valid file is the documented object', async () => {
    const dir = workspace({ '.booty.yml': `${V1}release_governor:\n  cooldown_minutes: 5\n` });
    const result = await booty(['config', 'validate', '--json'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      path: path.join(dir, '.booty.yml'),
      schemaVersion: 1,
      releaseGovernor: { state: 'enabled', enabled: true },
      warnings: [],
    });
  });

  test('a bad RELEASE_GOVERNOR_* value is exit 2 naming the variable and what it accepts', async () => {
    const dir = workspace({ '.booty.yml': `${V1}release_governor:\n  enabled: true\n` });
    const result = await booty(['config', 'validate'], { cwd: dir, env: cleanEnv({ RELEASE_GOVERNOR_COOLDOWN_MINUTES: 'abc' }) });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^RELEASE_GOVERNOR_COOLDOWN_MINUTES {2}release_governor\.cooldown_minutes {2}.+/m);
    expect(result.stderr).toContain('CONFIG_ENV');
    expectNoStackTrace(result);
  });

  test('an unknown RELEASE_GOVERNOR_* name is a warning with the closest name, still exit 0', async () => {
    const dir = workspace({ '.booty.yml': `${V1}release_governor:\n  enabled: true\n` });
    const result = await booty(['config', 'validate'], { cwd: dir, env: cleanEnv({ RELEASE_GOVERNOR_COOLDOWN_MINUTE: '5' }) });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^warning: .*RELEASE_GOVERNOR_COOLDOWN_MINUTE\b.*RELEASE_GOVERNOR_COOLDOWN_MINUTES/m);
  });

  test('a file over 1 MiB is refused before parsing', async () => {
    const dir = workspace({ '.booty.yml': `${V1}# ${'x'.repeat(1024 * 1024)}\n` });
    const result = await booty(['config', 'validate', '--json'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout).error.code).toBe('CONFIG_TOO_LARGE');
  });

  test('a .booty.yml that is a directory is a clear error, not a crash', async () => {
    const dir = workspace({ '.booty.yml/inner': 'x' });
    const result = await booty(['config', 'validate'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('.booty.yml');
    expectNoStackTrace(result);
  });

  test('NO_COLOR and pipes get plain text', async () => {
    const dir = workspace({ '.booty.yml': 'schema_version: 1\n' });
    const result = await booty(['config', 'validate'], { cwd: dir });
    expect(result.stderr).not.toContain('\u001b[');
  });
});
