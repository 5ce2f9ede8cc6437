// A claim, top to bottom: the lock-free exactly-once claim of a new key, and the takeover of a
// lease that ended. A claim never waits for a prune pass: a due pass starts in the background of
// the process once the claim is recorded (maintenance.ts).
//
// A new claim takes no lock: its entry file is staged, then published with `link()`, which
// fails if the name exists, so exactly one claimant per key wins on one host. A takeover changes
// an existing entry, so it runs under the key's sidecar lock (`deliveries/.<entry>.lock`) and
// replaces the entry with a rename. Why a lock and not an exclusive "attempt N" marker file: a
// marker left by a process that died between making it and rewriting the entry would block the
// key for good unless markers went stale, which is what the lock already does (bounded wait,
// broken after `lockStaleMs`, ownership checked before the rename); and the entry stays one
// file, so readers still need one open. Takeovers are rare (a holder died), so the lock costs
// nothing on the hot path.
import type { ClaimInput, ClaimResult, DeliveryRecord } from '../../shared/contract-deliveries';
import { stateError } from '../../shared/errors';
import { checkClaim } from '../../shared/input';
import { leaseEnded } from '../../shared/leases';
import { stageFile, writeFileAtomic } from '../staged-file';
import { ENTRY_TEMP_BASE, entryName, serializeEntry } from './entry';
import { asClaim } from './bulk';
import type { Marker } from './marker';
import type { LedgerParts } from './ledger';
import { syncForWrite } from './sync';

/** How many times one claim looks again after the winner's entry was released or pruned between its tries. */
const ROUNDS = 3;

/** A claim (counted as in flight: a prune pass beside it works in shorter slices). */
export function claim(ledger: LedgerParts, input: ClaimInput): Promise<ClaimResult> {
  return asClaim(() => claimKey(ledger, input));
}

async function claimKey(ledger: LedgerParts, input: ClaimInput): Promise<ClaimResult> {
  const { files, maintenance } = ledger;
  const { key, deliveryId, leaseMs } = checkClaim(input, files.dir);
  await files.ensureDir();
  const name = entryName(key);
  const file = files.entryFile(name);
  const label = `The claim of ${key}`;
  // The directory's catching up (sync.ts: an earlier version's names, a changed delivery_ids.json)
  // must be done before our entry gets its name, not before its bytes are written: it runs while
  // the temp file is written (its JavaScript overlaps the thread pool's work), and the link waits
  // for it. An entry it renames or imports for this key makes our link find the name taken, so
  // the earlier claim wins, as it must.
  let ready: Promise<Marker> | null = null;
  const prepare = () => (ready ??= syncForWrite(ledger));

  for (let round = 0; round < ROUNDS; round++) {
    const existing = files.readEntry(file, key);
    if (existing) {
      if (!leaseEnded(existing, files.options.now().getTime())) return lost(existing, deliveryId);
      const marker = await prepare();
      const taken = await takeOver(ledger, name, key, deliveryId, leaseMs);
      if (taken) {
        maintenance.claimRecorded(marker);
        return taken;
      }
      continue;
    }
    const at = files.options.now();
    const recordedAt = at.toISOString();
    const leaseExpiresAt = leaseEnd(at, leaseMs);
    const record: DeliveryRecord = {
      key,
      deliveryId,
      recordedAt,
      attempt: 1,
      leaseExpiresAt,
      completedAt: null,
      outcome: null,
    };
    const staging = stageFile(files.fs, file, serializeEntry(record), {
      label,
      tempBase: ENTRY_TEMP_BASE,
      intent: 'create',
    });
    const preparing = prepare();
    // Awaited once the temp file is written; if writing it fails first, that is the error reported.
    preparing.catch(() => undefined);
    const staged = await staging;
    let marker: Marker;
    try {
      marker = await preparing;
    } catch (error) {
      await staged.discard();
      throw error;
    }
    if ((await staged.link(files.flushDir)) === 'created') {
      maintenance.claimRecorded(marker);
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

/** Under the key's lock: if the lease is still ended, the caller becomes the holder (attempt + 1). Null: the entry is gone. */
function takeOver(
  ledger: LedgerParts,
  name: string,
  key: string,
  deliveryId: string,
  leaseMs: number | null,
): Promise<ClaimResult | null> {
  const { files } = ledger;
  return files.withKeyLock(name, key, async (lock) => {
    const file = files.entryFile(name);
    const current = files.readEntry(file, key);
    if (!current) return null;
    const at = files.options.now();
    if (!leaseEnded(current, at.getTime())) return lost(current, deliveryId);
    const record: DeliveryRecord = {
      ...current,
      deliveryId,
      attempt: current.attempt + 1,
      leaseExpiresAt: leaseEnd(at, leaseMs),
      completedAt: null,
      outcome: null,
    };
    await writeFileAtomic(files.fs, file, serializeEntry(record), { lock, label: `The claim of ${key}` });
    return { claimed: true, redelivery: false, takeover: true, record };
  });
}

/** When a lease taken at `at` ends; null for a final claim. */
function leaseEnd(at: Date, leaseMs: number | null): string | null {
  return leaseMs === null ? null : new Date(at.getTime() + leaseMs).toISOString();
}

function lost(record: DeliveryRecord, deliveryId: string): ClaimResult {
  return { claimed: false, redelivery: record.deliveryId === deliveryId, takeover: false, record };
}
