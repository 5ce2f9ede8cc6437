// Renewing a lease: the holder (its delivery id and attempt) moves its lease's end to `leaseMs`
// from now, under the key's sidecar lock, so a takeover, `complete` or `release` of the key waits
// for it or goes first, never beside it. Like `complete`, it works after the lease ended as long
// as nobody took the claim over.
import type { DeliveryRecord, ExtendInput } from '../../shared/contract-deliveries';
import { assertLiveHolder } from '../../shared/fence';
import { checkExtend } from '../../shared/input';
import { finalClaimHasNoLease } from '../../shared/refusals';
import { writeFileAtomic } from '../staged-file';
import { entryName, serializeEntry } from './entry';
import type { LedgerParts } from './ledger';
import { syncForWrite } from './sync';

export async function extend(ledger: LedgerParts, input: ExtendInput): Promise<DeliveryRecord> {
  const { files } = ledger;
  const { key, deliveryId, attempt, leaseMs } = checkExtend(input, files.dir);
  await files.ensureDir();
  await syncForWrite(ledger);
  const name = entryName(key);
  const holder = { key, deliveryId, attempt };
  return files.withKeyLock(name, key, async (lock) => {
    const file = files.entryFile(name);
    const current = files.readEntry(file, key);
    assertLiveHolder(current, holder, file, 'extend the lease of');
    if (current.leaseExpiresAt === null) throw finalClaimHasNoLease(file, current);
    const leaseExpiresAt = new Date(files.options.now().getTime() + leaseMs).toISOString();
    const record: DeliveryRecord = { ...current, leaseExpiresAt };
    await writeFileAtomic(files.fs, file, serializeEntry(record), { lock, label: `The claim of ${key}` });
    return record;
  });
}
