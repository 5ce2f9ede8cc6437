// The Python implementation's `delivery_ids.json` (a JSON object mapping keys to bare
// delivery-id strings): imported before the first claim that follows a change to it, and
// rewritten in its format at every prune pass so a Python reader sees our entries too.
import type { DeliveryRecord } from '../../shared/contract';
import { REPAIR_COMMAND, stateError, type StateError } from '../../shared/errors';
import { fullRecord, recordProblem } from '../../shared/input';
import { parseJsonDocument } from '../../shared/json';
import { describeJsonType, excerptValue } from '../../shared/text';
import { withLock, type HeldLock } from '../lock';
import { readStateFile } from '../read-file';
import { createExclusive, fsyncDir, writeFileAtomic } from '../staged-file';
import { ENTRY_TEMP_BASE, entryName, PYTHON_LEDGER_FILE, serializeEntry } from './entry';
import { IO_CONCURRENCY, isDamage, mapLimit, type LedgerFiles, type Marker } from './files';

const PYTHON_MAX_BYTES = 256 * 1024 * 1024;

export class PythonBridge {
  private cache: { stamp: string; entries: Map<string, string> } | null = null;

  constructor(private readonly files: LedgerFiles) {}

  /** Parses the Python ledger; null when there is none. STATE_CORRUPT when it is not the Python format. */
  async read(): Promise<{ stamp: string; entries: Map<string, string> } | null> {
    const file = this.files.pythonPath;
    const stamp = this.files.stampOf(file);
    if (stamp === 'absent') return null;
    if (this.cache?.stamp === stamp) return this.cache;
    const bytes = await readStateFile(this.files.fs, file, { maxBytes: PYTHON_MAX_BYTES });
    if (bytes === null) return null;
    const value = parseJsonDocument(bytes, file, 'deliveries');
    const bad = (what: string) =>
      stateError('STATE_CORRUPT', {
        path: file,
        reason: 'bad-python-ledger',
        happened: `${file} ${what}; it should map "owner/repo:head_sha" keys to delivery-id strings`,
        changed: 'It was not changed, and no claim is made until it reads correctly',
        fix: `Repair it, or run \`${REPAIR_COMMAND.deliveries}\` to move it aside (its entries are then forgotten)`,
      });
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw bad(`holds ${describeJsonType(value)}, not a JSON object`);
    }
    const entries = new Map<string, string>();
    for (const [key, deliveryId] of Object.entries(value as Record<string, unknown>)) {
      if (typeof deliveryId !== 'string') throw bad(`has ${describeJsonType(deliveryId)} for the key ${excerptValue(key, 80)}`);
      // The record rule of every claim: what is imported from here can be checked and copied like any other.
      const problem = recordProblem(PythonBridge.record(key, deliveryId));
      if (problem !== null) throw bad(`has an entry that is not a claim (${problem})`);
      entries.set(key, deliveryId);
    }
    this.cache = { stamp, entries };
    return this.cache;
  }

  /** The damage of delivery_ids.json (STATE_CORRUPT, STATE_UNSAFE); null when it reads, or there is none. */
  async damage(): Promise<StateError | null> {
    try {
      await this.read();
      return null;
    } catch (error) {
      if (isDamage(error)) return error;
      throw error;
    }
  }

  /** Python entries not imported yet (for lock-free readers), or null when in sync. */
  async pending(): Promise<Map<string, string> | null> {
    const stamp = this.files.stampOf(this.files.pythonPath);
    const marker = await this.files.readMarker();
    if (stamp === marker.python_source || (stamp === 'absent' && marker.python_source === null)) return null;
    return (await this.read())?.entries ?? null;
  }

  /** A record for a Python entry not imported yet: no time, attempt 1, final. */
  static record(key: string, deliveryId: string): DeliveryRecord {
    return fullRecord({ key, deliveryId, recordedAt: null });
  }

  /**
   * Before any claim: if delivery_ids.json is not the file we last imported or exported (first
   * use, or the Python implementation wrote it), import its entries. Claims wait for this, so a
   * key the Python store had is never claimed again. In sync (the usual case) it costs two lstats.
   */
  async syncForWrite(): Promise<Marker> {
    const stamp = this.files.stampOf(this.files.pythonPath);
    const marker = await this.files.readMarker();
    if (stamp === marker.python_source) return marker;
    return withLock(this.files.maintenanceLockPath, this.files.options.lock, this.files.maintenanceTarget(), async (lock) => {
      const current = await this.files.readMarker();
      const python = await this.read();
      const source = python?.stamp ?? 'absent';
      if (source === current.python_source) return current;
      if (python) await this.importEntries(python.entries);
      const next: Marker = { ...current, python_source: source };
      await this.files.writeMarker(next, lock);
      return next;
    });
  }

  /**
   * Python entries carry no time: each is imported with `recordedAt: null` and the import time as
   * its file mtime, and retention counts from that mtime (as before this version).
   */
  private async importEntries(entries: Map<string, string>): Promise<void> {
    const at = this.files.options.now();
    // One directory listing instead of one lookup per key: a re-import is mostly "already there".
    const present = new Set(await this.files.listDir());
    const missing = [...entries].filter(([key]) => !present.has(entryName(key)));
    let created = 0;
    await mapLimit(missing, IO_CONCURRENCY, async ([key, deliveryId]) => {
      const entry = serializeEntry({ key, deliveryId, recordedAt: null }, PYTHON_LEDGER_FILE);
      const outcome = await createExclusive(this.files.fs, this.files.entryFile(entryName(key)), entry, {
        tempBase: ENTRY_TEMP_BASE,
        mtime: at,
        flushDir: null,
        label: `The imported entry ${key}`,
      });
      if (outcome === 'created') created++;
    });
    if (created > 0) await fsyncDir(this.files.fs, this.files.dir);
  }

  /** Rewrites delivery_ids.json as a Python-format copy of `records`. Returns the file's new identity. */
  async export(records: readonly DeliveryRecord[], lock: HeldLock): Promise<string> {
    // fromEntries defines own properties, so even a key named "__proto__" stays a key.
    const body = Object.fromEntries(records.map((record) => [record.key, record.deliveryId]));
    const bytes = Buffer.from(`${JSON.stringify(body)}\n`, 'utf8');
    await writeFileAtomic(this.files.fs, this.files.pythonPath, bytes, { lock, label: PYTHON_LEDGER_FILE });
    this.cache = null;
    return this.files.stampOf(this.files.pythonPath);
  }

  forgetCache(): void {
    this.cache = null;
  }
}
