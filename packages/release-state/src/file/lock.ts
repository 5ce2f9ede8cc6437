import { constants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lockfile from 'lockfile';
import { describeErrno, errnoOf, stateError, type StateError } from '../shared/errors';
import { fixForErrno } from './advice';

export interface LockSettings {
  /** A lock file whose last heartbeat is older than this is treated as abandoned and broken. */
  staleMs: number;
  /** How long to wait for a held lock before failing with STATE_LOCK_TIMEOUT (0: try once). */
  waitMs: number;
  /** Upper bound of the randomised pause between two attempts. */
  pollMs: number;
}

/** The data file a lock guards, for messages. */
export interface LockTarget {
  path: string;
  label: string;
}

export interface HeldLock {
  readonly lockPath: string;
  /** How long acquiring took, in milliseconds. */
  readonly waitedMs: number;
  /** Throws STATE_WRITE (reason `lock-lost`) if the lock file is no longer the one we created. */
  assertHeld(): Promise<void>;
  /** Removes the lock file, but only if it is still ours. Never throws. */
  release(): Promise<void>;
}

/** The sidecar lock of a data file: `<file>.lock`, never the data file itself (it gets replaced). */
export function lockPathFor(file: string): string {
  return `${file}.lock`;
}

function lockOnce(lockPath: string, staleMs: number): Promise<Error | null> {
  // A fresh options object per call: lockfile mutates the one it is given.
  return new Promise((resolve) => lockfile.lock(lockPath, { stale: staleMs }, (error) => resolve(error ?? null)));
}

function unlockFile(lockPath: string): Promise<void> {
  return new Promise((resolve) => lockfile.unlock(lockPath, () => resolve()));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Identity {
  dev: bigint;
  ino: bigint;
}

async function identityAt(lockPath: string): Promise<Identity | null> {
  try {
    const stats = await fsp.lstat(lockPath, { bigint: true });
    return { dev: stats.dev, ino: stats.ino };
  } catch {
    return null;
  }
}

interface Holder {
  ageMs: number | undefined;
  pid: number | undefined;
}

/** What the lock file says about its holder: age from its ctime (what lockfile measures) and pid. */
async function describeHolder(lockPath: string): Promise<Holder> {
  let ageMs: number | undefined;
  let pid: number | undefined;
  let handle: FileHandle | undefined;
  try {
    handle = await fsp.open(lockPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stats = await handle.stat();
    ageMs = Math.max(0, Math.round(Date.now() - stats.ctimeMs));
    if (stats.isFile() && stats.size > 0 && stats.size < 4096) {
      const parsed: unknown = JSON.parse((await handle.readFile()).toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null && 'pid' in parsed && typeof parsed.pid === 'number')
        pid = parsed.pid;
    }
  } catch {
    // Gone, unreadable or not ours to parse: report what we know.
  } finally {
    await handle?.close().catch(() => undefined);
  }
  return { ageMs, pid };
}

/**
 * Takes the sidecar lock with the `lockfile` package: exclusive create of `lockPath`, retried
 * with a short randomised pause until `waitMs` has passed. A lock file older than `staleMs` is
 * broken by lockfile's own algorithm. While we hold the lock a heartbeat refreshes its ctime, so
 * only a holder that is dead (or frozen for longer than `staleMs`) ever looks stale.
 */
export async function acquireLock(lockPath: string, settings: LockSettings, target: LockTarget): Promise<HeldLock> {
  const started = Date.now();
  const deadline = started + settings.waitMs;
  for (;;) {
    const error = await lockOnce(lockPath, settings.staleMs);
    if (error === null) break;
    const code = errnoOf(error);
    // EEXIST: held. ENOENT: it vanished while lockfile was breaking a stale lock. Both: retry.
    const retry = code === 'EEXIST' || (code === 'ENOENT' && (await directoryExists(path.dirname(lockPath))));
    if (!retry) {
      throw stateError('STATE_WRITE', {
        path: target.path,
        reason: 'lock-create',
        happened: `Could not create the lock file ${lockPath} that guards ${target.path}: ${describeErrno(error)}`,
        changed: `${target.label} was not changed`,
        fix: fixForErrno(error, path.dirname(lockPath)),
        details: { lockPath },
        cause: error,
      });
    }
    const now = Date.now();
    if (now >= deadline) throw await timeoutError(lockPath, settings, target, now - started);
    await sleep(Math.min(deadline - now, 1 + Math.random() * settings.pollMs));
  }
  const waitedMs = Date.now() - started;
  return holdLock(lockPath, settings, target, waitedMs);
}

async function directoryExists(dir: string): Promise<boolean> {
  try {
    return (await fsp.stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

async function timeoutError(
  lockPath: string,
  settings: LockSettings,
  target: LockTarget,
  waitedMs: number,
): Promise<StateError> {
  const holder = await describeHolder(lockPath);
  const age = holder.ageMs === undefined ? 'of unknown age' : `${holder.ageMs} ms old`;
  const by = holder.pid === undefined ? '' : ` (holder pid ${holder.pid})`;
  return stateError('STATE_LOCK_TIMEOUT', {
    path: target.path,
    reason: 'lock-timeout',
    happened:
      `Timed out after ${waitedMs} ms waiting for the lock ${lockPath}, which guards ${target.path}: the lock is ${age}${by}, ` +
      `and a lock is only treated as abandoned once it is ${settings.staleMs} ms old`,
    changed: `${target.label} was not changed`,
    fix:
      'Another process is most likely writing it: retry. If no booty process is running, a crashed one left the lock: ' +
      `it is broken automatically once it is ${settings.staleMs} ms old, or remove ${lockPath} yourself`,
    details: {
      lockPath,
      waitedMs,
      staleMs: settings.staleMs,
      ...(holder.ageMs === undefined ? {} : { ageMs: holder.ageMs }),
      ...(holder.pid === undefined ? {} : { holderPid: holder.pid }),
    },
  });
}

async function holdLock(
  lockPath: string,
  settings: LockSettings,
  target: LockTarget,
  waitedMs: number,
): Promise<HeldLock> {
  let handle: FileHandle | undefined;
  let identity: Identity | null = null;
  try {
    // Nobody can break the lock right now (it is fresh), so the file we open is the one we created.
    handle = await fsp.open(lockPath, constants.O_RDWR | constants.O_NOFOLLOW);
    const stats = await handle.stat({ bigint: true });
    identity = { dev: stats.dev, ino: stats.ino };
    // Who holds it, for the timeout message of whoever waits.
    await handle.write(
      JSON.stringify({ pid: process.pid, hostname: os.hostname(), acquiredAt: new Date().toISOString() }),
    );
  } catch {
    // Diagnostics only; without an identity we fall back to the path below.
  }
  if (identity === null) identity = await identityAt(lockPath);
  const owned = identity;
  const heartbeatMs = Math.max(10, Math.floor(settings.staleMs / 4));
  const heartbeat = handle
    ? setInterval(() => {
        const now = new Date();
        // Touching our own inode through the descriptor never refreshes someone else's lock.
        handle?.utimes(now, now).catch(() => undefined);
      }, heartbeatMs)
    : undefined;
  heartbeat?.unref();
  let released = false;

  const stillOurs = async (): Promise<boolean> => {
    const current = await identityAt(lockPath);
    return owned !== null && current !== null && current.dev === owned.dev && current.ino === owned.ino;
  };

  return {
    lockPath,
    waitedMs,
    async assertHeld() {
      if (await stillOurs()) return;
      throw stateError('STATE_WRITE', {
        path: target.path,
        reason: 'lock-lost',
        happened:
          `The lock ${lockPath} was taken over by another process while this one held it ` +
          `(no heartbeat for ${settings.staleMs} ms: was this process suspended?)`,
        changed: `${target.label} was not changed`,
        fix: 'Retry; if it happens again, raise lockStaleMs',
        details: { lockPath, staleMs: settings.staleMs },
      });
    },
    async release() {
      if (released) return;
      released = true;
      if (heartbeat) clearInterval(heartbeat);
      const ours = await stillOurs();
      await handle?.close().catch(() => undefined);
      if (ours) {
        await unlockFile(lockPath);
        return;
      }
      // Someone broke our lock: never unlink theirs. lockfile still lists the path as ours and
      // would unlink it at process exit, so take it once more, properly, and release that.
      try {
        const again = await acquireLock(lockPath, settings, target);
        await again.release();
      } catch {
        // Could not get it back in time; nothing else to do without touching another holder's lock.
      }
    },
  };
}

/** Runs `fn` holding the sidecar lock; the lock is released however `fn` ends. */
export async function withLock<T>(
  lockPath: string,
  settings: LockSettings,
  target: LockTarget,
  fn: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(lockPath, settings, target);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
