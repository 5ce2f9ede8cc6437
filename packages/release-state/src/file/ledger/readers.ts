// The ledger's readers: get, has, count, tally, list and the full record set. They take no lock
// (an entry is replaced with a rename, so a reader sees the old file or the new one), and they
// count the Python entries that are not imported yet.
import type { DeliveryKeyInput, DeliveryRecord, LedgerTally, ListClaimsOptions, TallyOptions } from '../../shared/contract';
import { CHECK_COMMAND, REPAIR_COMMAND, stateError, type StateError } from '../../shared/errors';
import { checkList, deliveryKey } from '../../shared/input';
import { entryName } from './entry';
import { isDamage } from './files';
import type { LedgerParts } from './ledger';
import { PythonBridge } from './python';

export async function get({ files, python }: LedgerParts, input: DeliveryKeyInput): Promise<DeliveryRecord | null> {
  const key = deliveryKey(input, files.dir);
  const entry = files.readEntry(files.entryFile(entryName(key)), key);
  if (entry) return entry;
  const deliveryId = (await python.pending())?.get(key);
  return deliveryId === undefined ? null : PythonBridge.record(key, deliveryId);
}

export async function has(ledger: LedgerParts, input: DeliveryKeyInput): Promise<boolean> {
  return (await get(ledger, input)) !== null;
}

export async function count(ledger: LedgerParts): Promise<number> {
  return (await tally(ledger)).entries;
}

/**
 * Reads and parses every entry: a file that exists is not a delivery until it parses, and no
 * cheaper summary (a counter, the directory listing, sizes) can see damage made behind the
 * store's back. The read is the cheapest there is (open, one read into a shared buffer, close,
 * synchronously in chunks): about 1.1x the bare open+read+close of the same files, some 100 ms
 * for 10,000 entries here. Python entries not yet imported count too.
 */
export async function tally({ files, python }: LedgerParts, options: TallyOptions = {}): Promise<LedgerTally> {
  const recent = options.recent === undefined ? null : checkList(options.recent, files.dir);
  const scanned = await files.scanEntries(undefined, options.onProgress);
  let entries = 0;
  let damaged = 0;
  const records: DeliveryRecord[] = [];
  const present = new Set<string>();
  for (const entry of scanned) {
    if (entry.record) {
      entries++;
      present.add(entry.record.key);
      if (recent !== null) records.push(entry.record);
    } else damaged++;
  }
  // A damaged delivery_ids.json or bookkeeping file is not one bad entry: no claim can be made
  // until it reads, like a damaged release.json, so it is the error (naming the repair).
  const pending = await python.pending();
  if (pending) {
    for (const [key, deliveryId] of pending) {
      if (present.has(key)) continue;
      entries++;
      if (recent !== null) records.push(PythonBridge.record(key, deliveryId));
    }
  }
  return recent === null ? { entries, damaged } : { entries, damaged, recent: newest(records, recent) };
}

export async function list(ledger: LedgerParts, options: ListClaimsOptions = {}): Promise<DeliveryRecord[]> {
  return newest(await allRecords(ledger, { strict: false }), checkList(options, ledger.files.dir));
}

/** The claims `list` gives: of one repository, or all; newest first; at most `limit`. */
function newest(all: DeliveryRecord[], { repo, limit }: { repo: string | null; limit: number }): DeliveryRecord[] {
  const prefix = repo === null ? null : `${repo.toLowerCase()}:`;
  const records = all.filter((record) => prefix === null || record.key.toLowerCase().startsWith(prefix));
  records.sort(newestFirst);
  return records.slice(0, limit);
}

/** Every healthy record, Python entries not imported yet included. `strict`: damage is an error (snapshot). */
export async function allRecords({ files, python }: LedgerParts, { strict }: { strict: boolean }): Promise<DeliveryRecord[]> {
  const scanned = await files.scanEntries();
  const damaged = scanned.filter((entry) => entry.damage !== null);
  if (strict && damaged.length > 0) {
    const first = damaged[0]?.damage as StateError;
    throw stateError('STATE_CORRUPT', {
      path: first.path,
      reason: 'bad-entry',
      happened: `${damaged.length} ledger ${damaged.length === 1 ? 'entry does' : 'entries do'} not read correctly, first ${first.path}`,
      changed: 'Nothing was copied or changed',
      fix: `Run \`${CHECK_COMMAND}\` to list them, then \`${REPAIR_COMMAND.deliveries}\``,
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
    pending = await python.pending();
  } catch (error) {
    if (strict || !isDamage(error)) throw error;
  }
  if (pending) for (const [key, deliveryId] of pending) if (!present.has(key)) out.push(PythonBridge.record(key, deliveryId));
  return out;
}

function newestFirst(a: DeliveryRecord, b: DeliveryRecord): number {
  if (a.recordedAt !== b.recordedAt) {
    if (a.recordedAt === null) return 1;
    if (b.recordedAt === null) return -1;
    return Date.parse(b.recordedAt) - Date.parse(a.recordedAt) || (a.recordedAt < b.recordedAt ? 1 : -1);
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
