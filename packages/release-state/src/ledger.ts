import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { createExclusive, fsyncDir, isTempName, readStateFile, readStateFileSync, removeQuietly, symlinkError, writeFileAtomic } from './atomic-file';
import { describeErrno, errnoDetails, errnoOf, isStateError, StateError } from './errors';
import type { FsSeam } from './fs-seam';
import { parseJsonDocument } from './json';
import { acquireLock, lockPathFor, withLock, type HeldLock, type LockSettings } from './lock';
import { describeJsonType } from './release-state';
import { assertDirectoryOrAbsent } from './state-dir';

/** One claimed (repository, commit): who claimed it and when. */
export interface DeliveryRecord {
  /** `owner/repo:head_sha`, the key of the Python implementation. */
  key: string;
  /** The `X-GitHub-Delivery` id of the delivery that claimed it. */
  deliveryId: string;
  /** ISO-8601 UTC; null for entries that came from the Python `delivery_ids.json` (it kept no time). */
  recordedAt: string | null;
}

export interface ClaimResult {
  /** True for exactly one caller per key, across every process on the host. */
  claimed: boolean;
  /** True when the key was already claimed by this same delivery id: GitHub redelivered it. */
  redelivery: boolean;
  /** The winner's record (ours when `claimed`). */
  record: DeliveryRecord;
}

export interface DeliveryKeyInput {
  /** `owner/name`. */
  repo: string;
  /** The full commit SHA: 40 hex digits (or 64 for SHA-256 repositories); upper case is folded. */
  headSha: string;
}

export interface ClaimInput extends DeliveryKeyInput {
  /** The `X-GitHub-Delivery` header: non-empty, at most 200 characters, no control characters. */
  deliveryId: string;
}

export interface Deliveries {
  /** Check-and-record in one atomic step. */
  claim(input: ClaimInput): Promise<ClaimResult>;
  has(input: DeliveryKeyInput): Promise<boolean>;
  get(input: DeliveryKeyInput): Promise<DeliveryRecord | null>;
  /** Entries held now (pruning happens during claims). */
  count(): Promise<number>;
}

export const LEDGER_DIR = 'deliveries';
export const PYTHON_LEDGER_FILE = 'delivery_ids.json';
const MARKER_FILE = '.ledger.json';
const ENTRY_SUFFIX = '.json';
const ENTRY_MAX_BYTES = 64 * 1024;
const PYTHON_MAX_BYTES = 256 * 1024 * 1024;
const LEDGER_FORMAT_VERSION = 1;
const IO_CONCURRENCY = 16;

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,38})$/;
const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const FULL_SHA = /^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** `owner/repo:head_sha` after validating both parts; throws STATE_INVALID_INPUT naming the field. */
export function deliveryKey(input: DeliveryKeyInput, where: string): string {
  if (typeof input !== 'object' || input === null) {
    throw invalidInput(where, 'input', `expected { repo, headSha }, got ${describeJsonType(input)}`);
  }
  const { repo, headSha } = input;
  if (typeof repo !== 'string') throw invalidInput(where, 'repo', `expected a string "owner/name", got ${describeJsonType(repo)}`);
  const slash = repo.indexOf('/');
  const owner = repo.slice(0, slash);
  const name = repo.slice(slash + 1);
  if (slash < 0 || !OWNER.test(owner) || !REPO_NAME.test(name) || name === '.' || name === '..') {
    throw invalidInput(where, 'repo', `expected "owner/name" (for example octo-org/octo-repo), got ${JSON.stringify(repo)}`);
  }
  if (typeof headSha !== 'string' || !FULL_SHA.test(headSha)) {
    throw invalidInput(
      where,
      'headSha',
      `expected the full commit SHA (40 hex digits, or 64 for SHA-256 repositories), got ${JSON.stringify(headSha)}; an abbreviated SHA would make a second key for the same commit`,
    );
  }
  return `${repo}:${headSha.toLowerCase()}`;
}

