// The Python implementation's `delivery_ids.json` (a JSON object mapping keys to bare
// delivery-id strings): imported before the first write that follows a change to it (sync.ts),
// rewritten in its format at every prune pass so a Python reader sees our entries too, and
// without a key the moment that key is forgotten, so that neither the Python implementation nor
// a later import (after the directory is copied or restored: the file's identity changes) brings
// a forgotten key back.
import type { DeliveryRecord } from '../../shared/contract-deliveries';
import { REPAIR_COMMAND, stateError, type StateError } from '../../shared/errors';
import { fullRecord, keyIdentity, recordProblem } from '../../shared/input';
import { parseJsonDocument } from '../../shared/json';
import { describeJsonType, excerptValue } from '../../shared/text';
import type { HeldLock } from '../lock';
import { readStateFile } from '../read-file';
import { createExclusive, fsyncDir, writeFileAtomic } from '../staged-file';
import { ENTRY_TEMP_BASE, entryName, PYTHON_LEDGER_FILE, serializeEntry } from './entry';
import { inSlices, IO_CONCURRENCY, mapLimit } from './bulk';
import { isDamage, type LedgerFiles } from './files';

const PYTHON_MAX_BYTES = 256 * 1024 * 1024;

/** A key and its delivery id, as the Python file holds them. */
export type PythonEntry = Pick<DeliveryRecord, 'key' | 'deliveryId'>;

/** delivery_ids.json as read. */
export interface PythonLedger {
  /** The file's identity when it was read (LedgerFiles.stampOf). */
  stamp: string;
  /** Every entry as the file spells it. */
  entries: Map<string, string>;
  /** One entry per key identity (shared/input.ts): of two spellings of one key, the file's first. */
  byIdentity: Map<string, PythonEntry>;
}

/**
 * delivery_ids.json's bytes for `entries`: one JSON object of keys and delivery ids, built in
 * slices (bulk.ts `inSlices`), the keys as JSON text, so that even a key named "__proto__" stays
 * a key (no object is built).
 */
export async function pythonExportBytes(entries: readonly PythonEntry[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let pending: string[] = [];
  const flush = () => {
    chunks.push(Buffer.from(`${chunks.length === 0 ? '' : ','}${pending.join(',')}`, 'utf8'));
    pending = [];
  };
  await inSlices(entries, ({ key, deliveryId }) => {
    pending.push(`${JSON.stringify(key)}:${JSON.stringify(deliveryId)}`);
    if (pending.length === 1_000) flush();
  });
  if (pending.length > 0) flush();
  return Buffer.concat([Buffer.from('{'), ...chunks, Buffer.from('}\n')]);
}

export class PythonBridge {
  private cache: PythonLedger | null = null;

  constructor(private readonly files: LedgerFiles) {}

  /** Parses the Python ledger; null when there is none. STATE_CORRUPT when it is not the Python format. */
  async read(): Promise<PythonLedger | null> {
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
    const byIdentity = new Map<string, PythonEntry>();
    for (const [key, deliveryId] of Object.entries(value as Record<string, unknown>)) {
      if (typeof deliveryId !== 'string')
        throw bad(`has ${describeJsonType(deliveryId)} for the key ${excerptValue(key, 80)}`);
      // The record rule of every claim: what is imported from here can be checked and copied like any other.
      const problem = recordProblem(PythonBridge.record({ key, deliveryId }));
      if (problem !== null) throw bad(`has an entry that is not a claim (${problem})`);
      entries.set(key, deliveryId);
      const identity = keyIdentity(key);
      if (!byIdentity.has(identity)) byIdentity.set(identity, { key, deliveryId });
    }
    this.cache = { stamp, entries, byIdentity };
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

  /** Python entries not imported yet (for lock-free readers), by key identity, or null when in sync. */
  async pending(): Promise<Map<string, PythonEntry> | null> {
    const stamp = this.files.stampOf(this.files.pythonPath);
    const marker = await this.files.readMarker();
    if (stamp === marker.python_source || (stamp === 'absent' && marker.python_source === null)) return null;
    return (await this.read())?.byIdentity ?? null;
  }

  /** A record for a Python entry not imported yet: no time, attempt 1, final. */
  static record({ key, deliveryId }: PythonEntry): DeliveryRecord {
    return fullRecord({ key, deliveryId, recordedAt: null });
  }

  /**
   * Under the maintenance lock (sync.ts): when delivery_ids.json is not the file we last imported
   * or exported (`source`), imports its entries. Returns the identity to record, or null when
   * nothing changed.
   */
  async importChanges(source: string | null): Promise<string | null> {
    // The identity first: the file is read only when it changed (it is 8 MB at 100,000 entries,
    // and a claim that met a prune pass's export before its bookkeeping was written gets here).
    if (this.files.stampOf(this.files.pythonPath) === source) return null;
    const python = await this.read();
    const stamp = python?.stamp ?? 'absent';
    if (stamp === source) return null;
    if (python) await this.importEntries(python.byIdentity);
    return stamp;
  }

  /**
   * Python entries carry no time: each is imported with `recordedAt: null` and the import time as
   * its file mtime, and retention counts from that mtime (as before this version). An entry of a
   * key the ledger holds already (in any spelling) is not imported again.
   */
  private async importEntries(entries: Map<string, PythonEntry>): Promise<void> {
    const at = this.files.options.now();
    // One directory listing instead of one lookup per key: a re-import is mostly "already there".
    const present = new Set(await this.files.listDir());
    const missing = [...entries.values()].filter(({ key }) => !present.has(entryName(key)));
    let created = 0;
    await mapLimit(missing, IO_CONCURRENCY, async ({ key, deliveryId }) => {
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

  /** Rewrites delivery_ids.json as a copy of `entries`, under the maintenance lock. Returns its new identity. */
  async export(entries: readonly PythonEntry[], lock: HeldLock): Promise<string> {
    return this.writeExport(await pythonExportBytes(entries), lock);
  }

  /** Writes `bytes` (pythonExportBytes) as delivery_ids.json, under the maintenance lock. Returns its new identity. */
  async writeExport(bytes: Uint8Array, lock: HeldLock): Promise<string> {
    // Flushed in pieces: at 100,000 entries the file is 8 MB, written beside claims.
    const flushEvery = 256 * 1024;
    await writeFileAtomic(this.files.fs, this.files.pythonPath, bytes, { lock, label: PYTHON_LEDGER_FILE, flushEvery });
    this.cache = null;
    return this.files.stampOf(this.files.pythonPath);
  }

  /**
   * Under the maintenance lock: removes every spelling of the key `identity` from
   * delivery_ids.json. Returns the file's new identity, or null when it held no such key.
   */
  async forget(identity: string, lock: HeldLock): Promise<string | null> {
    const python = await this.read();
    if (python === null || !python.byIdentity.has(identity)) return null;
    const rest = [...python.entries]
      .filter(([key]) => keyIdentity(key) !== identity)
      .map(([key, deliveryId]) => ({ key, deliveryId }));
    return this.export(rest, lock);
  }

  forgetCache(): void {
    this.cache = null;
  }
}
