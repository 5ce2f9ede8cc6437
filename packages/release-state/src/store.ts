import * as path from 'node:path';
import { isTempName, readStateFile, removeQuietly, writeFileAtomic } from './atomic-file';
import { errnoOf, isStateError, StateError } from './errors';
import { nodeFs, type FsSeam } from './fs-seam';
import { DeliveryLedger, PYTHON_LEDGER_FILE, LEDGER_DIR, type Deliveries } from './ledger';
import { lockPathFor, withLock, type LockSettings, type LockTarget } from './lock';
import { parseReleaseState, serializeReleaseState, skeletonState, validateNextState, type ReleaseState } from './release-state';
import { assertDirectoryOrAbsent, assertRegularOrAbsent, ensureStateDir } from './state-dir';

export const RELEASE_FILE = 'release.json';
const RELEASE_MAX_BYTES = 8 * 1024 * 1024;

/** Defaults of `openReleaseStore`; the README explains each. */
export const STORE_DEFAULTS = Object.freeze({
  lockStaleMs: 10_000,
  lockWaitMs: 20_000,
  retentionDays: 30,
  maxDeliveries: 10_000,
});

export interface OpenReleaseStoreOptions {
  /** The state directory (see `resolveStateDir`); created with mode 0700 if missing. */
  stateDir: string;
  /** A lock whose holder has not refreshed it for this long is broken (default 10,000 ms, minimum 100). */
  lockStaleMs?: number | undefined;
  /** How long a write waits for a held lock before STATE_LOCK_TIMEOUT (default 20,000 ms; 0 tries once). */
  lockWaitMs?: number | undefined;
  /** Ledger entries older than this are pruned (default 30 days; GitHub redelivers within 3). */
  retentionDays?: number | undefined;
  /** The ledger keeps at most this many entries, dropping the oldest (default 10,000). */
  maxDeliveries?: number | undefined;
  /** The clock for record times and pruning (default: the system clock). */
  now?: (() => Date) | undefined;
}

export interface ReleaseStore {
  readonly stateDir: string;
  /** `<stateDir>/release.json`. */
  readonly releasePath: string;
  /** Reads release.json without a lock (a rename is atomic: never a torn file). */
  readState(): Promise<ReleaseState>;
  /** `fn` gets the current state and returns the next; lock → read → fn → durable write → unlock. */
  updateState(fn: (current: ReleaseState) => ReleaseState | Promise<ReleaseState>): Promise<ReleaseState>;
  readonly deliveries: Deliveries;
  /**
   * Operator repair of a file that does not parse: the damaged bytes are kept beside it (the
   * returned path) and the store starts afresh for that part. Refuses when nothing is damaged.
   */
  reset(file: 'release' | 'deliveries'): Promise<{ backupPath: string }>;
}

/** Knobs for tests and benchmarks; not part of the public API. */
export interface StoreInternals {
  /** File-system calls for data files (fault injection). */
  fs?: FsSeam;
  pruneIntervalMs?: number;
  pruneEveryClaims?: number;
  lockPollMs?: number;
}

/** Opens (and on first use creates) the release store in `options.stateDir`. */
export function openReleaseStore(options: OpenReleaseStoreOptions): Promise<ReleaseStore> {
  return openStore(options, {});
}

