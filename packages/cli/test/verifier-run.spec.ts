import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { BIN, booty, bootyCommand, cleanEnv, shell, stillRunningAfterWait, tempDir, workspace } from './booty';

function config(steps: { setup?: string; install?: string; test: string; timeout?: number }): string {
  const lines = ['schema_version: 1', `test_command: ${JSON.stringify(steps.test)}`];
  if (steps.setup) lines.push(`setup_command: ${JSON.stringify(steps.setup)}`);
  if (steps.install) lines.push(`install_command: ${JSON.stringify(steps.install)}`);
  if (steps.timeout) lines.push(`timeout_seconds: ${steps.timeout}`);
  return `${lines.join('\n')}\n`;
}

/** Running, as opposed to gone or a zombie (dead, waiting for an init that may never reap it). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

describe('booty verifier run', () => {
  test('runs setup, install and test in order in the workspace and exits 0', async () => {
    const dir = workspace({
      '.booty.yml': config({
        setup: 'echo setup >> log',
        install: 'echo install >> log',
        test: 'echo test >> log && pwd > where',
      }),
    });
    const result = await booty(['verifier', 'run', '--workspace', dir]);
    expect(result.status).toBe(0);
    expect(readFileSync(path.join(dir, 'log'), 'utf8')).toBe('setup\ninstall\ntest\n');
    expect(readFileSync(path.join(dir, 'where'), 'utf8').trim()).toBe(dir);
    expect(result.stderr).toMatch(/verification passed \(3 steps/);
  });

  test('one step passed is "1 step"', async () => {
    const result = await booty([
      'verifier',
      'run',
      '--workspace',
      workspace({ '.booty.yml': config({ test: 'true' }) }),
    ]);
    expect(result.stderr).toMatch(/verification passed \(1 step, \d+\.\d s\)/);
  });

  test.each([
    ['setup_command', { setup: 'exit 3', install: 'touch installed', test: 'touch tested' }, 3, []],
    ['install_command', { setup: 'touch set-up', install: 'exit 4', test: 'touch tested' }, 4, ['set-up']],
    ['test_command', { setup: 'touch set-up', install: 'touch installed', test: 'exit 5' }, 5, ['installed', 'set-up']],
  ] as const)('a failing %s stops the run with its exit status', async (step, steps, status, ran) => {
    const dir = workspace({ '.booty.yml': config(steps) });
    const result = await booty(['verifier', 'run'], { cwd: dir });
    expect(result.status).toBe(status);
    expect(result.stderr).toContain(`verification failed: ${step} failed with exit status ${status}`);
    for (const marker of ['set-up', 'installed', 'tested'])
      expect(existsSync(path.join(dir, marker))).toBe(ran.includes(marker as never));
  });

  test('unset commands are skipped and said so', async () => {
    const dir = workspace({ '.booty.yml': config({ test: 'true' }) });
    const result = await booty(['verifier', 'run'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('setup_command not set; skipped');
    expect(result.stderr).toContain('install_command not set; skipped');
  });

  test('a schema_version 0 file runs its test_command', async () => {
    const dir = workspace({ '.booty.yml': 'test_command: echo v0 > ran\ntimeout: 30\n' });
    const result = await booty(['verifier', 'run'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(readFileSync(path.join(dir, 'ran'), 'utf8')).toBe('v0\n');
  });

  test('a test_command over timeout_seconds is stopped with its children, exit 124', async () => {
    // The command starts a grandchild that records its pid, then both sleep far past the limit.
    const dir = workspace({
      '.booty.yml': config({ test: 'sh slow.sh', timeout: 10 }),
      'slow.sh': "echo $$ > shell.pid\nsh -c 'echo $$ > child.pid; exec sleep 300' &\nwait\n",
    });
    const result = await booty(['verifier', 'run'], { cwd: dir, timeoutMs: 40_000 });
    expect(result.status).toBe(124);
    expect(result.stderr).toContain('test_command timed out after 10 s');
    for (const file of ['shell.pid', 'child.pid']) {
      const pid = Number(readFileSync(path.join(dir, file), 'utf8'));
      expect({ file, alive: isAlive(pid) }).toEqual({ file, alive: false });
    }
  }, 45_000);

  test('output streams while the command runs, in order', async () => {
    // The command prints, then waits for a file that the test creates only after it has seen
    // the first line: a buffering verifier would never show it, and the test would time out.
    const dir = workspace({
      '.booty.yml': config({ test: 'echo first; while [ ! -f go ]; do sleep 0.05; done; echo second' }),
    });
    const child = spawn(BIN, ['verifier', 'run'], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('first\n') && !existsSync(path.join(dir, 'go'))) {
          expect(stdout).not.toContain('second');
          writeFileSync(path.join(dir, 'go'), '');
        }
      });
      child.on('close', () => resolve());
    });
    expect(stdout).toBe('first\nsecond\n');
    expect(child.exitCode).toBe(0);
  });

  test('an invalid .booty.yml is exit 2 and runs nothing', async () => {
    const dir = workspace({ '.booty.yml': 'schema_version: 1\ntest_command: touch ran\nmax_retries: 0\n' });
    const result = await booty(['verifier', 'run'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^\.booty\.yml:3:14 {2}max_retries {2}/m);
    expect(existsSync(path.join(dir, 'ran'))).toBe(false);
  });

  test("another service's broken block is exit 2 too, and runs nothing: the whole file is verified", async () => {
    const yml = 'schema_version: 1\ntest_command: touch ran\nmemory:\n  retention_days: 0\n';
    const result = await booty(['verifier', 'run'], { cwd: workspace({ '.booty.yml': yml }) });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^\.booty\.yml:4:19 {2}memory\.retention_days {2}must be a whole number from 1/m);
  });

  test("--allow-newer-keys: a newer booty's key is a warning and the steps run; a misspelt one is exit 2", async () => {
    const newer = workspace({ '.booty.yml': 'schema_version: 1\ntest_command: touch ran\nnotifier:\n  channel: x\n' });
    const strict = await booty(['verifier', 'run'], { cwd: newer });
    expect(strict.status).toBe(2);
    expect(strict.stderr).toContain('skips it with `--allow-newer-keys`');
    expect(existsSync(path.join(newer, 'ran'))).toBe(false);

    const relaxed = await booty(['verifier', 'run', '--allow-newer-keys'], { cwd: newer });
    expect(relaxed.status).toBe(0);
    expect(relaxed.stderr).toMatch(/^warning: \.booty\.yml:3:1 {2}notifier {2}`notifier` at the top level is not/m);
    expect(existsSync(path.join(newer, 'ran'))).toBe(true);

    const typo = workspace({ '.booty.yml': 'schema_version: 1\ntest_command: touch ran\nsecurty: {}\n' });
    const refused = await booty(['verifier', 'run', '--allow-newer-keys'], { cwd: typo });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('did you mean `security`?');
    expect(existsSync(path.join(typo, 'ran'))).toBe(false);
  });

  test('no .booty.yml is exit 2: there is nothing to verify with', async () => {
    const result = await booty(['verifier', 'run', '--workspace', workspace()]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no .booty.yml');
  });
});

/** Shell steps: start a grandchild that records its pid and sleeps; wait until it has recorded it. */
const START_GRANDCHILD = "sh -c 'echo $$ > grandchild.pid; exec sleep 300' &";
const AWAIT_GRANDCHILD = 'while [ ! -s grandchild.pid ]; do sleep 0.01; done';
/** A test_command that starts a grandchild recording its pid, records its own, then waits. */
const LONG_TEST = `${START_GRANDCHILD} echo $$ > shell.pid; ${AWAIT_GRANDCHILD}; wait`;

