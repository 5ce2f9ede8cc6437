// The file store: the embedded `ReleaseStore` (one host, nothing to run). release.json is
// replaced atomically under its sidecar lock; the delivery ledger lives in ledger/.
import * as path from 'node:path';
import { isTempName, readStateFile, removeQuietly, writeFileAtomic } from './atomic-file';
import type { DeliveryRecord, ReleaseStore as ContractStore, ResetResult, StoreCheck, StoreProblem, StoreSnapshot } from '../shared/contract';
import { describeErrno, errnoOf, stateError, type StateError } from '../shared/errors';
import { nodeFs, type FsSeam } from './fs-seam';
import { DeliveryLedger, PYTHON_LEDGER_FILE, LEDGER_DIR } from './ledger';
import { fullRecord, validateDeliveryId } from './ledger/entry';
import { isDamage } from './ledger/files';
import { stampOf } from './ledger/maintenance';
import { lockPathFor, withLock, type HeldLock, type LockSettings, type LockTarget } from './lock';
import { describeJsonType, isSkeleton, parseReleaseState, serializeReleaseState, skeletonState, validateNextState, type ReleaseState } from '../shared/release-state';
import { assertDirectoryOrAbsent, assertExistingStateDir, assertRegularOrAbsent, ensureStateDir } from '../state-dir';

export const RELEASE_FILE = 'release.json';
const RELEASE_MAX_BYTES = 8 * 1024 * 1024;
const REPAIR_RELEASE = 'booty state reset release';

/** Defaults of `openFileStore`; the README explains each. */
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
  /** The clock for record times, leases and pruning (default: the system clock). */
  now?: (() => Date) | undefined;
  /**
   * `false` opens for inspection or repair only: the directory must already exist and opening
   * writes nothing (a missing release.json stays missing; `check()` reports it). Default `true`.
   */
  create?: boolean | undefined;
}

/** The file store: the contract, plus where its files are. */
export interface FileReleaseStore extends ContractStore {
  readonly kind: 'file';
  readonly stateDir: string;
  /** `<stateDir>/release.json`. */
  readonly releasePath: string;
}

/** @deprecated The contract's name is `ReleaseStore` (src/contract.ts); this is the file store's. */
export type ReleaseStore = FileReleaseStore;

/** Knobs for tests and benchmarks; not part of the public API. */
export interface StoreInternals {
  /** File-system calls for data files (fault injection). */
  fs?: FsSeam;
  pruneIntervalMs?: number;
  pruneEveryClaims?: number;
  lockPollMs?: number;
}

/** Opens (and on first use creates) the file store in `options.stateDir`. */
export function openReleaseStore(options: OpenReleaseStoreOptions): Promise<FileReleaseStore> {
  return openFileStore(options, {});
}

/** The former name of `openFileStore`, kept for tests and benchmarks. */
export const openStore = openFileStore;