export async function openStore(options: OpenReleaseStoreOptions, internals: StoreInternals = {}): Promise<ReleaseStore> {
  const settings = validateOptions(options);
  const fs = internals.fs ?? nodeFs;
  const stateDir = path.resolve(settings.stateDir);
  const releasePath = path.join(stateDir, RELEASE_FILE);
  const lock: LockSettings = { staleMs: settings.lockStaleMs, waitMs: settings.lockWaitMs, pollMs: internals.lockPollMs ?? 10 };
  const releaseLock = lockPathFor(releasePath);
  const releaseTarget: LockTarget = { path: releasePath, label: RELEASE_FILE };

  await ensureStateDir(fs, stateDir);
  const releaseExists = await assertRegularOrAbsent(fs, releasePath);
  await assertRegularOrAbsent(fs, path.join(stateDir, PYTHON_LEDGER_FILE));
  await assertDirectoryOrAbsent(fs, path.join(stateDir, LEDGER_DIR));

  // Opening does not read release.json (readState does, and reports damage); it only creates
  // the skeleton when there is none.
  if (!releaseExists) {
    await withLock(releaseLock, lock, releaseTarget, async (held) => {
      // Another process may have created it while we waited for the lock.
      if ((await readStateFile(fs, releasePath, { maxBytes: RELEASE_MAX_BYTES })) !== null) return;
      await writeFileAtomic(fs, releasePath, serializeReleaseState(skeletonState(), releasePath), { beforeCommit: () => held.assertHeld() });
    });
  }
  await removeAbandonedTemps(fs, stateDir, lock.staleMs);

  const ledger = new DeliveryLedger({
    fs,
    stateDir,
    lock,
    retentionMs: settings.retentionDays * 24 * 60 * 60 * 1000,
    maxDeliveries: settings.maxDeliveries,
    now: settings.now,
    pruneIntervalMs: internals.pruneIntervalMs ?? 60 * 60 * 1000,
    pruneEveryClaims: internals.pruneEveryClaims ?? Math.max(64, Math.ceil(settings.maxDeliveries / 10)),
  });

  const readRelease = async (): Promise<Buffer> => {
    const bytes = await readStateFile(fs, releasePath, { maxBytes: RELEASE_MAX_BYTES });
    if (bytes === null) {
      throw new StateError(
        'STATE_READ',
        releasePath,
        `${releasePath} is missing: it was deleted after the store was opened. Nothing was changed. Restore it from a backup, or open the store again to create an empty one (every field null).`,
        { reason: 'missing', errno: 'ENOENT' },
      );
    }
    return bytes;
  };

  const store: ReleaseStore = {
    stateDir,
    releasePath,
    deliveries: ledger,
    async readState() {
      return parseReleaseState(await readRelease(), releasePath);
    },
    async updateState(fn) {
      if (typeof fn !== 'function') {
        throw new StateError('STATE_INVALID_INPUT', releasePath, `updateState needs a function (current) => next. ${RELEASE_FILE} was not changed.`, {
          reason: 'bad-input',
          field: 'fn',
        });
      }
      return withLock(releaseLock, lock, releaseTarget, async (held) => {
        const bytes = await readRelease();
        const current = parseReleaseState(bytes, releasePath);
        // The callback gets its own copy: whatever it mutates, `current` stays what is on disk.
        const next = validateNextState(await fn(parseReleaseState(bytes, releasePath)), current, releasePath);
        const out = serializeReleaseState(next, releasePath);
        if (!out.equals(bytes)) await writeFileAtomic(fs, releasePath, out, { beforeCommit: () => held.assertHeld() });
        return parseReleaseState(out, releasePath);
      });
    },
    async reset(file) {
      if (file === 'deliveries') return ledger.resetCorrupt();
      if (file !== 'release') {
        throw new StateError('STATE_INVALID_INPUT', stateDir, `reset() takes 'release' or 'deliveries', got ${JSON.stringify(file)}. Nothing was changed.`, {
          reason: 'bad-input',
          field: 'file',
        });
      }
      return withLock(releaseLock, lock, releaseTarget, async (held) => {
        const bytes = await readRelease();
        try {
          parseReleaseState(bytes, releasePath);
        } catch (error) {
          if (!isStateError(error) || error.code !== 'STATE_CORRUPT') throw error;
          const backupPath = await keepBeside(fs, releasePath, bytes, settings.now());
          await writeFileAtomic(fs, releasePath, serializeReleaseState(skeletonState(), releasePath), { beforeCommit: () => held.assertHeld() });
          return { backupPath };
        }
        throw new StateError(
          'STATE_INVALID_INPUT',
          releasePath,
          `Nothing to reset: ${releasePath} parses. It was not changed. reset() only replaces a damaged file; to change the state use updateState().`,
          { reason: 'nothing-to-reset' },
        );
      });
    },
  };
  return store;
}