function validateDeliveryId(deliveryId: unknown, where: string): string {
  if (typeof deliveryId !== 'string' || deliveryId.trim() === '' || deliveryId.length > 200 || CONTROL.test(deliveryId)) {
    throw invalidInput(
      where,
      'deliveryId',
      `expected the X-GitHub-Delivery id (non-empty, at most 200 characters, no control characters), got ${typeof deliveryId === 'string' ? JSON.stringify(deliveryId.slice(0, 210)) : describeJsonType(deliveryId)}`,
    );
  }
  return deliveryId;
}

function invalidInput(where: string, field: string, what: string): StateError {
  return new StateError('STATE_INVALID_INPUT', where, `Invalid ${field} for the delivery ledger in ${where}: ${what}. The ledger was not changed.`, {
    reason: 'bad-input',
    field,
  });
}

/**
 * The entry file name of a key: the key percent-encoded (readable, reversible, no `/`), never
 * starting with a dot (dot names are the ledger's own files). Keys too long for a file name
 * are hashed; `%` followed by a lower-case letter never comes out of encodeURIComponent, so
 * the reserved names cannot collide with an encoded key.
 */
export function entryName(key: string): string {
  if (key === '') return `%empty${ENTRY_SUFFIX}`;
  let encoded = encodeURIComponent(key);
  if (encoded.startsWith('.')) encoded = `%2E${encoded.slice(1)}`;
  if (Buffer.byteLength(encoded) > 200) return `%h${createHash('sha256').update(key).digest('hex')}${ENTRY_SUFFIX}`;
  return `${encoded}${ENTRY_SUFFIX}`;
}

/** The key of an entry file name, or null when only the file knows it (hashed names). */
export function keyOfEntryName(name: string): string | null {
  if (!name.endsWith(ENTRY_SUFFIX) || name.startsWith('.')) return null;
  const stem = name.slice(0, -ENTRY_SUFFIX.length);
  if (stem === '%empty') return '';
  if (stem.startsWith('%h')) return null;
  try {
    return decodeURIComponent(stem);
  } catch {
    return null;
  }
}

function isEntryName(name: string): boolean {
  return !name.startsWith('.') && name.endsWith(ENTRY_SUFFIX);
}

/** The bytes of one entry file. */
export function serializeEntry(record: DeliveryRecord, importedFrom?: string): Buffer {
  const body: Record<string, unknown> = { format_version: LEDGER_FORMAT_VERSION, ...record };
  if (importedFrom !== undefined) body['imported_from'] = importedFrom;
  return Buffer.from(`${JSON.stringify(body)}\n`, 'utf8');
}

interface Marker {
  format_version: number;
  /** Identity of delivery_ids.json when we last imported or exported it; null: never synced. */
  python_source: string | null;
  last_prune: string | null;
}

const EMPTY_MARKER: Marker = { format_version: LEDGER_FORMAT_VERSION, python_source: null, last_prune: null };

