// Ledger maintenance: when a prune pass runs and how it ends (its work on the files is sweep.ts),
// the full check, the operator's reset of damaged ledger files, and the restore of a snapshot.
//
// No claim waits for a prune pass. Once a claim is recorded and a pass is due (the last one is an
// hour old, or this process has recorded a tenth of the count limit since its last), the pass
// starts in the background of the process and the claim returns: a pass reads every entry (O(n):
// a second or more at 100,000 entries), so inside a claim it would stretch that claim past what a
// webhook's answer may take. In the background its sweep runs in a worker thread, so the claims
// beside it keep their pace; another process's pass in progress is skipped, not waited for;
// `close()` waits for it.
import * as path from 'node:path';
import type { ResetResult, StoreProblem } from '../../shared/contract';
import type { CountLimit, DeliveryRecord, PruneResult, ScanProgress } from '../../shared/contract-deliveries';
import { isStateError, REPAIR_COMMAND } from '../../shared/errors';
import { keyIdentity } from '../../shared/input';
import { nothingToReset } from '../../shared/refusals';
import { countLimit } from '../../shared/retention';
import { acquireLock, withLock, type HeldLock } from '../lock';
import { createExclusive, fsyncDir, removeQuietly } from '../staged-file';
import { datedEntries } from './ages';
import { ENTRY_TEMP_BASE, entryName, LEDGER_DIR, MARKER_FILE, PYTHON_LEDGER_FILE, serializeEntry } from './entry';
import { IO_CONCURRENCY, mapLimit } from './bulk';
import { isDamage, keptAsidePath, type LedgerFiles } from './files';
import { EMPTY_MARKER, ENTRY_NAMES, type Marker } from './marker';
import type { PythonBridge } from './python';
import { sweep, sweepInWorker, type SweepResult } from './sweep';
import { syncForWrite, syncLocked } from './sync';

export class LedgerMaintenance {
  private claimsSincePrune = 0;
  /** The background pass in progress, if any. */
  private background: Promise<void> | null = null;
  /** After a background pass failed: none before this time (ms since the epoch). */
  private retryAfterMs = 0;

  constructor(
    private readonly files: LedgerFiles,
    private readonly python: PythonBridge,
  ) {}

  /**
   * A claim was recorded (one more toward the next pass). When a pass is due, it starts in the
   * background; the claim does not wait for it.
   */
  claimRecorded(marker: Marker): void {
    this.claimsSincePrune++;
    if (this.background !== null || Date.now() < this.retryAfterMs || !this.pruneDue(marker)) return;
    this.background = this.backgroundPass().finally(() => {
      this.background = null;
    });
  }

  /** Resolves once no background pass is in progress (store.close()). */
  async idle(): Promise<void> {
    await this.background;
  }

