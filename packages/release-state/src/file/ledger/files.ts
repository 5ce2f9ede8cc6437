// The ledger's files on disk: where they are, how the directory is made, how an entry, the
// bookkeeping file and file identities are read, and the per-key lock. Shared by claims, leases,
// readers, the Python bridge and maintenance; holds no policy of its own.
import * as fsSync from 'node:fs';
import { constants } from 'node:fs';
import * as path from 'node:path';
import type { DeliveryRecord, ScanProgress } from '../../shared/contract';
import { describeErrno, errnoOf, isStateError, REPAIR_COMMAND, stateError, type StateError } from '../../shared/errors';
import { parseJsonDocument } from '../../shared/json';
import type { LedgerSettings } from '../../shared/options';
import { describeJsonType } from '../../shared/text';
import { fixForErrno } from '../advice';
import { READ_FLAGS, type FsSeam } from '../fs-seam';
import { lockPathFor, withLock, type HeldLock, type LockSettings } from '../lock';
import { readStateFile, readStateFileSync } from '../read-file';
import { assertDirectoryOrAbsent, symlinkError } from '../safety';
import { createExclusive, writeFileAtomic } from '../staged-file';
import {
  ENTRY_MAX_BYTES,
  ENTRY_TEMP_BASE,
  isEntryName,
  keyOfEntryName,
  LEDGER_DIR,
  LEDGER_FORMAT_VERSION,
  MARKER_FILE,
  parseEntry,
  PYTHON_LEDGER_FILE,
} from './entry';

/** The ledger's bookkeeping file, `deliveries/.ledger.json`. */
export interface Marker {
  format_version: number;
  /** Identity of delivery_ids.json when we last imported or exported it ('absent': there was none); null: never synced. */
  python_source: string | null;
  last_prune: string | null;
  /**
   * `case-folded` once every entry is named by its key's identity (entry.ts); null for a ledger
   * an earlier version wrote, whose names kept each spelling (spellings.ts renames them).
   */
  entry_names: typeof ENTRY_NAMES | null;
}

/** The entry-name rule of this version, as the bookkeeping file records it. */
export const ENTRY_NAMES = 'case-folded';

/**
 * No bookkeeping file yet: nothing imported (a delivery_ids.json that appears is imported), and
 * the names not known to follow this version's rule.
 */
export const EMPTY_MARKER: Marker = {
  format_version: LEDGER_FORMAT_VERSION,
  python_source: 'absent',
  last_prune: null,
  entry_names: null,
};

export interface LedgerOptions extends LedgerSettings {
  fs: FsSeam;
  stateDir: string;
  lock: LockSettings;
  now: () => Date;
}

/** One entry file as found: its record, or the damage that stops it from reading. */
export type ScannedEntry =
  | { name: string; file: string; record: DeliveryRecord; damage: null }
  | { name: string; file: string; record: null; damage: StateError };

/** A store dropped without close() still gives its directory descriptor back. */
const dirHandles = new FinalizationRegistry<{ fd: number }>((held) => {
  fsSync.close(held.fd, () => undefined);
});

/** One more byte than an entry may have, so that an over-long file is seen as such. */
const scanBuffer = Buffer.allocUnsafe(ENTRY_MAX_BYTES + 1);

/**
 * The longest stretch of synchronous work a bulk pass (a scan, a prune pass, the Python export)
 * does before it lets the event loop run: 2 ms, or a quarter of one while a claim of this process
 * is in flight. A prune pass runs beside the claims of its process, and each of a claim's six or
 * so I/O steps waits for the stretch in progress (a claim takes about 1 ms here).
 */
const SLICE_MS = 2;
const SLICE_BESIDE_CLAIMS_MS = 0.25;
let claimsInFlight = 0;

/** Runs a claim, counted as in flight (bulk passes then work in shorter slices). */
export async function asClaim<T>(claim: () => Promise<T>): Promise<T> {
  claimsInFlight++;
  try {
    return await claim();
  } finally {
    claimsInFlight--;
  }
}

/** Resolves on the event loop's next turn, after the I/O that is waiting. */
const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** A bulk pass says how far it got every this many items, and at the end (a progress display). */
const PROGRESS_EVERY = 500;

