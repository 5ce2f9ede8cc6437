// Claims: the lock-free exactly-once claim, leases (takeover, complete, release), and the
// readers (get, has, count, tally, list).
//
// A new claim takes no lock: its entry file is published with `link()`, which fails if the name
// exists, so exactly one claimant per key wins on one host. Takeover of an ended lease, complete
// and release change an existing entry, so they run under a per-key sidecar lock
// (`deliveries/.<entry>.lock`) and replace the entry with a rename. Why a lock and not an
// exclusive "attempt N" marker file: a marker left by a process that died between making it and
// rewriting the entry would block the key for good unless markers went stale, which is what the
// lock already does (bounded wait, broken after `lockStaleMs`, ownership checked before the
// rename); and the entry stays one file, so readers still need one open. These operations are
// rare (a holder died, or a claim ends), so the lock costs nothing on the hot path.
import type { ClaimInput, ClaimResult, CompleteInput, Deliveries, DeliveryKeyInput, DeliveryRecord, ListClaimsOptions, PruneResult } from '../../shared/contract';
import { createExclusive, fsyncDir, removeQuietly, writeFileAtomic } from '../atomic-file';
import { isStateError, stateError, type StateError } from '../../shared/errors';
import { acquireLock, withLock, type HeldLock, type LockTarget } from '../lock';
import { describeJsonType } from '../../shared/release-state';
import {
  deliveryKey,
  entryName,
  fullRecord,
  invalidInput,
  REPAIR_DELIVERIES,
  serializeEntry,
  validateAttempt,
  validateDeliveryId,
  validateLeaseMs,
  validateListLimit,
  validateOutcome,
  validateRepo,
} from './entry';
import { isDamage, LedgerFiles, type LedgerOptions, type Marker } from './files';
import { LedgerMaintenance } from './maintenance';
import { PythonBridge } from './python';


export class DeliveryLedger implements Deliveries {
  readonly files: LedgerFiles;
  readonly python: PythonBridge;
  readonly maintenance: LedgerMaintenance;
  private claimsSincePrune = 0;

  constructor(options: LedgerOptions) {
    this.files = new LedgerFiles(options);
    this.python = new PythonBridge(this.files);
    this.maintenance = new LedgerMaintenance(this.files, this.python);
  }

  get dir(): string {
    return this.files.dir;
  }

  /** Gives back the kept directory descriptor. */
  close(): void {
    this.files.closeDir();
  }

  private get options(): LedgerOptions {
    return this.files.options;
  }

  async claim(input: ClaimInput): Promise<ClaimResult> {
    const key = deliveryKey(input, this.dir);
    const deliveryId = validateDeliveryId(input.deliveryId, this.dir);
    const leaseMs = validateLeaseMs(input.leaseMs, this.dir);
    await this.files.ensureDir();
    const name = entryName(key);
    const file = this.files.entryFile(name);
    // Python import and the prune check must be done before our entry gets its name, not
    // before its bytes are written: they run while the temp file is being created (the JS work
    // overlaps the thread pool's), and the link waits for them. An entry they import for this
    // key makes our link fail with EEXIST, so the Python claim wins, as it must.
    let ready: Promise<void> | null = null;
    const prepared = () => {
      ready ??= this.python.syncForWrite().then((marker) => this.maybePrune(marker));
      return ready;
    };
    // A second round only if the winner's entry was released or pruned between our tries.
    for (let round = 0; round < 3; round++) {
      // Synchronous: a missing entry is one lstat, microseconds (see FsSeam).
      const existing = this.files.readEntryIfPresentSync(file, key);
      if (existing) {
        if (!this.leaseEnded(existing)) return lost(existing, deliveryId);
        await prepared();
        const result = await this.takeOver(name, key, deliveryId, leaseMs);
        if (result) return result;
        continue;
      }
      const at = this.options.now();
      const record = fullRecord({ key, deliveryId, recordedAt: at.toISOString(), leaseExpiresAt: leaseMs === null ? null : new Date(at.getTime() + leaseMs).toISOString() });
      const creating = createExclusive(this.files.fs, this.dir, name, serializeEntry(record), {
        label: `The claim of ${key}`,
        beforeCommit: prepared,
        flushDir: () => this.files.flushDir(),
      });
      // Started now, while the temp file's open is in flight; awaited before the link. If the
      // create fails first, its error is the one reported and this one is dropped.
      prepared().catch(() => undefined);
      const outcome = await creating;
      if (outcome === 'created') {
        this.claimsSincePrune++;
        return { claimed: true, redelivery: false, takeover: false, record };
      }
    }
    throw stateError('STATE_WRITE', {
      path: file,
      reason: 'claim-race',
      happened: `Could not claim ${key}: its entry ${file} kept appearing and disappearing`,
      changed: 'The ledger was not changed',
      fix: 'Retry the claim',
    });
  }

  /** An uncompleted lease whose end has passed: its holder presumably died. */
  private leaseEnded(record: DeliveryRecord): boolean {
    return record.completedAt === null && record.leaseExpiresAt !== null && Date.parse(record.leaseExpiresAt) <= this.options.now().getTime();
  }

