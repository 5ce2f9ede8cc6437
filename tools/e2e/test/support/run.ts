// Child processes for the e2e tests: real commands, output captured, and an environment that is
// the caller's minus everything an outer npm, Nx or GitHub Actions run would leak into it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** A safety net against a hung child, never an assertion: the process group is killed. */
  killAfterMs?: number;
}

export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so the safety net takes grandchildren down with it.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }, options.killAfterMs ?? 240_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Renders a result for an assertion message: the command's own words explain a failure best. */
export function describeRun(result: RunResult): string {
  return `exit ${result.code ?? result.signal}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

const LEAKY = [/^npm_/i, /^NX_/, /^GITHUB_/, /^RUNNER_/, /^ACTIONS_/, /^RELEASE_GOVERNOR_/, /^INIT_CWD$/, /^DEPLOY_/];

/** process.env without npm/Nx/Actions/Governor variables, plus the given ones. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!LEAKY.some((pattern) => pattern.test(key))) env[key] = value;
  }
  // Plain output to parse: Nx sets FORCE_COLOR for its tasks, and Node warns when both are set.
  delete env['FORCE_COLOR'];
  env['NO_COLOR'] = '1';
  env['npm_config_update_notifier'] = 'false';
  env['npm_config_fund'] = 'false';
  env['npm_config_audit'] = 'false';
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/**
 * Installs a tools directory's own dependencies (tools/registry, tools/e2e: not workspaces, so
 * the root `npm ci` does not) from its committed lockfile, once per lockfile content.
 */
export async function ensureToolDeps(dir: string): Promise<void> {
  const lock = readFileSync(path.join(dir, 'package-lock.json'));
  const digest = createHash('sha256').update(lock).digest('hex');
  const stamp = path.join(dir, 'node_modules', '.booty-lock-sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return;
  const result = await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: dir,
    env: childEnv(),
  });
  if (result.code !== 0) {
    throw new Error(`npm ci in ${dir} failed; the tests that need it cannot run.\n${describeRun(result)}`);
  }
  writeFileSync(stamp, digest);
}