/**
 * Runs `fn` over `items`, synchronously in slices (see SLICE_MS), letting the event loop run
 * between them (claims, a progress display, a signal). The clock is read every 4 items.
 */
export async function inSlices<T>(
  items: readonly T[],
  fn: (item: T) => void,
  onProgress?: (progress: ScanProgress) => void,
): Promise<void> {
  let sliceStart = performance.now();
  for (let index = 0; index < items.length; index++) {
    fn(items[index] as T);
    const read = index + 1;
    if (onProgress !== undefined && (read % PROGRESS_EVERY === 0 || read === items.length)) {
      onProgress({ read, total: items.length });
    }
    const slice = claimsInFlight > 0 ? SLICE_BESIDE_CLAIMS_MS : SLICE_MS;
    if ((index & 3) === 3 && performance.now() - sliceStart >= slice) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
}

/** How many file operations the ledger's bulk passes (import, prune, restore) keep in flight. */
export const IO_CONCURRENCY = 16;

/**
 * `fn` over `items`, `limit` at a time. After a failure no item is started, and the calls in
 * flight settle before the first error is thrown: a caller that cleans up after a failure (a
 * stopped copy removes its staging directory) never races a write still under way.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (failures.length === 0 && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
  return results;
}

/**
 * Where entries are kept aside, never deleted: `<path>.<kind>-<time>-<pid>`. `corrupt`: damaged
 * bytes moved by a reset (release.json's too); `duplicate`: a second spelling of one key
 * (spellings.ts).
 */
export function keptAsidePath(file: string, now: Date, kind: 'corrupt' | 'duplicate' = 'corrupt'): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${file}.${kind}-${stamp}-${process.pid}`;
}

/** True for damage that `booty state reset deliveries` repairs (a file that does not parse, or is not a regular file). */
export function isDamage(error: unknown): error is StateError {
  return isStateError(error) && (error.code === 'STATE_CORRUPT' || error.code === 'STATE_UNSAFE');
}

export class LedgerFiles {
  readonly dir: string;
  readonly pythonPath: string;
  readonly markerPath: string;
  readonly maintenanceLockPath: string;
  readonly options: LedgerOptions;
  private dirReady = false;
  private markerCache: { stamp: string; marker: Marker } | null = null;
  private dirHandle: { fd: number; ino: bigint; dev: bigint } | null = null;

  constructor(options: LedgerOptions) {
    this.options = options;
    this.dir = path.join(options.stateDir, LEDGER_DIR);
    this.pythonPath = path.join(options.stateDir, PYTHON_LEDGER_FILE);
    this.markerPath = path.join(this.dir, MARKER_FILE);
    this.maintenanceLockPath = lockPathFor(this.pythonPath);
  }

  get fs(): FsSeam {
    return this.options.fs;
  }

  maintenanceTarget() {
    return { path: this.pythonPath, label: 'The delivery ledger' };
  }

  entryFile(name: string): string {
    return path.join(this.dir, name);
  }

  /** The per-key sidecar lock that serialises takeover, complete and release of one key (hidden: never an entry name). */
  keyLockPath(name: string): string {
    return path.join(this.dir, `.${name}.lock`);
  }

  /** Runs `fn` holding the lock of one key (takeover, complete, release). */
  withKeyLock<T>(name: string, key: string, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
    return withLock(
      this.keyLockPath(name),
      this.options.lock,
      { path: this.entryFile(name), label: `The claim of ${key}` },
      fn,
    );
  }

  async dirExists(): Promise<boolean> {
    return assertDirectoryOrAbsent(this.fs, this.dir);
  }

  /**
   * Makes `deliveries/` on first use. A directory made here starts with its bookkeeping file
   * (created exclusively, no lock): nothing to import, nothing to prune yet, so the first claim
   * of a fresh store costs no lock and no replace-write.
   */
  async ensureDir(): Promise<void> {
    if (this.dirReady) return;
    if (!(await this.dirExists())) {
      try {
        await this.fs.mkdirp(this.dir, 0o700);
      } catch (error) {
        if (errnoOf(error) !== 'EEXIST') {
          throw stateError('STATE_WRITE', {
            path: this.dir,
            reason: 'mkdir',
            happened: `Could not create the ledger directory ${this.dir}: ${describeErrno(error)}`,
            changed: 'The ledger was not changed',
            fix: fixForErrno(error, this.options.stateDir),
            cause: error,
          });
        }
      }
      await this.dirExists();
      if (this.fs.lstatBigSync(this.pythonPath) === undefined) {
        const created = this.options.now().toISOString();
        const marker: Marker = { ...EMPTY_MARKER, last_prune: created, entry_names: ENTRY_NAMES };
        // The entry that follows fsyncs the directory; a lost marker only makes a prune due.
        await createExclusive(this.fs, this.markerPath, markerBytes(marker), {
          tempBase: ENTRY_TEMP_BASE,
          flushDir: null,
          label: 'The ledger bookkeeping file',
        });
      }
    }
    this.dirReady = true;
  }

  async listDir(): Promise<string[]> {
    try {
      return await this.fs.readdir(this.dir);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw stateError('STATE_READ', {
        path: this.dir,
        reason: 'readdir',
        happened: `Could not list the ledger directory ${this.dir}: ${describeErrno(error)}`,
        changed: 'Nothing was changed',
        cause: error,
      });
    }
  }

  async entryNames(): Promise<string[]> {
    return (await this.listDir()).filter(isEntryName);
  }

  /**
   * An entry, looked up by its name (claims, leases, readers); null when there is none. A missing
   * entry is a new claim's usual case, so it costs one lstat that throws nothing (a failed open
   * throws, and building that error costs a claim about 5 %, measured).
   */
  readEntry(file: string, key: string | null): DeliveryRecord | null {
    return this.fs.lstatBigSync(file) === undefined ? null : this.read(file, key);
  }

  /**
   * The one read of an entry, for look-ups and scans alike (a scan's names come from the
   * directory listing, so it skips the lstat); null when there is none. `key` null: only the
   * file knows it (hashed names). Open (no symlinks, never blocking), one read into a shared
   * buffer, close: three system calls, synchronously, since one async round trip per small file
   * costs more than the work. Anything unusual (nothing read, an over-long file, a read error
   * such as EISDIR) takes the careful path of `readStateFileSync` for the precise verdict, so a
   * FIFO, a device or a directory is damage, never a delivery.
   */
  private read(file: string, key: string | null): DeliveryRecord | null {
    let fd: number;
    try {
      fd = this.fs.openSync(file, READ_FLAGS);
    } catch (error) {
      return errnoOf(error) === 'ENOENT' ? null : this.readEntryCarefully(file, key);
    }
    let length: number;
    try {
      length = this.fs.readSync(fd, scanBuffer, scanBuffer.length);
    } catch {
      length = -1;
    } finally {
      try {
        this.fs.closeSync(fd);
      } catch {
        // A failed close of a read-only descriptor changes nothing.
      }
    }
    if (length <= 0 || length > ENTRY_MAX_BYTES) return this.readEntryCarefully(file, key);
    return parseEntry(scanBuffer.subarray(0, length), file, key);
  }

  private readEntryCarefully(file: string, key: string | null): DeliveryRecord | null {
    const bytes = readStateFileSync(this.fs, file, { maxBytes: ENTRY_MAX_BYTES });
    return bytes === null ? null : parseEntry(bytes, file, key);
  }

  /**
   * Reads every entry file (synchronously, in chunks: one async round trip per small file costs
   * more than the work). Damaged entries are returned with their error, never as deliveries.
   */
  async scanEntries(names?: readonly string[], onProgress?: (progress: ScanProgress) => void): Promise<ScannedEntry[]> {
    const list = names ?? (await this.entryNames());
    const out: ScannedEntry[] = [];
    await inSlices(
      list,
      (name) => {
        const file = this.entryFile(name);
        try {
          const record = this.read(file, keyOfEntryName(name));
          if (record) out.push({ name, file, record, damage: null });
        } catch (error) {
          if (!isDamage(error)) throw error;
          out.push({ name, file, record: null, damage: error });
        }
      },
      onProgress,
    );
    return out;
  }

  /** Identity of a file for "has it changed since we last looked?": inode, size and times. */
  stampOf(file: string): string {
    let stats;
    try {
      stats = this.fs.lstatBigSync(file);
      if (stats === undefined) return 'absent';
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return 'absent';
      throw stateError('STATE_READ', {
        path: file,
        reason: 'stat',
        happened: `Could not inspect ${file}: ${describeErrno(error)}`,
        changed: 'Nothing was changed',
        cause: error,
      });
    }
    if (stats.isSymbolicLink()) throw symlinkError(file);
    // Not ctime: a chmod or chown is no reason to import the file again.
    return `${stats.ino}:${stats.size}:${stats.mtimeNs}`;
  }

  async readMarkerFile(): Promise<Marker> {
    const bytes = await readStateFile(this.fs, this.markerPath, { maxBytes: ENTRY_MAX_BYTES });
    if (bytes === null) return EMPTY_MARKER;
    const value = parseJsonDocument(bytes, this.markerPath, 'deliveries');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw stateError('STATE_CORRUPT', {
        path: this.markerPath,
        reason: 'bad-marker',
        happened: `${this.markerPath} holds ${describeJsonType(value)}, not the ledger's bookkeeping object`,
        changed: 'It was not changed',
        fix: `Run \`${REPAIR_COMMAND.deliveries}\``,
      });
    }
    const record = value as Record<string, unknown>;
    return {
      format_version: LEDGER_FORMAT_VERSION,
      python_source: typeof record['python_source'] === 'string' ? record['python_source'] : null,
      last_prune: typeof record['last_prune'] === 'string' ? record['last_prune'] : null,
      entry_names: record['entry_names'] === ENTRY_NAMES ? ENTRY_NAMES : null,
    };
  }

  async readMarker(): Promise<Marker> {
    const stamp = this.stampOf(this.markerPath);
    if (this.markerCache?.stamp === stamp) return this.markerCache.marker;
    const marker = await this.readMarkerFile();
    this.markerCache = { stamp, marker };
    return marker;
  }

  async writeMarker(marker: Marker, lock: HeldLock): Promise<void> {
    await writeFileAtomic(this.fs, this.markerPath, markerBytes(marker), {
      lock,
      label: 'The ledger bookkeeping file',
    });
    this.markerCache = null;
  }

  /**
   * fsync of `deliveries/` through a descriptor kept open across claims: opening and closing the
   * directory for every claim cost two thread-pool round trips, a fifth of a claim. Before each
   * use a synchronous lstat checks that the path still names the directory the descriptor holds
   * (it may have been moved or recreated); if not, it is reopened. A bound function: a claim
   * hands it to its staged entry as the flush after the link.
   */
  readonly flushDir = async (): Promise<void> => {
    const current = this.fs.lstatBigSync(this.dir);
    let held = this.dirHandle;
    if (held !== null && (current === undefined || current.ino !== held.ino || current.dev !== held.dev)) {
      this.closeDir();
      held = null;
    }
    if (held === null) {
      const fd = this.fs.openSync(this.dir, constants.O_RDONLY | constants.O_DIRECTORY);
      const stats = this.fs.fstatBigSync(fd);
      held = { fd, ino: stats.ino, dev: stats.dev };
      this.dirHandle = held;
      dirHandles.register(this, held, this);
    }
    await this.fs.fsyncFd(held.fd);
  };

  /** Closes the kept directory descriptor (store.close(); else it goes with the store, see `dirHandles`). */
  closeDir(): void {
    const held = this.dirHandle;
    if (held === null) return;
    this.dirHandle = null;
    dirHandles.unregister(this);
    try {
      this.fs.closeSync(held.fd);
    } catch {
      // Closing a read-only directory descriptor cannot lose data.
    }
  }

  forgetCaches(): void {
    this.markerCache = null;
    this.dirReady = false;
  }
}

function markerBytes(marker: Marker): Buffer {
  return Buffer.from(`${JSON.stringify(marker)}\n`);
}