/** Keeps the damaged bytes as `<file>.corrupt-<time>-<pid>`: a hard link when possible, else a copy. */
async function keepBeside(fs: FsSeam, file: string, bytes: Buffer, now: Date): Promise<string> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const backupPath = `${file}.corrupt-${stamp}-${process.pid}`;
  try {
    await fs.link(file, backupPath);
  } catch (error) {
    const code = errnoOf(error);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') {
      throw new StateError(
        'STATE_WRITE',
        file,
        `Could not keep a copy of ${file} as ${backupPath}: ${(error as Error).message}. ${path.basename(file)} was not changed.`,
        { reason: 'backup' },
        error,
      );
    }
    await writeFileAtomic(fs, backupPath, bytes);
  }
  return backupPath;
}

/** Temp files of writers that died before their rename; old enough that no live writer owns them. */
async function removeAbandonedTemps(fs: FsSeam, stateDir: string, olderThanMs: number): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(stateDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!isTempName(name, RELEASE_FILE) && !isTempName(name, PYTHON_LEDGER_FILE)) continue;
    try {
      const stats = await fs.lstat(path.join(stateDir, name));
      if (stats.isFile() && Date.now() - stats.ctimeMs > olderThanMs) await removeQuietly(fs, path.join(stateDir, name));
    } catch {
      // Gone already, or not ours to judge: leave it.
    }
  }
}

interface Settings {
  stateDir: string;
  lockStaleMs: number;
  lockWaitMs: number;
  retentionDays: number;
  maxDeliveries: number;
  now: () => Date;
}

function validateOptions(options: OpenReleaseStoreOptions): Settings {
  if (typeof options !== 'object' || options === null) {
    throw optionError('options', 'an object such as { stateDir }', options, '(options)');
  }
  const { stateDir } = options;
  if (typeof stateDir !== 'string' || stateDir === '' || stateDir.includes('\0')) {
    throw optionError('stateDir', 'a directory path (see resolveStateDir)', stateDir, '(options)');
  }
  const where = path.resolve(stateDir);
  const integer = (name: keyof OpenReleaseStoreOptions, value: unknown, min: number, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw optionError(name, `an integer of at least ${min}`, value, where);
    return value;
  };
  const lockStaleMs = integer('lockStaleMs', options.lockStaleMs, 100, STORE_DEFAULTS.lockStaleMs);
  const lockWaitMs = integer('lockWaitMs', options.lockWaitMs, 0, STORE_DEFAULTS.lockWaitMs);
  const maxDeliveries = integer('maxDeliveries', options.maxDeliveries, 1, STORE_DEFAULTS.maxDeliveries);
  const retentionDays = options.retentionDays ?? STORE_DEFAULTS.retentionDays;
  if (typeof retentionDays !== 'number' || !Number.isFinite(retentionDays) || retentionDays <= 0) {
    throw optionError('retentionDays', 'a positive number of days', retentionDays, where);
  }
  const now = options.now ?? (() => new Date());
  if (typeof now !== 'function') throw optionError('now', 'a function returning a Date', now, where);
  const checkedNow = () => {
    const value = now();
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      throw new StateError('STATE_INVALID_INPUT', where, `The now option returned ${String(value)}, not a valid Date. Nothing was changed.`, {
        reason: 'bad-option',
        field: 'now',
      });
    }
    return value;
  };
  return { stateDir, lockStaleMs, lockWaitMs, retentionDays, maxDeliveries, now: checkedNow };
}

function optionError(name: string, expected: string, got: unknown, where: string): StateError {
  const shown = typeof got === 'function' ? 'a function' : got === undefined ? 'undefined' : JSON.stringify(got);
  return new StateError('STATE_INVALID_INPUT', where, `Invalid option ${name} for openReleaseStore: expected ${expected}, got ${shown}. Nothing was created or changed.`, {
    reason: 'bad-option',
    field: name,
  });
}
