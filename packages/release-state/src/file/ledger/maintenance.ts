// Ledger maintenance: the prune pass (retention and count limits, temp clean-up, the Python
// export) and when a claim runs one, the full check, the operator's reset of damaged ledger
// files, and the restore of a snapshot.
import * as path from 'node:path';
import type { DeliveryRecord, PruneResult, ResetResult, ScanProgress, StoreProblem } from '../../shared/contract';
import { describeErrno, errnoOf, isStateError, REPAIR_COMMAND, stateError } from '../../shared/errors';
import { nothingToReset } from '../../shared/refusals';
import { acquireLock, withLock, type HeldLock } from '../lock';
import { createExclusive, fsyncDir, isTempName, removeQuietly } from '../staged-file';
import {
  ENTRY_TEMP_BASE,
  entryName,
  isEntryName,
  LEDGER_DIR,
  MARKER_FILE,
  PYTHON_LEDGER_FILE,
  recordTimeMs,
  serializeEntry,
} from './entry';
import { EMPTY_MARKER, IO_CONCURRENCY, isDamage, mapLimit, type LedgerFiles, type Marker } from './files';
import type { PythonBridge } from './python';

/** Where damaged bytes are kept by a reset: `<path>.corrupt-<time>-<pid>` (release.json's too). */
export function keptAsidePath(file: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${file}.corrupt-${stamp}-${process.pid}`;
}

export class LedgerMaintenance {
  private claimsSincePrune = 0;

  constructor(
    private readonly files: LedgerFiles,
    private readonly python: PythonBridge,
  ) {}

  /** A claim was recorded (one more toward the next pass). */
  noteClaim(): void {
    this.claimsSincePrune++;
  }

  /**
   * During a claim: a prune pass when one is due (by time since the last, or claims since this
   * process's last), unless another process is pruning right now: claims never wait for a prune.
   */
  async pruneIfDue(marker: Marker): Promise<void> {
    if (!this.pruneDue(marker)) return;
    let lock: HeldLock;
    try {
      lock = await acquireLock(this.files.maintenanceLockPath, { ...this.files.options.lock, waitMs: 0 }, this.files.maintenanceTarget());
    } catch (error) {
      if (isStateError(error) && error.code === 'STATE_LOCK_TIMEOUT') return;
      throw error;
    }
    try {
      if (this.pruneDue(await this.files.readMarker())) await this.pruneLocked(lock);
    } finally {
      await lock.release();
    }
  }

  private pruneDue(marker: Marker): boolean {
    const { pruneEveryClaims, pruneIntervalMs, now } = this.files.options;
    if (this.claimsSincePrune >= pruneEveryClaims) return true;
    if (marker.last_prune === null) return true;
    const last = Date.parse(marker.last_prune);
    return Number.isNaN(last) || now().getTime() - last >= pruneIntervalMs;
  }

  /**
   * Under the maintenance lock: removes entries older than the retention, counted from the time
   * recorded inside the entry (`completedAt`, else `recordedAt`; never the file mtime, which a copy
   * without -p resets), then the oldest beyond `maxDeliveries`; clears temp files left by crashed
   * writers; exports delivery_ids.json in the Python format. Entries imported from Python carry no
   * time: they count from their import, kept as the file's mtime. Damaged entries are left alone
   * for `booty state check` to report.
   */
  async pruneLocked(lock: HeldLock): Promise<PruneResult> {
    const { options, fs } = this.files;
    const nowMs = options.now().getTime();
    const names = await this.files.listDir();
    const doomed: string[] = [];
    for (const name of names) {
      // A per-key lock left by a process that died is broken by the next takeover of its key;
      // one that no key ever needs again would stay, so it goes once it is long past stale
      // (a live holder's heartbeat keeps its ctime within `staleMs / 4`).
      const keyLock = name.startsWith('.') && name.endsWith('.json.lock');
      if (!keyLock && !isTempName(name, ENTRY_TEMP_BASE) && !isTempName(name, MARKER_FILE)) continue;
      try {
        // ctime, not mtime: a temp file may carry an import time as its mtime.
        const ageMs = Date.now() - fs.lstatSync(this.files.entryFile(name)).ctimeMs;
        if (ageMs > options.lock.staleMs * (keyLock ? 4 : 1)) doomed.push(name);
      } catch {
        // Gone already.
      }
    }
    const scanned = await this.files.scanEntries(names.filter(isEntryName));
    const dated: { name: string; record: DeliveryRecord; atMs: number }[] = [];
    for (const entry of scanned) {
      if (entry.record === null) continue;
      let atMs = recordTimeMs(entry.record);
      if (atMs === null) {
        try {
          atMs = fs.lstatSync(entry.file).mtimeMs;
        } catch (error) {
          if (errnoOf(error) === 'ENOENT') continue;
          throw stateError('STATE_READ', {
            path: entry.file,
            reason: 'stat',
            happened: `Could not inspect ${entry.file} while pruning the ledger: ${describeErrno(error)}`,
            changed: 'Nothing was removed',
            cause: error,
          });
        }
      }
      dated.push({ name: entry.name, record: entry.record, atMs });
    }
    const cutoff = nowMs - options.retentionMs;
    const kept = dated.filter((entry) => entry.atMs >= cutoff);
    let removed = dated.length - kept.length;
    for (const entry of dated) if (entry.atMs < cutoff) doomed.push(entry.name);
    if (kept.length > options.maxDeliveries) {
      kept.sort((a, b) => b.atMs - a.atMs || (a.name < b.name ? -1 : 1));
      const excess = kept.splice(options.maxDeliveries);
      removed += excess.length;
      for (const entry of excess) doomed.push(entry.name);
    }
    await mapLimit(doomed, IO_CONCURRENCY, (name) => removeQuietly(fs, this.files.entryFile(name)));
    if (doomed.length > 0) await fsyncDir(fs, this.files.dir);
    const source = await this.python.export(
      kept.map((entry) => entry.record),
      lock,
    );
    const current = await this.files.readMarker();
    await this.files.writeMarker({ ...current, python_source: source, last_prune: new Date(nowMs).toISOString() }, lock);
    this.claimsSincePrune = 0;
    return { removed, kept: kept.length };
  }

  /** A prune pass now (`deliveries.prune()`), after any pending import of delivery_ids.json. */
  async prune(): Promise<PruneResult> {
    await this.files.ensureDir();
    await this.python.syncForWrite();
    const { maintenanceLockPath, options } = this.files;
    return withLock(maintenanceLockPath, options.lock, this.files.maintenanceTarget(), (lock) => this.pruneLocked(lock));
  }

  /** Every damaged ledger file (delivery_ids.json, the bookkeeping file, each entry), and the healthy entries. Changes nothing. */
  async check(onProgress?: (progress: ScanProgress) => void): Promise<{ problems: StoreProblem[]; healthy: number }> {
    const problems: StoreProblem[] = [];
    const problem = (target: string, error: { details: { reason?: string }; message: string }) =>
      problems.push({
        part: 'deliveries',
        target,
        reason: error.details.reason ?? 'bad-entry',
        message: error.message,
        repair: REPAIR_COMMAND.deliveries,
      });
    let pythonEntries: Map<string, string> | null = null;
    try {
      this.python.forgetCache();
      pythonEntries = (await this.python.read())?.entries ?? null;
    } catch (error) {
      if (!isDamage(error)) throw error;
      problem(this.files.pythonPath, error);
    }
    let pythonSource: string | null = null;
    try {
      pythonSource = (await this.files.readMarkerFile()).python_source;
    } catch (error) {
      if (!isDamage(error)) throw error;
      problem(this.files.markerPath, error);
    }
    const scanned = await this.files.scanEntries(undefined, onProgress);
    let healthy = 0;
    const present = new Set<string>();
    for (const entry of scanned) {
      if (entry.record) {
        healthy++;
        present.add(entry.record.key);
      } else problem(entry.file, entry.damage);
    }
    if (pythonEntries && this.files.stampOf(this.files.pythonPath) !== pythonSource) {
      for (const key of pythonEntries.keys()) if (!present.has(key)) healthy++;
    }
    return { problems, healthy };
  }

  /**
   * Moves every ledger file that does not parse (or is not a regular file) into
   * `<stateDir>/deliveries.corrupt-<time>-<pid>/`, keeping every valid entry.
   * STATE_INVALID_INPUT (`nothing-to-reset`) when there is nothing to move.
   */
  async reset(): Promise<ResetResult> {
    return withLock(this.files.maintenanceLockPath, this.files.options.lock, this.files.maintenanceTarget(), async () => {
      const { fs, options } = this.files;
      const backupPath = keptAsidePath(path.join(options.stateDir, LEDGER_DIR), options.now());
      const moves: { from: string; to: string }[] = [];
      const damaged = async (read: () => Promise<unknown>) =>
        read().then(
          () => false,
          (error: unknown) => {
            // A symlink must be moved itself, never followed: rename does exactly that.
            if (isDamage(error)) return true;
            throw error;
          },
        );
      this.python.forgetCache();
      const { pythonPath, markerPath } = this.files;
      const keptLedger = path.join(backupPath, LEDGER_DIR);
      if (await damaged(() => this.python.read())) moves.push({ from: pythonPath, to: path.join(backupPath, PYTHON_LEDGER_FILE) });
      if (await damaged(() => this.files.readMarkerFile())) moves.push({ from: markerPath, to: path.join(keptLedger, MARKER_FILE) });
      for (const entry of await this.files.scanEntries()) {
        if (entry.damage) moves.push({ from: entry.file, to: path.join(backupPath, LEDGER_DIR, entry.name) });
      }
      if (moves.length === 0) {
        throw nothingToReset(this.files.dir, `${this.files.pythonPath} and every entry under ${this.files.dir} read correctly`);
      }
      await fs.mkdirp(path.join(backupPath, LEDGER_DIR), 0o700);
      for (const move of moves) await fs.rename(move.from, move.to);
      await fsyncDir(fs, path.join(backupPath, LEDGER_DIR));
      await fsyncDir(fs, backupPath);
      await fsyncDir(fs, options.stateDir);
      if (await this.files.dirExists()) await fsyncDir(fs, this.files.dir);
      this.files.forgetCaches();
      this.python.forgetCache();
      return { part: 'deliveries', keptAt: [backupPath], repaired: moves.length };
    });
  }

  /** True when the ledger holds nothing at all: no entry file (damaged or not) and no Python entry. */
  async isEmpty(): Promise<boolean> {
    if ((await this.files.entryNames()).length > 0) return false;
    const python = await this.python.read().catch((error: unknown) => {
      if (isDamage(error)) return { entries: new Map([['', '']]) };
      throw error;
    });
    return python === null || python.entries.size === 0;
  }

  /**
   * Under the maintenance lock: with `replace`, removes every entry first; then writes each
   * record (exclusive create: a claim that races in meanwhile keeps its own entry), flushes the
   * directory once, and exports delivery_ids.json so the Python format agrees.
   */
  async restore(records: readonly DeliveryRecord[], replace: boolean, signal?: AbortSignal): Promise<void> {
    await this.files.ensureDir();
    await withLock(this.files.maintenanceLockPath, this.files.options.lock, this.files.maintenanceTarget(), async (lock) => {
      const { fs } = this.files;
      if (replace) {
        const names = await this.files.entryNames();
        await mapLimit(names, IO_CONCURRENCY, (name) => removeQuietly(fs, this.files.entryFile(name)));
      }
      await mapLimit(records, IO_CONCURRENCY, (record) => {
        // A copy that is stopped stops here (its staging directory is then removed).
        signal?.throwIfAborted();
        return createExclusive(fs, this.files.entryFile(entryName(record.key)), serializeEntry(record), {
          tempBase: ENTRY_TEMP_BASE,
          flushDir: null,
          label: `The copied claim ${record.key}`,
        });
      });
      await fsyncDir(fs, this.files.dir);
      const all = (await this.files.scanEntries()).flatMap((entry) => (entry.record ? [entry.record] : []));
      const source = await this.python.export(all, lock);
      const current = await this.files.readMarker().catch(() => EMPTY_MARKER);
      await this.files.writeMarker({ ...current, python_source: source }, lock);
    });
  }
}

