import { spawn, spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { watchWorker, type Worker, type WorkerResult } from './support/watch-worker';

export type { Worker, WorkerResult };

export const WORKER = path.join(__dirname, 'fixtures', 'worker.cjs');

export function makeTempDir(prefix: string): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), `booty-rs-${prefix}-`));
}

export async function removeTempDir(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true });
}

export interface StartOptions {
  /** A command prefix such as ['setpriv', '--reuid=65534', ...] or ['unshare', '-m', ...]. */
  prefix?: string[];
  /** The worker script to run (default WORKER); e.g. a `workerForAnyone()` copy for another user. */
  worker?: string;
  /** Run through `sh -c` with this script; `"$@"` expands to `node worker.cjs <command>`. */
  shellScript?: string;
}

/** Starts the fixture worker with `command`; it opens the store, says ready and waits for go(). */
export function startWorker(command: Record<string, unknown>, options: StartOptions = {}): Worker {
  const script = options.worker ?? WORKER;
  const nodeArgs = [script, JSON.stringify(command)];
  let file: string;
  let args: string[];
  if (options.shellScript !== undefined) {
    file = 'sh';
    args = ['-c', options.shellScript, 'sh', process.execPath, ...nodeArgs];
  } else if (options.prefix && options.prefix.length > 0) {
    file = options.prefix[0] as string;
    args = [...options.prefix.slice(1), process.execPath, ...nodeArgs];
  } else {
    file = process.execPath;
    args = nodeArgs;
  }
  // A worker run from a copy also starts in the copy's directory: the checkout's may be closed to it.
  const child = spawn(file, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.worker === undefined ? {} : { cwd: path.dirname(script) }),
  });
  return watchWorker(child);
}

/** Starts every worker, waits until all are ready, releases them at once, waits for all. */
export async function runTogether(commands: Record<string, unknown>[]): Promise<WorkerResult[]> {
  const workers = commands.map((command) => startWorker({ ...command, barrier: true }));
  await Promise.all(workers.map((worker) => worker.ready));
  for (const worker of workers) worker.go();
  return Promise.all(workers.map((worker) => worker.done));
}

export interface FileSnapshot {
  type: 'file' | 'dir' | 'symlink' | 'other';
  bytes: string | null;
  mtimeMs: number;
  mode: number;
}

/** Bytes, mtime and mode of everything under `dir`, to prove that nothing changed. */
export async function snapshotTree(dir: string): Promise<Record<string, FileSnapshot>> {
  const out: Record<string, FileSnapshot> = {};
  const walk = async (current: string): Promise<void> => {
    for (const name of (await fsp.readdir(current)).sort()) {
      const full = path.join(current, name);
      const stats = await fsp.lstat(full);
      const rel = path.relative(dir, full);
      if (stats.isDirectory()) {
        // Not a directory's mtime: it moves whenever a lock or temp file comes and goes.
        // What it holds is compared entry by entry.
        out[rel] = { type: 'dir', bytes: null, mtimeMs: 0, mode: stats.mode };
        await walk(full);
      } else if (stats.isSymbolicLink()) {
        out[rel] = { type: 'symlink', bytes: await fsp.readlink(full), mtimeMs: stats.mtimeMs, mode: stats.mode };
      } else if (stats.isFile()) {
        out[rel] = {
          type: 'file',
          bytes: (await fsp.readFile(full)).toString('base64'),
          mtimeMs: stats.mtimeMs,
          mode: stats.mode,
        };
      } else {
        out[rel] = { type: 'other', bytes: null, mtimeMs: stats.mtimeMs, mode: stats.mode };
      }
    }
  };
  await walk(dir);
  return out;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function works(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
  return result.status === 0;
}

/** Root can mount inside a private mount namespace (nothing leaks to the host). */
export const canMountPrivately =
  isRoot &&
  works('unshare', [
    '-m',
    '--propagation',
    'private',
    'sh',
    '-c',
    'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"',
  ]);

/** Root can run a child as the unprivileged user `nobody` (permission bits then apply). */
export const canDropPrivileges =
  isRoot && works('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']);

export const NOBODY = 65534;

/**
 * The fixture worker and everything it loads (the built package, lockfile), bundled into one
 * file in a fresh mode-0755 directory, for a child run as another user (nobody). The checkout
 * may sit in a directory that user cannot enter (a clone in `mktemp -d`, or in /root), so the
 * child must not read anything from it. Remove the directory with `removeTempDir(dir)`.
 */
export async function workerForAnyone(): Promise<{ dir: string; worker: string }> {
  const dir = await makeTempDir('anyone');
  await fsp.chmod(dir, 0o755);
  const worker = path.join(dir, 'worker.cjs');
  await build({
    entryPoints: [WORKER],
    outfile: worker,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // The PostgreSQL driver is loaded only for a postgres:// store, which these workers never open.
    external: ['pg', 'pg-native'],
    logLevel: 'silent',
  });
  await fsp.chmod(worker, 0o644);
  return { dir, worker };
}