/** `child`'s exit; a child still running after `ms` is killed (with its group) and the wait rejects. */
function exitOf(
  child: ReturnType<typeof spawn>,
  ms = 30_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hang: booty did not exit within ${ms} ms`));
    }, ms);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/** Resolves once `file` in `dir` holds something (bounded: a run that never gets there fails). */
async function waitForFile(dir: string, file: string): Promise<number> {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const text = existsSync(path.join(dir, file)) ? readFileSync(path.join(dir, file), 'utf8').trim() : '';
    if (text !== '') return Number(text);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${file} was never written in ${dir}`);
}

describe('booty verifier run, whatever happens around it', () => {
  test('a reader that closes the pipe early changes nothing: the test status, and no child is left', async () => {
    // `head -1` exits after booty's first line. The test command keeps writing until its own
    // writes fail (the pipe is gone), then fails with 7; booty must wait for it and exit 7.
    const dir = workspace({
      '.booty.yml': config({
        test: `${START_GRANDCHILD} ${AWAIT_GRANDCHILD}; trap "" PIPE; while echo tick 2>/dev/null; do sleep 0.02; done; exit 7`,
      }),
    });
    const result = await shell(
      `${bootyCommand(['verifier', 'run', '--workspace', dir])} 2>&1 | head -1; echo "booty exited $\{PIPESTATUS[0]}"`,
      { timeoutMs: 30_000 },
    );
    expect(result.stdout).toBe('booty: setup_command not set; skipped\nbooty exited 7\n');
    // booty kills what the step left behind before it exits.
    expect(await stillRunningAfterWait(Number(readFileSync(path.join(dir, 'grandchild.pid'), 'utf8')))).toBe(false);
  }, 40_000);

  test.each([
    ['SIGHUP', 129],
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGQUIT', 131],
  ] as const)(
    '%s stops the whole process group and exits %i with one line saying so',
    async (signal, status) => {
      const dir = workspace({ '.booty.yml': config({ test: LONG_TEST }) });
      const child = spawn(BIN, ['verifier', 'run'], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.stdout.resume();
      const exited = exitOf(child);
      try {
        const grandchild = await waitForFile(dir, 'grandchild.pid');
        const shellPid = await waitForFile(dir, 'shell.pid');
        child.kill(signal);
        expect(await exited).toEqual({ code: status, signal: null });
        expect(stderr.trimEnd().split('\n').pop()).toBe(
          `booty: stopped by ${signal}; test_command's process group was terminated`,
        );
        expect(stderr).not.toContain('failed');
        for (const [name, pid] of [
          ['shell', shellPid],
          ['grandchild', grandchild],
        ] as const) {
          expect({ name, running: await stillRunningAfterWait(pid) }).toEqual({ name, running: false });
        }
      } finally {
        child.kill('SIGKILL');
      }
    },
    40_000,
  );

  test('--workspace "" is a usage error, and nothing runs', async () => {
    const dir = workspace({ '.booty.yml': config({ test: 'touch ran' }) });
    const result = await booty(['verifier', 'run', '--workspace', ''], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--workspace');
    expect(existsSync(path.join(dir, 'ran'))).toBe(false);
  });

  test.each([
    ['a NUL', 'touch ran\u0000'],
    ['an escape sequence', 'touch ran\u001b[2K'],
    ['a carriage return', 'touch ran\rnothing'],
  ])('a command with %s is a configuration error before anything runs, never a crash', async (_what, command) => {
    const dir = workspace({ '.booty.yml': config({ setup: 'touch set-up', test: command }) });
    const result = await booty(['verifier', 'run'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('CONFIG_SCHEMA');
    expect(result.stderr).toMatch(/test_command/);
    expect(result.stderr).not.toContain('This is a bug');
    expect(result.stderr).not.toContain('\u001b[2K');
    expect(existsSync(path.join(dir, 'set-up'))).toBe(false);
    expect(existsSync(path.join(dir, 'ran'))).toBe(false);
  });
});

/** The program `pid` runs now (with `#!/usr/bin/env node`, env first, then Node). */
function programOf(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}

/** Resolves once Node, as `pid`, catches `signal` (its handler is installed: /proc/PID/status SigCgt). */
async function catches(pid: number, signal: number): Promise<void> {
  const node = realpathSync(process.execPath);
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const status =
      programOf(pid) === node && existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    if (mask !== undefined && (BigInt(`0x${mask}`) >> BigInt(signal - 1)) & 1n) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`process ${pid} never caught signal ${signal}`);
}

describe('booty stopped while no child runs', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)(
    '%s exits %i with one line, at once',
    async (signal, status) => {
      // A held, fresh lock on release.json keeps `governor status` waiting (no child process),
      // long enough to be stopped there.
      const dir = workspace({
        '.booty.yml': 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n',
      });
      const state = path.join(tempDir(), 'state');
      mkdirSync(state);
      chmodSync(state, 0o700);
      writeFileSync(path.join(state, 'release.json.lock'), `{"pid": ${process.pid}}`);
      const child = spawn(BIN, ['governor', 'status', '--state-dir', state], {
        cwd: dir,
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.stdout.resume();
      const exited = exitOf(child);
      try {
        // Node itself catches SIGINT and SIGTERM from its start; booty's handlers are in once SIGQUIT
        // (the last it installs) is caught too.
        await catches(child.pid as number, 3);
        child.kill(signal);
        expect(await exited).toEqual({ code: status, signal: null });
        expect(stderr).toBe(`booty: stopped by ${signal}\n`);
      } finally {
        child.kill('SIGKILL');
      }
    },
    40_000,
  );
});
