// The ledger's files on disk: where they are, how the directory is made and listed, the one read
// of an entry, the identity of a file, the bookkeeping file (marker.ts) read and written, and the
// per-key lock. Shared by claims, leases, readers, the Python bridge and maintenance; holds no
// policy of its own.
import * as path from 'node:path';
import type { DeliveryRecord, ScanProgress } from '../../shared/contract-deliveries';
import { describeErrno, errnoOf, isStateError, stateError, type StateError } from '../../shared/errors';
import type { LedgerSettings } from '../../shared/options';
import { fixForErrno } from '../advice';
import { READ_FLAGS, type FsSeam } from '../fs-seam';
import { lockPathFor, withLock, type HeldLock, type LockSettings } from '../lock';
import { readStateFile, readStateFileSync } from '../read-file';
import { assertDirectoryOrAbsent, symlinkError } from '../safety';
import { createExclusive, writeFileAtomic } from '../staged-file';
import { inSlices } from './bulk';
import {
  ENTRY_MAX_BYTES,
  ENTRY_TEMP_BASE,
  isEntryName,
  keyOfEntryName,
  LEDGER_DIR,
  MARKER_FILE,
  parseEntry,
  PYTHON_LEDGER_FILE,
} from './entry';
import { KeptDirectory } from './kept-dir';
import { EMPTY_MARKER, ENTRY_NAMES, markerBytes, parseMarker, type Marker } from './marker';

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

/** One more byte than an entry may have, so that an over-long file is seen as such. */
const scanBuffer = Buffer.allocUnsafe(ENTRY_MAX_BYTES + 1);

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
  private readonly keptDir: KeptDirectory;
  /**
   * fsync of `deliveries/` through a descriptor kept open across claims (kept-dir.ts). A bound
   * function: a claim hands it to its staged entry as the flush after the link.
   */
  readonly flushDir: () => Promise<void>;

  constructor(options: LedgerOptions) {
    this.options = options;
    this.dir = path.join(options.stateDir, LEDGER_DIR);
    this.pythonPath = path.join(options.stateDir, PYTHON_LEDGER_FILE);
    this.markerPath = path.join(this.dir, MARKER_FILE);
    this.maintenanceLockPath = lockPathFor(this.pythonPath);
    this.keptDir = new KeptDirectory(options.fs, this.dir);
    this.flushDir = this.keptDir.flush;
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

  /** The bookkeeping file as it is on disk, uncached (a check, a reset). */
  async readMarkerFile(): Promise<Marker> {
    const bytes = await readStateFile(this.fs, this.markerPath, { maxBytes: ENTRY_MAX_BYTES });
    return bytes === null ? EMPTY_MARKER : parseMarker(bytes, this.markerPath);
  }

  /** The bookkeeping file, read again only when its identity (`stampOf`) changed. */
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

  /** Closes the kept directory descriptor (store.close(); else it goes with the store, see kept-dir.ts). */
  closeDir(): void {
    this.keptDir.close();
  }

  forgetCaches(): void {
    this.markerCache = null;
    this.dirReady = false;
  }
}