  private keyTarget(name: string, key: string): LockTarget {
    return { path: this.files.entryFile(name), label: `The claim of ${key}` };
  }

  private withKeyLock<T>(name: string, key: string, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
    return withLock(this.files.keyLockPath(name), this.options.lock, this.keyTarget(name, key), fn);
  }

  /** Under the key's lock: if the lease is still ended, the caller becomes the holder (attempt + 1). Null: the entry is gone. */
  private takeOver(name: string, key: string, deliveryId: string, leaseMs: number | null): Promise<ClaimResult | null> {
    return this.withKeyLock(name, key, async (lock) => {
      const file = this.files.entryFile(name);
      const current = await this.files.readEntry(file, key);
      if (!current) return null;
      if (!this.leaseEnded(current)) return lost(current, deliveryId);
      const at = this.options.now();
      const record: DeliveryRecord = {
        ...current,
        deliveryId,
        attempt: current.attempt + 1,
        leaseExpiresAt: leaseMs === null ? null : new Date(at.getTime() + leaseMs).toISOString(),
        completedAt: null,
        outcome: null,
      };
      await writeFileAtomic(this.files.fs, file, serializeEntry(record), { beforeCommit: () => lock.assertHeld(), label: `The claim of ${key}` });
      return { claimed: true, redelivery: false, takeover: true, record };
    });
  }

  async complete(input: CompleteInput): Promise<DeliveryRecord> {
    const key = deliveryKey(input, this.dir);
    const deliveryId = validateDeliveryId(input.deliveryId, this.dir);
    const outcome = validateOutcome(input.outcome, this.dir);
    const attempt = validateAttempt(input.attempt, this.dir);
    await this.files.ensureDir();
    await this.python.syncForWrite();
    const name = entryName(key);
    return this.withKeyLock(name, key, async (lock) => {
      const file = this.files.entryFile(name);
      const current = await this.files.readEntry(file, key);
      if (!current || current.deliveryId !== deliveryId || (attempt !== null && attempt !== current.attempt)) {
        throw leaseLost(file, key, deliveryId, attempt, current);
      }
      // Completing twice (a retry whose reply was lost) returns the final record as it is.
      if (current.completedAt !== null) return current;
      const record: DeliveryRecord = { ...current, leaseExpiresAt: null, completedAt: this.options.now().toISOString(), outcome };
      await writeFileAtomic(this.files.fs, file, serializeEntry(record), { beforeCommit: () => lock.assertHeld(), label: `The claim of ${key}` });
      return record;
    });
  }

  async release(input: DeliveryKeyInput): Promise<boolean> {
    const key = deliveryKey(input, this.dir);
    await this.files.ensureDir();
    await this.python.syncForWrite();
    const name = entryName(key);
    return this.withKeyLock(name, key, async (lock) => {
      const file = this.files.entryFile(name);
      // A damaged entry is refused, not deleted: its bytes are kept only by `booty state reset
      // deliveries`, which moves them aside (the damage error says so).
      if ((await this.files.readEntry(file, key)) === null) return false;
      await lock.assertHeld();
      const failed = await removeQuietly(this.files.fs, file);
      if (failed !== null) {
        throw stateError('STATE_WRITE', {
          path: file,
          reason: 'write',
          happened: `Could not remove the claim ${file}: ${failed}`,
          changed: 'The claim is still recorded',
          fix: `Make ${this.dir} writable and retry`,
        });
      }
      await fsyncDir(this.files.fs, this.dir);
      return true;
    });
  }

  async has(input: DeliveryKeyInput): Promise<boolean> {
    return (await this.get(input)) !== null;
  }

  async get(input: DeliveryKeyInput): Promise<DeliveryRecord | null> {
    const key = deliveryKey(input, this.dir);
    const entry = await this.files.readEntry(this.files.entryFile(entryName(key)), key);
    if (entry) return entry;
    const deliveryId = (await this.python.pending())?.get(key);
    return deliveryId === undefined ? null : PythonBridge.record(key, deliveryId);
  }

  async count(): Promise<number> {
    return (await this.tally()).entries;
  }

  /**
   * Reads and parses every entry: a file that exists is not a delivery until it parses, and no
   * cheaper summary (a counter, the directory listing, sizes) can see damage made behind the
   * store's back. The read is the cheapest there is (open, one read into a shared buffer, close,
   * synchronously in chunks): about 1.1x the bare open+read+close of the same files, some 100 ms
   * for 10,000 entries here. Python entries not yet imported count too.
   */
  async tally(): Promise<{ entries: number; damaged: number }> {
    const scanned = await this.files.scanEntries();
    let entries = 0;
    let damaged = 0;
    const present = new Set<string>();
    for (const entry of scanned) {
      if (entry.record) {
        entries++;
        present.add(entry.record.key);
      } else damaged++;
    }
    // A damaged delivery_ids.json or bookkeeping file is not one bad entry: no claim can be made
    // until it reads, like a damaged release.json, so it is the error (naming the repair).
    const pending = await this.python.pending();
    if (pending) for (const key of pending.keys()) if (!present.has(key)) entries++;
    return { entries, damaged };
  }

