// A throwaway verdaccio: tools/registry/start.mjs in its own process group, storage in a given
// directory, stopped (group killed, directory removed) by stop(). One per jest run is shared by
// every spec file that installs from it (usingLocalRegistry), stopped by the global teardown.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { childEnv, ensureToolDeps, repoRoot, run, type RunResult } from './run';
import { alive } from '../../../../packages/release-state/test/support/server-processes';
import { keptValue, oncePerRun, runDir } from './shared-run';

export interface LocalRegistry {
  url: string;
  dir: string;
  /** .npmrc with the registry and a throwaway user's token. */
  npmrc: string;
  /** Its process, leader of its own process group. */
  pid: number;
  /** What verdaccio logged, for failure messages. */
  log: string;
  stop(): Promise<void>;
}

export const registryTools = path.join(repoRoot, 'tools', 'registry');

export async function startRegistry(options: { uplink: string; dir: string }): Promise<LocalRegistry> {
  await ensureToolDeps(registryTools);
  const child = spawn(
    process.execPath,
    [path.join(registryTools, 'start.mjs'), '--dir', options.dir, '--uplink', options.uplink, '--exit-with-parent'],
    { cwd: registryTools, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const info = await new Promise<{ url: string; dir: string; npmrc: string }>((resolve, reject) => {
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline >= 0) {
        try {
          resolve(JSON.parse(stdout.slice(0, newline)));
        } catch (error) {
          reject(
            new Error(
              `tools/registry/start.mjs printed "${stdout.slice(0, newline)}" ` +
                `instead of its JSON line: ${String(error)}`,
            ),
          );
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      reject(new Error(`tools/registry/start.mjs exited (${code ?? signal}) before it was ready:\n${stderr}`)),
    );
  });
  return {
    ...info,
    pid: child.pid as number,
    get log() {
      return stderr;
    },
    stop: () => stopGroup(child.pid as number, options.dir),
  };
}

/** The run's registry, as npm reaches it. */
export interface RegistryUse {
  url: string;
  npmrc: string;
  /** The child environment with npm pointed at the registry, its token and the run's npm cache. */
  env: NodeJS.ProcessEnv;
  /** Runs a command in that environment, plus the given variables. */
  sh(command: string, args: string[], cwd: string, extra?: Record<string, string>): Promise<RunResult>;
}

interface Started {
  url: string;
  dir: string;
  npmrc: string;
  pid: number;
}

/** The run's local registry: started by the first spec file that asks, stopped by the global teardown. */
export async function usingLocalRegistry(): Promise<RegistryUse> {
  const work = runDir();
  const started = await oncePerRun<Started>('registry', async () => {
    // The uplink is whatever registry this machine normally uses.
    const uplink = (await run('npm', ['config', 'get', 'registry'], { env: process.env, cwd: work })).stdout.trim();
    const { url, dir, npmrc, pid } = await startRegistry({ uplink, dir: path.join(work, 'registry') });
    return { url, dir, npmrc, pid };
  });
  const env = childEnv({
    NPM_CONFIG_USERCONFIG: started.npmrc,
    npm_config_registry: started.url,
    npm_config_cache: path.join(work, 'npm-cache'),
    NX_DAEMON: 'false',
  });
  return {
    url: started.url,
    npmrc: started.npmrc,
    env,
    sh: (command, args, cwd, extra = {}) => run(command, args, { cwd, env: { ...env, ...extra } }),
  };
}

/** Stops the run's registry, if one was started (for the global teardown). */
export async function stopLocalRegistry(): Promise<void> {
  const started = keptValue<Started>('registry');
  if (started) await stopGroup(started.pid, started.dir);
}

/**
 * SIGTERM to the group, SIGKILL if it is still there 5 s later. The process may be another's child
 * (a jest worker started it), so it is watched by signal 0 rather than by its exit event.
 */
async function stopGroup(pid: number, dir: string): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  // Bounded, in case it ignores SIGTERM (then SIGKILL) or never goes.
  for (let waited = 0; alive(pid) && waited < 10_000; waited += 100) {
    if (waited === 5000) signal('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await rm(dir, { recursive: true, force: true });
}