  /**
   * A pass unless another process is pruning right now (then it is skipped, not waited for), its
   * sweep in a worker thread (sweep.ts). A failure does not reach any claim: the next pass is
   * tried after the prune interval, and `booty state prune` (the foreground pass) reports what
   * stops it.
   */
  private async backgroundPass(): Promise<void> {
    try {
      let lock: HeldLock;
      try {
        const once = { ...this.files.options.lock, waitMs: 0 };
        lock = await acquireLock(this.files.maintenanceLockPath, once, this.files.maintenanceTarget());
      } catch (error) {
        if (isStateError(error) && error.code === 'STATE_LOCK_TIMEOUT') return;
        throw error;
      }
      try {
        if (!this.pruneDue(await this.files.readMarker())) return;
        await syncLocked({ files: this.files, python: this.python }, lock);
        const nowMs = this.files.options.now().getTime();
        await this.finishPass(await (sweepInWorker(this.files, nowMs) ?? sweep(this.files, nowMs)), nowMs, lock);
      } finally {
        await lock.release();
      }
    } catch {
      this.claimsSincePrune = 0;
      this.retryAfterMs = Date.now() + this.files.options.pruneIntervalMs;
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
   * A prune pass now (`deliveries.prune()`), waiting for one in progress, in this thread: under
   * the maintenance lock, the directory caught up (sync.ts), then the sweep (sweep.ts: the bounds
   * of shared/retention.ts, temp clean-up, the Python export's bytes), then its writes.
   */
  async prune(): Promise<PruneResult> {
    await this.files.ensureDir();
    await syncForWrite({ files: this.files, python: this.python });
    const { maintenanceLockPath, options } = this.files;
    return withLock(maintenanceLockPath, options.lock, this.files.maintenanceTarget(), async (lock) => {
      await syncLocked({ files: this.files, python: this.python }, lock);
      const nowMs = options.now().getTime();
      return this.finishPass(await sweep(this.files, nowMs), nowMs, lock);
    });
  }

  /** The end of a pass, under the maintenance lock: delivery_ids.json written, then the bookkeeping. */
  private async finishPass(swept: SweepResult, nowMs: number, lock: HeldLock): Promise<PruneResult> {
    const source = await this.python.writeExport(swept.pythonExport, lock);
    const current = await this.files.readMarker();
    const lastPrune = new Date(nowMs).toISOString();
    await this.files.writeMarker({ ...current, python_source: source, last_prune: lastPrune }, lock);
    this.claimsSincePrune = 0;
    return { removed: swept.removed, kept: swept.kept, limit: swept.limit };
  }

  /**
   * Every damaged ledger file (delivery_ids.json, the bookkeeping file, each entry), the healthy
   * entries, and how they stand against the count limit. Changes nothing.
   */
  async check(
    onProgress?: (progress: ScanProgress) => void,
  ): Promise<{ problems: StoreProblem[]; healthy: number; limit: CountLimit | null }> {
    const problems: StoreProblem[] = [];
    const problem = (target: string, error: { details: { reason?: string }; message: string }) =>
      problems.push({
        part: 'deliveries',
        target,
        reason: error.details.reason ?? 'bad-entry',
        message: error.message,
        repair: REPAIR_COMMAND.deliveries,
      });
    let pythonEntries: Map<string, unknown> | null = null;
    try {
      this.python.forgetCache();
      pythonEntries = (await this.python.read())?.byIdentity ?? null;
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
    for (const entry of scanned) if (entry.damage !== null) problem(entry.file, entry.damage);
    const nowMs = this.files.options.now().getTime();
    const ages: { atMs: number }[] = await datedEntries(this.files, scanned, nowMs);
    const present = new Set(scanned.flatMap((entry) => (entry.record ? [keyIdentity(entry.record.key)] : [])));
    if (pythonEntries && this.files.stampOf(this.files.pythonPath) !== pythonSource) {
      for (const identity of pythonEntries.keys()) if (!present.has(identity)) ages.push({ atMs: nowMs });
    }
    return { problems, healthy: ages.length, limit: countLimit(ages, this.files.options, nowMs) };
  }

  /**
   * Moves every ledger file that does not parse (or is not a regular file) into
   * `<stateDir>/deliveries.corrupt-<time>-<pid>/`, keeping every valid entry.
   * STATE_INVALID_INPUT (`nothing-to-reset`) when there is nothing to move.
   */
  async reset(): Promise<ResetResult> {
    return withLock(
      this.files.maintenanceLockPath,
      this.files.options.lock,
      this.files.maintenanceTarget(),
      async () => {
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
        if (await damaged(() => this.python.read()))
          moves.push({ from: pythonPath, to: path.join(backupPath, PYTHON_LEDGER_FILE) });
        if (await damaged(() => this.files.readMarkerFile()))
          moves.push({ from: markerPath, to: path.join(keptLedger, MARKER_FILE) });
        for (const entry of await this.files.scanEntries()) {
          if (entry.damage) moves.push({ from: entry.file, to: path.join(backupPath, LEDGER_DIR, entry.name) });
        }
        if (moves.length === 0) {
          throw nothingToReset(
            this.files.dir,
            `${this.files.pythonPath} and every entry under ${this.files.dir} read correctly`,
          );
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
      },
    );
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
    await withLock(
      this.files.maintenanceLockPath,
      this.files.options.lock,
      this.files.maintenanceTarget(),
      async (lock) => {
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
        // Every entry written here has its identity's name, and the ledger held nothing else
        // (restore refuses a non-empty one unless it replaces everything).
        await this.files.writeMarker({ ...current, python_source: source, entry_names: ENTRY_NAMES }, lock);
      },
    );
  }
}
