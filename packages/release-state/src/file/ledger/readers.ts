// The ledger's readers: get, has, count, tally, list and the full record set. They take no lock
// (an entry is replaced with a rename, so a reader sees the old file or the new one) and write
// nothing, so they also read a ledger an earlier version named (spellings.ts) as it is, and
// count the Python entries that are not imported yet. Keys are compared by their identity
// (owner and name without case: shared/input.ts).
import type {
  DeliveryKeyInput,
  DeliveryRecord,
  DeliveryTally,
  ListClaimsOptions,
  TallyOptions,
} from '../../shared/contract-deliveries';
import { CHECK_COMMAND, REPAIR_COMMAND, stateError, type StateError } from '../../shared/errors';
import { checkList, deliveryKey, keyIdentity } from '../../shared/input';
import { claimStanding } from '../../shared/leases';
import { countLimit, type AgedEntry } from '../../shared/retention';
import { datedEntries } from './ages';
import { entryName } from './entry';
import { isDamage } from './files';
import { ENTRY_NAMES } from './marker';
import type { LedgerParts } from './ledger';
import { PythonBridge, type PythonEntry } from './python';
import { findSpelledEntry } from './spellings';

export async function get({ files, python }: LedgerParts, input: DeliveryKeyInput): Promise<DeliveryRecord | null> {
  const key = deliveryKey(input, files.dir);
  const entry = files.readEntry(files.entryFile(entryName(key)), key);
  if (entry) return entry;
  if ((await files.readMarker()).entry_names !== ENTRY_NAMES) {
    const spelled = await findSpelledEntry(files, key);
    if (spelled) return spelled;
  }
  const pending = (await python.pending())?.get(keyIdentity(key));
  return pending === undefined ? null : PythonBridge.record(pending);
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
export async function tally({ files, python }: LedgerParts, options: TallyOptions = {}): Promise<DeliveryTally> {
  const recent = options.recent === undefined ? null : checkList(options.recent, files.dir);
  const scanned = await files.scanEntries(undefined, options.onProgress);
  const nowMs = files.options.now().getTime();
  const dated = await datedEntries(files, scanned, nowMs);
  const present = new Set(dated.map((entry) => keyIdentity(entry.record.key)));
  const ages: Pick<AgedEntry, 'atMs'>[] = [...dated];
  // With `recent`, the same read gives the claims `list(recent)` would (one read of the ledger).
  const records = recent === null ? [] : dated.map((entry) => entry.record);
  // A damaged delivery_ids.json or bookkeeping file is not one bad entry: no claim can be made
  // until it reads, like a damaged release.json, so it is the error (naming the repair). Python
  // entries not imported yet count as entries of this moment (their import's time).
  const pending = await python.pending();
  if (pending) {
    for (const [identity, entry] of pending) {
      if (present.has(identity)) continue;
      ages.push({ atMs: nowMs });
      if (recent !== null) records.push(PythonBridge.record(entry));
    }
  }
  const damaged = scanned.filter((entry) => entry.damage !== null).length;
  const found: DeliveryTally = { entries: ages.length, damaged, limit: countLimit(ages, files.options, nowMs) };
  return recent === null ? found : { ...found, recent: newest(records, recent, nowMs) };
}

export async function list(ledger: LedgerParts, options: ListClaimsOptions = {}): Promise<DeliveryRecord[]> {
  const nowMs = ledger.files.options.now().getTime();
  return newest(await allRecords(ledger, { strict: false }), checkList(options, ledger.files.dir), nowMs);
}

/**
 * The claims `list` gives: of one repository (by its identity), or all; that stand so at `nowMs`
 * (`claimStanding`), or all; newest first; at most `limit`.
 */
function newest(all: DeliveryRecord[], filter: ReturnType<typeof checkList>, nowMs: number): DeliveryRecord[] {
  const { repo, limit, standing } = filter;
  const prefix = repo === null ? null : `${keyIdentity(repo)}:`;
  const ofRepo = (record: DeliveryRecord) => prefix === null || keyIdentity(record.key).startsWith(prefix);
  const standsSo = (record: DeliveryRecord) => standing === null || claimStanding(record, nowMs) === standing;
  const records = all.filter((record) => ofRepo(record) && standsSo(record));
  records.sort(newestFirst);
  return records.slice(0, limit);
}

/** Every healthy record, Python entries not imported yet included. `strict`: damage is an error (snapshot). */
export async function allRecords(
  { files, python }: LedgerParts,
  { strict }: { strict: boolean },
): Promise<DeliveryRecord[]> {
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
    present.add(keyIdentity(entry.record.key));
  }
  let pending: Map<string, PythonEntry> | null = null;
  try {
    pending = await python.pending();
  } catch (error) {
    if (strict || !isDamage(error)) throw error;
  }
  for (const [identity, entry] of pending ?? []) if (!present.has(identity)) out.push(PythonBridge.record(entry));
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