  async list(options: ListClaimsOptions = {}): Promise<DeliveryRecord[]> {
    if (typeof options !== 'object' || options === null) throw invalidInput(this.dir, 'options', `expected { repo?, limit? }, got ${describeJsonType(options)}`);
    const repo = options.repo === undefined ? null : validateRepo(options.repo, this.dir).toLowerCase();
    const limit = validateListLimit(options.limit, this.dir);
    const records = (await this.records({ strict: false })).filter((record) => repo === null || record.key.toLowerCase().startsWith(`${repo}:`));
    records.sort(newestFirst);
    return records.slice(0, limit);
  }

  /** Every healthy record, Python entries not imported yet included. `strict`: damage is an error (snapshot). */
  async records({ strict }: { strict: boolean }): Promise<DeliveryRecord[]> {
    const scanned = await this.files.scanEntries();
    const damaged = scanned.filter((entry) => entry.damage !== null);
    if (strict && damaged.length > 0) {
      const first = damaged[0]?.damage as StateError;
      throw stateError('STATE_CORRUPT', {
        path: first.path,
        reason: 'bad-entry',
        happened: `${damaged.length} ledger ${damaged.length === 1 ? 'entry does' : 'entries do'} not read correctly, the first ${first.path}`,
        changed: 'Nothing was copied or changed',
        fix: `Run \`booty state check\` to list them, then \`${REPAIR_DELIVERIES}\``,
      });
    }
    const out: DeliveryRecord[] = [];
    const present = new Set<string>();
    for (const entry of scanned) {
      if (!entry.record) continue;
      out.push(entry.record);
      present.add(entry.record.key);
    }
    let pending: Map<string, string> | null = null;
    try {
      pending = await this.python.pending();
    } catch (error) {
      if (strict || !isDamage(error)) throw error;
    }
    if (pending) for (const [key, deliveryId] of pending) if (!present.has(key)) out.push(PythonBridge.record(key, deliveryId));
    return out;
  }

  /** Runs a prune pass now; claims run one when it is due. */
  async prune(): Promise<PruneResult> {
    await this.files.ensureDir();
    await this.python.syncForWrite();
    const result = await this.maintenance.prune();
    this.claimsSincePrune = 0;
    return result;
  }

  private async maybePrune(marker: Marker): Promise<void> {
    if (!this.pruneDue(marker)) return;
    let lock: HeldLock;
    try {
      lock = await acquireLock(this.files.maintenanceLockPath, { ...this.options.lock, waitMs: 0 }, this.files.maintenanceTarget());
    } catch (error) {
      // Someone else is maintaining the ledger right now; claims never wait for a prune.
      if (isStateError(error) && error.code === 'STATE_LOCK_TIMEOUT') return;
      throw error;
    }
    try {
      if (this.pruneDue(await this.files.readMarker())) {
        await this.maintenance.pruneLocked(lock);
        this.claimsSincePrune = 0;
      }
    } finally {
      await lock.release();
    }
  }

  private pruneDue(marker: Marker): boolean {
    if (this.claimsSincePrune >= this.options.pruneEveryClaims) return true;
    if (marker.last_prune === null) return true;
    const last = Date.parse(marker.last_prune);
    return Number.isNaN(last) || this.options.now().getTime() - last >= this.options.pruneIntervalMs;
  }
}

function lost(record: DeliveryRecord, deliveryId: string): ClaimResult {
  return { claimed: false, redelivery: record.deliveryId === deliveryId, takeover: false, record };
}

function newestFirst(a: DeliveryRecord, b: DeliveryRecord): number {
  if (a.recordedAt !== b.recordedAt) {
    if (a.recordedAt === null) return 1;
    if (b.recordedAt === null) return -1;
    return Date.parse(b.recordedAt) - Date.parse(a.recordedAt) || (a.recordedAt < b.recordedAt ? 1 : -1);
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function leaseLost(file: string, key: string, deliveryId: string, attempt: number | null, current: DeliveryRecord | null): StateError {
  const held =
    current === null
      ? 'no claim of it is recorded (it was released or pruned)'
      : current.deliveryId !== deliveryId
        ? `it is held by another delivery (attempt ${current.attempt}): the lease ended and was taken over`
        : `it is at attempt ${current.attempt}, not ${String(attempt)}: the lease ended and was taken over`;
  return stateError('STATE_LEASE_LOST', {
    path: file,
    reason: 'lease-lost',
    happened: `The delivery ${JSON.stringify(deliveryId.slice(0, 80))} cannot complete ${key}: ${held}`,
    changed: 'The claim was not changed',
    fix: 'Do not act on this delivery; the current holder completes it (see `booty state check` for the store)',
    details: { field: 'deliveryId' },
  });
}
