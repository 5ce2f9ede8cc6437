// A throwaway verdaccio for one test file: tools/registry/start.mjs in its own process group,
// storage in a temp directory, stopped (group killed, directory removed) by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { childEnv, ensureToolDeps, repoRoot } from './run';

export interface LocalRegistry {
  url: string;
  dir: string;
  /** .npmrc with the registry and a throwaway user's token. */
  npmrc: string;
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
              `tools/registry/start.mjs printed "${stdout.slice(0, newline)}" instead of its JSON line: ${String(error)}`,
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
    get log() {
      return stderr;
    },
    stop: () => stopGroup(child, options.dir),
  };
}

async function stopGroup(child: ChildProcess, dir: string): Promise<void> {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, 5000);
    await exited;
    clearTimeout(killer);
  }
  await rm(dir, { recursive: true, force: true });
}
