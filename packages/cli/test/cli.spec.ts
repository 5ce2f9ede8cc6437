import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  BIN,
  booty,
  bootyByNode,
  bootyCommand,
  bootyInTerminal,
  cleanEnv,
  expectNoStackTrace,
  shell,
  tempDir,
  workspace,
} from './booty';

const { version } = JSON.parse(readFileSync(path.join(__dirname, '../package.json'), 'utf8')) as { version: string };
const V1 = 'schema_version: 1\ntest_command: npm test\n';
const SERVICES = ['release_governor', 'security', 'memory', 'planner', 'architect', 'reviewer'];

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
    const script = `"${BIN}" --help | true; echo "booty exited $\{PIPESTATUS[0]}" >&2`;
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 20_000, env: cleanEnv() });
    expect(result.stderr).toBe('booty exited 0\n');
  });

  test("started by Node itself, a missing --dotenv file is still booty's to report", async () => {
    const result = await bootyByNode(['config', 'validate', '--dotenv', '/nonexistent/booty.env']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--dotenv /nonexistent/booty.env does not exist');
  });

  test("--env-file, Node's own option name, is refused with the name of booty's", async () => {
    const dir = workspace({ '.booty.yml': 'schema_version: 1\ntest_command: npm test\n', 'booty.env': 'X=1\n' });
    const result = await booty(['config', 'validate', '--env-file', 'booty.env'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--env-file is Node's own option name; booty reads a .env file with --dotenv FILE");
    expectNoStackTrace(result);
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
      services: Object.fromEntries(SERVICES.map((name) => [name, { state: 'no-config', enabled: false }])),
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
      services: {
        ...Object.fromEntries(SERVICES.map((name) => [name, { state: 'absent', enabled: false }])),
        release_governor: { state: 'enabled', enabled: true },
      },
      warnings: [],
    });
  });

  test('a bad RELEASE_GOVERNOR_* value is exit 2 naming the variable and what it accepts', async () => {
    const dir = workspace({ '.booty.yml': `${V1}release_governor:\n  enabled: true\n` });
    const result = await booty(['config', 'validate'], {
      cwd: dir,
      env: cleanEnv({ RELEASE_GOVERNOR_COOLDOWN_MINUTES: 'abc' }),
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^RELEASE_GOVERNOR_COOLDOWN_MINUTES {2}release_governor\.cooldown_minutes {2}.+/m);
    expect(result.stderr).toContain('CONFIG_ENV');
    expectNoStackTrace(result);
  });

  test('an unknown RELEASE_GOVERNOR_* name is a warning with the closest name, still exit 0', async () => {
    const dir = workspace({ '.booty.yml': `${V1}release_governor:\n  enabled: true\n` });
    const result = await booty(['config', 'validate'], {
      cwd: dir,
      env: cleanEnv({ RELEASE_GOVERNOR_COOLDOWN_MINUTE: '5' }),
    });
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
});

describe('colour: only for a person at a terminal', () => {
  const ESC = '\u001b[';
  const valid = () => workspace({ '.booty.yml': 'schema_version: 1\ntest_command: npm test\n' });

  test('a terminal gets colour (the control for the cases below)', async () => {
    const result = await bootyInTerminal(['config', 'validate'], {
      cwd: valid(),
      env: cleanEnv({ TERM: 'xterm-256color' }),
    });
    expect(result.stdout).toContain(`${ESC}1mvalid${ESC}22m`);
    const help = await bootyInTerminal(['--help'], { env: cleanEnv({ TERM: 'xterm-256color' }) });
    expect(help.stdout).toContain(ESC);
  });

  test('NO_COLOR at a terminal gets plain text', async () => {
    for (const args of [['config', 'validate'], ['--help'], []]) {
      const result = await bootyInTerminal(args, {
        cwd: valid(),
        env: cleanEnv({ TERM: 'xterm-256color', NO_COLOR: '1' }),
      });
      expect({ args, output: result.stdout }).toEqual({ args, output: expect.not.stringContaining(ESC) });
      expect(result.stdout).toMatch(/valid|booty/);
    }
  });

  test('a pipe gets plain text even with TERM set', async () => {
    for (const args of [
      ['config', 'validate'],
      ['--help'],
      [],
      ['config', 'validate', '--no-such-flag'],
      ['help', 'verifier', 'run'],
    ]) {
      const result = await booty(args, { cwd: valid(), env: cleanEnv({ TERM: 'xterm-256color' }) });
      expect({ args, output: `${result.stdout}${result.stderr}` }).toEqual({
        args,
        output: expect.not.stringContaining(ESC),
      });
    }
  });

  test('FORCE_COLOR forces colour into a pipe; NO_COLOR still wins', async () => {
    const forced = await booty(['config', 'validate'], { cwd: valid(), env: cleanEnv({ FORCE_COLOR: '1' }) });
    expect(forced.stdout).toContain(`${ESC}1mvalid`);
    const both = await booty(['config', 'validate'], {
      cwd: valid(),
      env: cleanEnv({ FORCE_COLOR: '1', NO_COLOR: '1' }),
    });
    expect(both.stdout).not.toContain(ESC);
  });
});

describe('help as people type it', () => {
  const commandsIn = (help: string) =>
    [...help.matchAll(/^ {2}booty ((?:[a-z]+ ?)+?)(?= \[|$| <)/gm)].map((match) =>
      (match[1] as string).trim().split(' '),
    );

  test('`booty help` is `booty --help`, exit 0', async () => {
    const [help, flag] = await Promise.all([booty(['help']), booty(['--help'])]);
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(flag.stdout);
  });

  test('`booty help COMMAND` is `booty COMMAND --help`; an unknown one is exit 2', async () => {
    const [help, flag] = await Promise.all([
      booty(['help', 'governor', 'status']),
      booty(['governor', 'status', '--help']),
    ]);
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(flag.stdout);
    expect(help.stdout).toContain('--state-dir');
    const group = await booty(['help', 'config']);
    expect(group.status).toBe(0);
    expect(group.stdout).toMatch(/^ {2}booty config validate\b/m);
    const unknown = await booty(['help', 'nonsense']);
    expect(unknown).toMatchObject({ status: 2, stdout: '' });
    expect(unknown.stderr).toContain('booty nonsense');
  });

  test('option values have names, never #0', async () => {
    const help = await booty(['--help']);
    expect(help.stdout).toContain('[--workspace,-w DIR]');
    expect(help.stdout).toContain('[--dotenv FILE]');
    expect(help.stdout).not.toContain('#0');
    const commands = commandsIn(help.stdout).filter((words) => words[0] !== 'help');
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const words of commands) {
      const detail = await booty([...words, '--help']);
      expect({ words, placeholder: detail.stdout.includes('#0') }).toEqual({ words, placeholder: false });
    }
    const usage = await booty(['nonsense']);
    expect(usage.stderr).not.toContain('#0');
  });

  test('every command has a description and a real example of itself', async () => {
    const help = await booty(['--help']);
    const commands = commandsIn(help.stdout);
    for (const words of commands) {
      const detail = await booty([...words, '--help']);
      expect(detail.status).toBe(0);
      const [description] = detail.stdout.split('\n');
      expect({ words, description }).toEqual({ words, description: expect.stringMatching(/^[A-Z].{10,}/) });
      expect({
        words,
        example: detail.stdout.includes(`Examples`) && detail.stdout.includes(`$ booty ${words.join(' ')}`),
      }).toEqual({ words, example: true });
    }
  });
});

describe('empty path options are usage errors', () => {
  test.each([
    [['config', 'validate', '--workspace', '']],
    [['config', 'validate', '-w', '']],
    [['config', 'validate', '--workspace=']],
    [['governor', 'status', '--workspace', '']],
    [['governor', 'status', '--state-dir', '']],
    [['config', 'validate', '--dotenv', '']],
    [['verifier', 'run', '--dotenv', '']],
  ])('%j exits 2 naming the option', async (args) => {
    const dir = workspace({
      '.booty.yml': 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n',
    });
    const env = cleanEnv();
    const result = await booty(args, { cwd: dir, env });
    expect(result.status).toBe(2);
    const option = args.find(
      (arg) => arg.startsWith('-') && (args[args.indexOf(arg) + 1] === '' || arg.endsWith('=')),
    ) as string;
    expect(result.stderr).toContain(`Invalid value for ${option.replace(/=$/, '')}: is empty`);
    expectNoStackTrace(result);
    // Nothing was created: no state directory in the account's home.
    expect(readdirOrEmpty(env['HOME'] as string)).toEqual([]);
  });
});

function readdirOrEmpty(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe('outside text is escaped in every output', () => {
  test('an escape sequence in a variable name reaches the terminal escaped', async () => {
    const dir = workspace({
      '.booty.yml': 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n',
    });
    const result = await bootyByNode(['config', 'validate'], {
      cwd: dir,
      env: cleanEnv({ 'RELEASE_GOVERNOR_\u001b[2KX': '1' }),
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('RELEASE_GOVERNOR_\\e[2KX');
    expect(result.stderr).not.toContain('\u001b');
  });

  test('--json escapes C1, bidi and invisible characters as \\uXXXX and stays valid JSON', async () => {
    const key = 'a\u202eb\u0085c\u200bd';
    const dir = workspace({ '.booty.yml': `schema_version: 1\ntest_command: npm test\n"${key}": 1\n` });
    const result = await booty(['config', 'validate', '--json'], { cwd: dir });
    expect(result.status).toBe(2);
    for (const char of ['\u202e', '\u0085', '\u200b']) expect(result.stdout).not.toContain(char);
    const report = JSON.parse(result.stdout) as { ok: boolean; error: { code: string } };
    expect(report).toMatchObject({ ok: false, error: { code: 'CONFIG_SCHEMA' } });
    // Ordinary text beyond ASCII is kept as it is.
    const accents = workspace({ '.booty.yml': 'schema_version: 1\ntest_command: echo café 日本\n"clé": 1\n' });
    expect((await booty(['config', 'validate', '--json'], { cwd: accents })).stdout).toContain('clé');
  });

  test('a path from the command line is escaped in text and in --json', async () => {
    // eslint-disable-next-line no-control-regex
    const RAW = /[\u001b\u202e]/;
    // A directory name holding an erase-line sequence and a right-to-left override.
    const dir = path.join(tempDir(), 'ws\u001b[2K\u202eevil');
    mkdirSync(dir);
    writeFileSync(path.join(dir, '.booty.yml'), 'schema_version: 1\ntest_command: npm test\n');
    const human = await booty(['config', 'validate', '--workspace', dir]);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain('ws\\e[2K\\u{202e}evil');
    expect(human.stdout).not.toMatch(RAW);
    const json = await booty(['config', 'validate', '--json', '--workspace', dir]);
    expect(json.stdout).not.toMatch(RAW);
    expect(json.stdout).toContain('\\u202e');
    expect(JSON.parse(json.stdout).path).toBe(path.join(dir, '.booty.yml'));
  });

  test('the verifier shows each command escaped', async () => {
    const dir = workspace({ '.booty.yml': 'schema_version: 1\ntest_command: "true \u202e# gnol"\n' });
    const result = await booty(['verifier', 'run'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('booty: test_command: true \\u{202e}# gnol');
    expect(result.stderr).not.toContain('\u202e');
  });

  test('a bad command-line argument is echoed escaped', async () => {
    const result = await booty(['\u001b[2Kfake', '--x']);
    expect(result.status).toBe(2);
    expect(result.stderr).not.toContain('\u001b');
  });
});

describe("--json errors carry the error's details", () => {
  test('a state error: code, message, path and details', async () => {
    const dir = workspace({
      '.booty.yml': 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n',
    });
    const state = path.join(tempDir(), 'state');
    mkdirSync(state, { mode: 0o700 });
    writeFileSync(path.join(state, 'release.json'), '{"production_sha_current": ');
    const result = await booty(['governor', 'status', '--json', '--state-dir', state], { cwd: dir });
    expect(result.status).toBe(1);
    const { error } = JSON.parse(result.stdout) as {
      error: { code: string; path: string; message: string; details: { reason: string } };
    };
    expect(error).toMatchObject({
      code: 'STATE_CORRUPT',
      path: path.join(state, 'release.json'),
      details: { reason: expect.any(String) },
    });
  });
});

describe('a closed pipe', () => {
  test('never changes the exit status of a failing command', async () => {
    // `true` exits at once; booty's error output meets a closed pipe and it still exits 2.
    const result = await shell(
      `${bootyCommand(['config', 'validate', '--workspace', '/nonexistent/booty'])} 2>&1 | true; echo "booty exited $\{PIPESTATUS[0]}"`,
    );
    expect(result.stdout).toBe('booty exited 2\n');
  });
});