export interface LedgerOptions {
  fs: FsSeam;
  stateDir: string;
  lock: LockSettings;
  retentionMs: number;
  maxDeliveries: number;
  now: () => Date;
  /** A prune pass runs during a claim when the last one is older than this... */
  pruneIntervalMs: number;
  /** ...or when this process has recorded this many claims since its last pass. */
  pruneEveryClaims: number;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Parses and checks the bytes of an entry file. */
function parseEntry(bytes: Uint8Array, file: string, key: string | null): DeliveryRecord {
  const value = parseJsonDocument(bytes, file, 'deliveries');
  const bad = (what: string) =>
    new StateError(
      'STATE_CORRUPT',
      file,
      `${file} ${what}. It was not changed. Repair it by hand, or run store.reset('deliveries') (it moves damaged entries aside and keeps the rest).`,
      { reason: 'bad-entry' },
    );
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(`holds ${describeJsonType(value)}, not a ledger entry object`);
  const { key: storedKey, deliveryId, recordedAt } = value as Record<string, unknown>;
  if (typeof storedKey !== 'string' || typeof deliveryId !== 'string' || !(recordedAt === null || typeof recordedAt === 'string')) {
    throw bad('is not a ledger entry (expected "key" and "deliveryId" strings and "recordedAt" string or null)');
  }
  // Case-insensitive file systems fold names; GitHub treats owner/repo case-insensitively too.
  if (key !== null && storedKey !== key && storedKey.toLowerCase() !== key.toLowerCase()) {
    throw bad(`records the key ${JSON.stringify(storedKey)}, but its name is for ${JSON.stringify(key)}`);
  }
  return { key: storedKey, deliveryId, recordedAt };
}

const CHUNK = 500;

/** Runs `fn` over `items`, letting the event loop breathe between chunks of synchronous work. */
async function inChunks<T>(items: readonly T[], fn: (item: T) => void): Promise<void> {
  for (let start = 0; start < items.length; start += CHUNK) {
    for (const item of items.slice(start, start + CHUNK)) fn(item);
    if (start + CHUNK < items.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * The delivery ledger: one small file per key under `deliveries/`, created with an atomic
 * `link()` so that exactly one claimant per key succeeds without any lock. The Python
 * `delivery_ids.json` is imported before the first claim and rewritten, in Python's format,
 * at every prune pass so a Python reader sees our entries too. Maintenance (import, prune,
 * export, reset) runs under the sidecar lock `delivery_ids.json.lock`.
 */
export class DeliveryLedger implements Deliveries {
  readonly dir: string;
  readonly pythonPath: string;
  readonly markerPath: string;
  readonly maintenanceLockPath: string;
  private readonly options: LedgerOptions;
  private dirReady = false;
  private markerCache: { stamp: string; marker: Marker } | null = null;
  private pythonCache: { stamp: string; entries: Map<string, string> } | null = null;
  private claimsSincePrune = 0;

  constructor(options: LedgerOptions) {
    this.options = options;
    this.dir = path.join(options.stateDir, LEDGER_DIR);
    this.pythonPath = path.join(options.stateDir, PYTHON_LEDGER_FILE);
    this.markerPath = path.join(this.dir, MARKER_FILE);
    this.maintenanceLockPath = lockPathFor(this.pythonPath);
  }

  private get fs(): FsSeam {
    return this.options.fs;
  }

  async claim(input: ClaimInput): Promise<ClaimResult> {
    const key = deliveryKey(input, this.dir);
    const deliveryId = validateDeliveryId(input.deliveryId, this.dir);
    await this.ensureDir();
    const marker = await this.syncPythonForWrite();
    await this.maybePrune(marker);
    const name = entryName(key);
    const file = path.join(this.dir, name);
    const existing = await this.readEntry(file, key);
    if (existing) return { claimed: false, redelivery: existing.deliveryId === deliveryId, record: existing };
    const at = this.options.now();
    const record: DeliveryRecord = { key, deliveryId, recordedAt: at.toISOString() };
    // A second round only if the winner's entry was pruned between our link and our read.
    for (let attempt = 0; attempt < 3; attempt++) {
      const outcome = await createExclusive(this.fs, this.dir, name, serializeEntry(record), { mtime: at, label: `The claim of ${key}` });
      if (outcome === 'created') {
        this.claimsSincePrune++;
        return { claimed: true, redelivery: false, record };
      }
      const winner = await this.readEntry(file, key);
      if (winner) return { claimed: false, redelivery: winner.deliveryId === deliveryId, record: winner };
    }
    throw new StateError('STATE_WRITE', file, `Could not claim ${key}: its entry ${file} kept appearing and disappearing. The ledger was not changed. Retry.`, {
      reason: 'claim-race',
    });
  }

  async has(input: DeliveryKeyInput): Promise<boolean> {
    return (await this.get(input)) !== null;
  }

  async get(input: DeliveryKeyInput): Promise<DeliveryRecord | null> {
    const key = deliveryKey(input, this.dir);
    const entry = await this.readEntry(path.join(this.dir, entryName(key)), key);
    if (entry) return entry;
    const pending = await this.pendingPythonEntries();
    const deliveryId = pending?.get(key);
    return deliveryId === undefined ? null : { key, deliveryId, recordedAt: null };
  }

  async count(): Promise<number> {
    const names = (await this.listDir()).filter(isEntryName);
    const pending = await this.pendingPythonEntries();
    if (!pending) return names.length;
    const have = new Set(names);
    let extra = 0;
    for (const key of pending.keys()) if (!have.has(entryName(key))) extra++;
    return names.length + extra;
  }

  /** Runs a prune pass now (tests and maintenance); claims run one when it is due. */
  async prune(): Promise<{ removed: number; kept: number }> {
    await this.ensureDir();
    await this.syncPythonForWrite();
    return withLock(this.maintenanceLockPath, this.options.lock, this.maintenanceTarget(), (lock) => this.pruneLocked(lock));
  }

  /**
   * Moves every ledger file that does not parse (or is not a regular file) into
   * `<stateDir>/deliveries.corrupt-<time>/`, keeping every valid entry. STATE_INVALID_INPUT when
   * there is nothing to move.
   */
  async resetCorrupt(): Promise<{ backupPath: string }> {
    return withLock(this.maintenanceLockPath, this.options.lock, this.maintenanceTarget(), async () => {
      const stamp = this.options.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
      const backupPath = path.join(this.options.stateDir, `${LEDGER_DIR}.corrupt-${stamp}-${process.pid}`);
      const moves: { from: string; to: string }[] = [];
      if (await this.isDamaged(() => this.readPython())) {
        moves.push({ from: this.pythonPath, to: path.join(backupPath, PYTHON_LEDGER_FILE) });
      }
      if (await this.isDamaged(() => this.readMarkerFile())) {
        moves.push({ from: this.markerPath, to: path.join(backupPath, LEDGER_DIR, MARKER_FILE) });
      }
      const names = (await this.listDir()).filter(isEntryName);
      await inChunks(names, (name) => {
        const file = path.join(this.dir, name);
        try {
          this.readEntrySync(file, keyOfEntryName(name));
        } catch (error) {
          if (!isStateError(error) || (error.code !== 'STATE_CORRUPT' && error.code !== 'STATE_UNSAFE')) throw error;
          moves.push({ from: file, to: path.join(backupPath, LEDGER_DIR, name) });
        }
      });
      if (moves.length === 0) {
        throw new StateError(
          'STATE_INVALID_INPUT',
          this.dir,
          `Nothing to reset: ${this.pythonPath} and every entry under ${this.dir} parse. The ledger was not changed.`,
          { reason: 'nothing-to-reset' },
        );
      }
      await this.fs.mkdirp(path.join(backupPath, LEDGER_DIR), 0o700);
      for (const move of moves) await this.fs.rename(move.from, move.to);
      await fsyncDir(this.fs, path.join(backupPath, LEDGER_DIR));
      await fsyncDir(this.fs, backupPath);
      await fsyncDir(this.fs, this.options.stateDir);
      if (await this.dirExists()) await fsyncDir(this.fs, this.dir);
      this.markerCache = null;
      this.pythonCache = null;
      return { backupPath };
    });
  }

  private async isDamaged(read: () => Promise<unknown>): Promise<boolean> {
    try {
      await read();
      return false;
    } catch (error) {
      if (isStateError(error) && (error.code === 'STATE_CORRUPT' || error.code === 'STATE_UNSAFE')) {
        // A symlink must be moved itself, never followed: rename does exactly that.
        return true;
      }
      throw error;
    }
  }

  private maintenanceTarget() {
    return { path: this.pythonPath, label: 'The delivery ledger' };
  }

  private async dirExists(): Promise<boolean> {
    return assertDirectoryOrAbsent(this.fs, this.dir);
  }

  private async ensureDir(): Promise<void> {
    if (this.dirReady) return;
    if (!(await this.dirExists())) {
      try {
        await this.fs.mkdirp(this.dir, 0o700);
      } catch (error) {
        if (errnoOf(error) !== 'EEXIST') {
          throw new StateError(
            'STATE_WRITE',
            this.dir,
            `Could not create the ledger directory ${this.dir}: ${(error as Error).message}. The ledger was not changed.`,
            {
              reason: 'mkdir',
            },
            error,
          );
        }
      }
      await this.dirExists();
    }
    this.dirReady = true;
  }

  private async listDir(): Promise<string[]> {
    try {
      return await this.fs.readdir(this.dir);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw new StateError('STATE_READ', this.dir, `Could not list ${this.dir}: ${(error as Error).message}. Nothing was changed.`, { reason: 'readdir' }, error);
    }
  }

  /** Reads and checks one entry file; null when absent. `key` null: only known from the file. */
  private async readEntry(file: string, key: string | null): Promise<DeliveryRecord | null> {
    const bytes = await readStateFile(this.fs, file, { maxBytes: ENTRY_MAX_BYTES });
    return bytes === null ? null : parseEntry(bytes, file, key);
  }

  private readEntrySync(file: string, key: string | null): DeliveryRecord | null {
    const bytes = readStateFileSync(this.fs, file, { maxBytes: ENTRY_MAX_BYTES });
    return bytes === null ? null : parseEntry(bytes, file, key);
  }

  /** Identity of a file for "has it changed since we last looked?": inode, size and times. */
  private async stampOf(file: string): Promise<string> {
    let stats;
    try {
      stats = await this.fs.lstatBig(file);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return 'absent';
      throw new StateError('STATE_READ', file, `Could not inspect ${file}: ${(error as Error).message}. Nothing was changed.`, { reason: 'stat' }, error);
    }
    if (stats.isSymbolicLink()) throw symlinkError(file);
    // Not ctime: a chmod or chown is no reason to import the file again.
    return `${stats.ino}:${stats.size}:${stats.mtimeNs}`;
  }

  private async readMarkerFile(): Promise<Marker> {
    const bytes = await readStateFile(this.fs, this.markerPath, { maxBytes: ENTRY_MAX_BYTES });
    if (bytes === null) return EMPTY_MARKER;
    const value = parseJsonDocument(bytes, this.markerPath, 'deliveries');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new StateError(
        'STATE_CORRUPT',
        this.markerPath,
        `${this.markerPath} holds ${describeJsonType(value)}, not the ledger's bookkeeping object. It was not changed. Run store.reset('deliveries').`,
        { reason: 'bad-marker' },
      );
    }
    const record = value as Record<string, unknown>;
    return {
      format_version: LEDGER_FORMAT_VERSION,
      python_source: typeof record['python_source'] === 'string' ? record['python_source'] : null,
      last_prune: typeof record['last_prune'] === 'string' ? record['last_prune'] : null,
    };
  }

  private async readMarker(): Promise<Marker> {
    const stamp = await this.stampOf(this.markerPath);
    if (this.markerCache?.stamp === stamp) return this.markerCache.marker;
    const marker = await this.readMarkerFile();
    this.markerCache = { stamp, marker };
    return marker;
  }

  private async writeMarker(marker: Marker, lock: HeldLock): Promise<void> {
    await writeFileAtomic(this.fs, this.markerPath, Buffer.from(`${JSON.stringify(marker)}\n`), {
      beforeCommit: () => lock.assertHeld(),
      label: 'The ledger bookkeeping file',
    });
    this.markerCache = null;
  }

  /** Parses the Python ledger: a JSON object mapping keys to bare delivery-id strings. */
  private async readPython(): Promise<{ stamp: string; entries: Map<string, string> } | null> {
    const stamp = await this.stampOf(this.pythonPath);
    if (stamp === 'absent') return null;
    if (this.pythonCache?.stamp === stamp) return this.pythonCache;
    const bytes = await readStateFile(this.fs, this.pythonPath, { maxBytes: PYTHON_MAX_BYTES });
    if (bytes === null) return null;
    const value = parseJsonDocument(bytes, this.pythonPath, 'deliveries');
    const bad = (what: string) =>
      new StateError(
        'STATE_CORRUPT',
        this.pythonPath,
        `${this.pythonPath} ${what}; it should map "owner/repo:head_sha" keys to delivery-id strings. It was not changed, and no claim is made until it reads correctly. Repair it, or run store.reset('deliveries') to move it aside (its entries are then forgotten).`,
        { reason: 'bad-python-ledger' },
      );
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(`holds ${describeJsonType(value)}, not a JSON object`);
    const entries = new Map<string, string>();
    for (const [key, deliveryId] of Object.entries(value as Record<string, unknown>)) {
      if (typeof deliveryId !== 'string') throw bad(`has ${describeJsonType(deliveryId)} for the key ${JSON.stringify(key)}`);
      entries.set(key, deliveryId);
    }
    this.pythonCache = { stamp, entries };
    return this.pythonCache;
  }

  /** Python entries not imported yet (for lock-free readers), or null when in sync. */
  private async pendingPythonEntries(): Promise<Map<string, string> | null> {
    const [stamp, marker] = await Promise.all([this.stampOf(this.pythonPath), this.readMarker()]);
    if (stamp === 'absent' || stamp === marker.python_source) return null;
    return (await this.readPython())?.entries ?? null;
  }

  /**
   * Before any claim: if delivery_ids.json is not the file we last imported or exported (first
   * use, or the Python implementation wrote it), import its entries. Claims wait for this, so a
   * key the Python store had is never claimed again.
   */
  private async syncPythonForWrite(): Promise<Marker> {
    const [stamp, marker] = await Promise.all([this.stampOf(this.pythonPath), this.readMarker()]);
    if (stamp === marker.python_source) return marker;
    return withLock(this.maintenanceLockPath, this.options.lock, this.maintenanceTarget(), async (lock) => {
      const current = await this.readMarker();
      const python = await this.readPython();
      const source = python?.stamp ?? 'absent';
      if (source === current.python_source) return current;
      if (python) await this.importEntries(python.entries);
      const next: Marker = { ...current, python_source: source };
      await this.writeMarker(next, lock);
      return next;
    });
  }

  private async importEntries(entries: Map<string, string>): Promise<void> {
    const at = this.options.now();
    // One directory listing instead of one lookup per key: a re-import is mostly "already there".
    const present = new Set(await this.listDir());
    const missing = [...entries].filter(([key]) => !present.has(entryName(key)));
    let created = 0;
    await mapLimit(missing, IO_CONCURRENCY, async ([key, deliveryId]) => {
      const outcome = await createExclusive(this.fs, this.dir, entryName(key), serializeEntry({ key, deliveryId, recordedAt: null }, PYTHON_LEDGER_FILE), {
        mtime: at,
        syncDir: false,
        label: `The imported entry ${key}`,
      });
      if (outcome === 'created') created++;
    });
    if (created > 0) await fsyncDir(this.fs, this.dir);
  }

  private async maybePrune(marker: Marker): Promise<void> {
    if (!this.pruneDue(marker)) return;
    let lock: HeldLock;
    try {
      lock = await acquireLock(this.maintenanceLockPath, { ...this.options.lock, waitMs: 0 }, this.maintenanceTarget());
    } catch (error) {
      // Someone else is maintaining the ledger right now; claims never wait for a prune.
      if (isStateError(error) && error.code === 'STATE_LOCK_TIMEOUT') return;
      throw error;
    }
    try {
      if (this.pruneDue(await this.readMarker())) await this.pruneLocked(lock);
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

  /**
   * Removes entries older than the retention (by file mtime, which is the record time) and
   * then the oldest beyond `maxDeliveries`; clears temp files left by crashed writers; then
   * exports delivery_ids.json in the Python format.
   */
  private async pruneLocked(lock: HeldLock): Promise<{ removed: number; kept: number }> {
    const nowMs = this.options.now().getTime();
    const names = await this.listDir();
    const entries: { name: string; mtimeMs: number }[] = [];
    const doomed: string[] = [];
    await inChunks(names, (name) => {
      let st;
      try {
        st = this.fs.lstatSync(path.join(this.dir, name));
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') return;
        throw new StateError('STATE_READ', path.join(this.dir, name), `Could not inspect ${path.join(this.dir, name)} while pruning the ledger: ${describeErrno(error)}. Nothing was removed.`, {
          reason: 'stat',
          ...errnoDetails(error),
        }, error);
      }
      if (isTempName(name, 'entry') || isTempName(name, MARKER_FILE)) {
        // ctime, not mtime: a temp file carries the record time as its mtime.
        if (Date.now() - st.ctimeMs > this.options.lock.staleMs) doomed.push(name);
        return;
      }
      if (isEntryName(name) && st.isFile()) entries.push({ name, mtimeMs: st.mtimeMs });
    });
    const cutoff = nowMs - this.options.retentionMs;
    const kept = entries.filter((entry) => entry.mtimeMs >= cutoff);
    let removed = entries.length - kept.length;
    for (const entry of entries) if (entry.mtimeMs < cutoff) doomed.push(entry.name);
    if (kept.length > this.options.maxDeliveries) {
      kept.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? -1 : 1));
      const excess = kept.splice(this.options.maxDeliveries);
      removed += excess.length;
      for (const entry of excess) doomed.push(entry.name);
    }
    await mapLimit(doomed, IO_CONCURRENCY, (name) => removeQuietly(this.fs, path.join(this.dir, name)));
    if (doomed.length > 0) await fsyncDir(this.fs, this.dir);
    const source = await this.exportPython(
      kept.map((entry) => entry.name),
      lock,
    );
    const current = await this.readMarker();
    await this.writeMarker({ ...current, python_source: source, last_prune: new Date(nowMs).toISOString() }, lock);
    this.claimsSincePrune = 0;
    return { removed, kept: kept.length };
  }

  /**
   * Rewrites delivery_ids.json as a Python-format copy of the ledger, starting from the copy we
   * wrote last time so that only entries added since are read. Returns the file's new identity.
   */
  private async exportPython(names: readonly string[], lock: HeldLock): Promise<string> {
    const marker = await this.readMarker();
    const stamp = await this.stampOf(this.pythonPath);
    const previous = stamp !== 'absent' && stamp === marker.python_source ? ((await this.readPython())?.entries ?? new Map<string, string>()) : new Map<string, string>();
    const next = new Map<string, string>();
    const unread: string[] = [];
    for (const name of names) {
      const key = keyOfEntryName(name);
      const known = key === null ? undefined : previous.get(key);
      if (key !== null && known !== undefined) next.set(key, known);
      else unread.push(name);
    }
    const records: (DeliveryRecord | null)[] = [];
    await inChunks(unread, (name) => {
      try {
        records.push(this.readEntrySync(path.join(this.dir, name), keyOfEntryName(name)));
      } catch (error) {
        // A damaged entry is reported when its key is claimed; it must not block pruning.
        if (!isStateError(error)) throw error;
      }
    });
    for (const record of records) if (record) next.set(record.key, record.deliveryId);
    // fromEntries defines own properties, so even a key named "__proto__" stays a key.
    const body = Object.fromEntries(next);
    await writeFileAtomic(this.fs, this.pythonPath, Buffer.from(`${JSON.stringify(body)}\n`, 'utf8'), {
      beforeCommit: () => lock.assertHeld(),
      label: PYTHON_LEDGER_FILE,
    });
    this.pythonCache = null;
    return this.stampOf(this.pythonPath);
  }
}