export async function openFileStore(options: OpenReleaseStoreOptions, internals: StoreInternals = {}): Promise<FileReleaseStore> {
  const settings = validateOptions(options);
  const fs = internals.fs ?? nodeFs;
  const stateDir = path.resolve(settings.stateDir);
  const releasePath = path.join(stateDir, RELEASE_FILE);
  const lock: LockSettings = { staleMs: settings.lockStaleMs, waitMs: settings.lockWaitMs, pollMs: internals.lockPollMs ?? 10 };
  const releaseLock = lockPathFor(releasePath);
  const releaseTarget: LockTarget = { path: releasePath, label: RELEASE_FILE };

  if (options.create === false) await assertExistingStateDir(fs, stateDir);
  else await ensureStateDir(fs, stateDir);
  const releaseExists = await assertRegularOrAbsent(fs, releasePath);
  await assertRegularOrAbsent(fs, path.join(stateDir, PYTHON_LEDGER_FILE));
  await assertDirectoryOrAbsent(fs, path.join(stateDir, LEDGER_DIR));

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

  /** The damage of delivery_ids.json, if it has any (it decides whether a first open may write). */
  const pythonDamage = async (): Promise<StateError | null> =>
    ledger.python.read().then(
      () => null,
      (error: unknown) => {
        if (isDamage(error)) return error;
        throw error;
      },
    );

  const writeSkeleton = (held: HeldLock) => writeFileAtomic(fs, releasePath, serializeReleaseState(skeletonState(), releasePath), { beforeCommit: () => held.assertHeld() });

  // Opening does not read release.json (readState does, and reports damage); it only creates the
  // skeleton when there is none, and not beside a damaged delivery_ids.json (a first open that
  // then fails must leave the directory as it found it).
  if (options.create !== false && !releaseExists && (await pythonDamage()) === null) {
    await withLock(releaseLock, lock, releaseTarget, async (held) => {
      // Another process may have created it while we waited for the lock.
      if ((await readStateFile(fs, releasePath, { maxBytes: RELEASE_MAX_BYTES })) !== null) return;
      await writeSkeleton(held);
    });
  }
  if (options.create !== false) await removeAbandonedTemps(fs, stateDir, lock.staleMs);

  const readRelease = async (): Promise<Buffer> => {
    const bytes = await readStateFile(fs, releasePath, { maxBytes: RELEASE_MAX_BYTES });
    if (bytes === null) {
      // Never created because delivery_ids.json is damaged: that is the problem to report.
      const python = await pythonDamage();
      if (python) throw python;
      throw stateError('STATE_READ', {
        path: releasePath,
        reason: 'missing',
        happened: `${releasePath} is missing: it was deleted after the store was opened`,
        changed: 'Nothing was changed',
        fix: `Restore it from a backup, or run \`${REPAIR_RELEASE}\` to create an empty one (every field null)`,
        details: { errno: 'ENOENT' },
      });
    }
    return bytes;
  };

  const releaseProblem = async (): Promise<StoreProblem | null> => {
    try {
      const bytes = await readStateFile(fs, releasePath, { maxBytes: RELEASE_MAX_BYTES });
      if (bytes === null) {
        return { part: 'release', target: releasePath, reason: 'missing', message: `${releasePath} is missing.`, repair: REPAIR_RELEASE };
      }
      parseReleaseState(bytes, releasePath);
      return null;
    } catch (error) {
      if (!isDamage(error)) throw error;
      return { part: 'release', target: releasePath, reason: error.details.reason ?? 'bad-field', message: error.message, repair: REPAIR_RELEASE };
    }
  };

  const resetRelease = (): Promise<ResetResult> =>
    withLock(releaseLock, lock, releaseTarget, async (held) => {
      const problem = await releaseProblem();
      if (problem === null) {
        throw stateError('STATE_INVALID_INPUT', {
          path: releasePath,
          reason: 'nothing-to-reset',
          happened: `Nothing to reset: ${releasePath} reads correctly`,
          changed: 'It was not changed',
          fix: 'A reset only replaces a damaged file; run `booty state check` to see what is stored',
        });
      }
      const keptAt: string[] = [];
      if (problem.reason !== 'missing') {
        const bytes = (await readStateFile(fs, releasePath, { maxBytes: Number.MAX_SAFE_INTEGER }).catch(() => null)) ?? Buffer.alloc(0);
        keptAt.push(await keepBeside(fs, releasePath, bytes, settings.now()));
      }
      await writeSkeleton(held);
      return { part: 'release', keptAt, repaired: 1 };
    });

  let closed = false;
  const live = <A extends unknown[], R>(what: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (closed) {
        throw stateError('STATE_INVALID_INPUT', {
          path: stateDir,
          reason: 'closed',
          happened: `${what} was called on the store of ${stateDir} after close()`,
          changed: 'Nothing was read or changed',
          fix: 'Open the store again (openReleaseStore) and use the new one',
        });
      }
      return fn(...args);
    };

  const deliveries: FileReleaseStore['deliveries'] = {
    claim: live('deliveries.claim', (input) => ledger.claim(input)),
    has: live('deliveries.has', (input) => ledger.has(input)),
    get: live('deliveries.get', (input) => ledger.get(input)),
    count: live('deliveries.count', () => ledger.count()),
    tally: live('deliveries.tally', () => ledger.tally()),
    complete: live('deliveries.complete', (input) => ledger.complete(input)),
    release: live('deliveries.release', (input) => ledger.release(input)),
    list: live('deliveries.list', (options) => ledger.list(options)),
    prune: live('deliveries.prune', () => ledger.prune()),
  };

  const readState = async (): Promise<ReleaseState> => parseReleaseState(await readRelease(), releasePath);

  const store: FileReleaseStore = {
    kind: 'file',
    location: stateDir,
    stateDir,
    releasePath,
    deliveries,
    readState: live('readState', readState),
    updateState: live('updateState', async (fn) => {
      if (typeof fn !== 'function') {
        throw stateError('STATE_INVALID_INPUT', {
          path: releasePath,
          reason: 'bad-input',
          happened: `updateState needs a function (current) => next, got ${describeJsonType(fn)}`,
          changed: `${RELEASE_FILE} was not changed`,
          details: { field: 'fn' },
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
    }),
    check: live('check', async (): Promise<StoreCheck> => {
      const problems: StoreProblem[] = [];
      const release = await releaseProblem();
      if (release) problems.push(release);
      const ledgerCheck = await ledger.maintenance.check();
      problems.push(...ledgerCheck.problems);
      return { healthy: problems.length === 0, problems, deliveries: ledgerCheck.healthy };
    }),
    reset: live('reset', async (part) => {
      if (part === 'deliveries') {
        const result = await ledger.maintenance.reset();
        // A first open beside a damaged delivery_ids.json wrote no release.json: now it can.
        if (!(await assertRegularOrAbsent(fs, releasePath))) {
          await withLock(releaseLock, lock, releaseTarget, async (held) => {
            if ((await readStateFile(fs, releasePath, { maxBytes: RELEASE_MAX_BYTES })) === null) await writeSkeleton(held);
          });
        }
        return result;
      }
      if (part === 'release') return resetRelease();
      throw stateError('STATE_INVALID_INPUT', {
        path: stateDir,
        reason: 'bad-input',
        happened: `reset takes "release" or "deliveries", got ${typeof part === 'string' ? JSON.stringify(String(part).slice(0, 40)) : describeJsonType(part)}`,
        changed: 'Nothing was changed',
        fix: 'Run `booty state reset release` or `booty state reset deliveries`',
        details: { field: 'part' },
      });
    }),
    snapshot: live('snapshot', async (): Promise<StoreSnapshot> => ({ state: await readState(), deliveries: await ledger.records({ strict: true }) })),
    restore: live('restore', async (snapshot, options = {}) => {
      const { state, records } = validateSnapshot(snapshot, stateDir, releasePath);
      const replace = options?.replace === true;
      if (!replace) {
        const holdsState = await readState().then(
          (current) => !isSkeleton(current),
          () => true,
        );
        if (holdsState || !(await ledger.maintenance.isEmpty())) {
          throw stateError('STATE_INVALID_INPUT', {
            path: stateDir,
            reason: 'target-not-empty',
            happened: `The file store in ${stateDir} already holds ${holdsState ? 'a release state' : 'deliveries'}`,
            changed: 'Nothing was copied or changed',
            fix: 'Copy into an empty store, or pass --replace to overwrite it',
          });
        }
      }
      await ledger.maintenance.restore(records, replace);
      await withLock(releaseLock, lock, releaseTarget, async (held) => {
        await writeFileAtomic(fs, releasePath, serializeReleaseState(state, releasePath), { beforeCommit: () => held.assertHeld() });
      });
    }),
    async close() {
      closed = true;
      ledger.close();
    },
  };
  return store;
}

/** Checks a snapshot from any backend before anything is written. */
function validateSnapshot(snapshot: StoreSnapshot, stateDir: string, releasePath: string): { state: ReleaseState; records: DeliveryRecord[] } {
  const bad = (what: string, field: string) =>
    stateError('STATE_INVALID_INPUT', { path: stateDir, reason: 'bad-input', happened: `The snapshot to restore ${what}`, changed: 'Nothing was copied or changed', details: { field } });
  if (typeof snapshot !== 'object' || snapshot === null) throw bad(`is ${describeJsonType(snapshot)}, not { state, deliveries }`, 'snapshot');
  if (!Array.isArray(snapshot.deliveries)) throw bad('has no deliveries array', 'deliveries');
  // The state must read back as release.json: serialize, then parse as if from disk.
  const state = parseReleaseState(serializeReleaseState(snapshot.state, releasePath), releasePath);
  const records = snapshot.deliveries.map((record, index) => {
    if (typeof record !== 'object' || record === null || typeof record.key !== 'string') throw bad(`has no key at deliveries[${index}]`, `deliveries[${index}]`);
    validateDeliveryId(record.deliveryId, stateDir);
    return fullRecord(record);
  });
  return { state, records };
}

/** Keeps the damaged bytes as `<file>.corrupt-<time>-<pid>`: a hard link when possible, else a copy. */
async function keepBeside(fs: FsSeam, file: string, bytes: Buffer, now: Date): Promise<string> {
  const backupPath = `${file}.corrupt-${stampOf(now)}-${process.pid}`;
  try {
    await fs.link(file, backupPath);
  } catch (error) {
    const code = errnoOf(error);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') {
      throw stateError('STATE_WRITE', {
        path: file,
        reason: 'backup',
        happened: `Could not keep a copy of ${file} as ${backupPath}: ${describeErrno(error)}`,
        changed: `${path.basename(file)} was not changed`,
        cause: error,
      });
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
      throw stateError('STATE_INVALID_INPUT', {
        path: where,
        reason: 'bad-option',
        happened: `The now option returned ${String(value).slice(0, 40)}, not a valid Date`,
        changed: 'Nothing was changed',
        details: { field: 'now' },
      });
    }
    return value;
  };
  return { stateDir, lockStaleMs, lockWaitMs, retentionDays, maxDeliveries, now: checkedNow };
}

function optionError(name: string, expected: string, got: unknown, where: string): StateError {
  const shown = typeof got === 'function' ? 'a function' : got === undefined ? 'undefined' : (JSON.stringify(got) ?? String(got)).slice(0, 60);
  return stateError('STATE_INVALID_INPUT', {
    path: where,
    reason: 'bad-option',
    happened: `Invalid option ${name} for openReleaseStore: expected ${expected}, got ${shown}`,
    changed: 'Nothing was created or changed',
    details: { field: name },
  });
}

