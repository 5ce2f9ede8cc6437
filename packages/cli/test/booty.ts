// Test helpers: run the built `booty` binary as a child process against real temp directories.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const BIN = path.resolve(__dirname, '../bin/booty.js');

export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const created: string[] = [];

// Every directory a test file made is removed when that file's tests are done.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory of this test file's own. */
export function tempDir(prefix = 'booty-cli-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** A temp workspace holding the given files (relative path -> contents). */
export function workspace(files: Record<string, string | Uint8Array> = {}): string {
  const dir = tempDir('booty-ws-');
  for (const [name, contents] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), contents);
  }
  return dir;
}

/** The environment the tests run booty in: no inherited RELEASE_GOVERNOR_*, a private HOME. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('RELEASE_GOVERNOR_') && key !== 'NO_COLOR' && key !== 'FORCE_COLOR') env[key] = value;
  }
  env['HOME'] = tempDir('booty-home-');
  return withThisNode({ ...env, ...extra });
}

/** `env` with this test run's Node first on PATH: bin/booty.js's `#!/usr/bin/env node` takes `node` from PATH. */
export function withThisNode(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const dir = path.dirname(process.execPath);
  return env['PATH']?.split(':')[0] === dir ? env : { ...env, PATH: `${dir}${env['PATH'] ? `:${env['PATH']}` : ''}` };
}

/**
 * Runs `file args...` with piped output; a run still going after `timeoutMs` is killed and
 * rejects, so a hang fails its test instead of stalling the suite.
 */
export function runProcess(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      const command = [file, ...args].join(' ').slice(0, 300);
      const output = `stdout: ${stdout.slice(0, 2000)}\nstderr: ${stderr.slice(0, 2000)}`;
      reject(new Error(`hang: ${command} did not finish within ${options.timeoutMs} ms\n${output}`));
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/**
 * Runs `booty args...` in a temp directory with a clean environment, as people run it: the
 * built bin/booty.js executed through its `#!` line.
 */
export function booty(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return runProcess(BIN, args, {
    cwd: options.cwd ?? tempDir(),
    env: withThisNode(options.env ?? cleanEnv()),
    timeoutMs: options.timeoutMs ?? 20_000,
  });
}

/** Runs booty with this test run's Node directly (`node bin/booty.js`), not through its `#!` line. */
export function bootyByNode(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return runProcess(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? tempDir(),
    env: options.env ?? cleanEnv(),
    timeoutMs: options.timeoutMs ?? 20_000,
  });
}

/** No output of a user error may look like a crash. */
export function expectNoStackTrace(result: RunResult): void {
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  expect(result.stdout).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
}

/** Runs a bash script (a pipeline, a pseudo-terminal); bounded like every run here. */
export function shell(
  script: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return runProcess('bash', ['-c', script], {
    cwd: options.cwd ?? tempDir(),
    env: options.env ?? cleanEnv(),
    timeoutMs: options.timeoutMs ?? 20_000,
  });
}

/** A shell word for `value` (single-quoted). */
export function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The built booty as a shell command line with `args`. */
export function bootyCommand(args: readonly string[]): string {
  return [BIN, ...args].map(quote).join(' ');
}

/**
 * Runs booty under a pseudo-terminal (util-linux `script`), so its stdout and stderr are a TTY
 * as at a person's terminal; what the terminal showed comes back in stdout.
 */
export function bootyInTerminal(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return shell(`script -qec ${quote(bootyCommand(args))} /dev/null`, options);
}

/** Waits (bounded) until `pid` is gone or a zombie; resolves to whether it is still running. */
export async function stillRunningAfterWait(pid: number, waitMs = 5_000): Promise<boolean> {
  const running = () => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  const until = Date.now() + waitMs;
  while (running() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
  return running();
}
