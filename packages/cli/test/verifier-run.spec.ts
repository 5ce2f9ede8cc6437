import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { BIN, booty, cleanEnv, workspace } from './booty';

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
      '.booty.yml': config({ setup: 'echo setup >> log', install: 'echo install >> log', test: 'echo test >> log && pwd > where' }),
    });
    const result = await booty(['verifier', 'run', '--workspace', dir]);
    expect(result.status).toBe(0);
    expect(readFileSync(path.join(dir, 'log'), 'utf8')).toBe('setup\ninstall\ntest\n');
    expect(readFileSync(path.join(dir, 'where'), 'utf8').trim()).toBe(dir);
    expect(result.stderr).toMatch(/verification passed \(3 steps/);
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
    for (const marker of ['set-up', 'installed', 'tested']) expect(existsSync(path.join(dir, marker))).toBe(ran.includes(marker as never));
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
      'slow.sh': 'echo $$ > shell.pid\nsh -c \'echo $$ > child.pid; exec sleep 300\' &\nwait\n',
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
    const dir = workspace({ '.booty.yml': config({ test: 'echo first; while [ ! -f go ]; do sleep 0.05; done; echo second' }) });
    const child = spawn(process.execPath, [BIN, 'verifier', 'run'], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
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

  test('no .booty.yml is exit 2: there is nothing to verify with', async () => {
    const result = await booty(['verifier', 'run', '--workspace', workspace()]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no .booty.yml');
  });
});
