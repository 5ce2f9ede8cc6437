// The end of a claim: `complete` (the holder is done: final from now on) and `release` (forget
// it on purpose, so the next delivery is evaluated afresh). Both change an existing entry, so
// both run under the key's sidecar lock, after the directory has caught up (sync.ts).
import type { CompleteInput, DeliveryRecord, ReleaseInput } from '../../shared/contract-deliveries';
import { stateError } from '../../shared/errors';
import { assertHolder, completedRecord } from '../../shared/fence';
import { checkComplete, checkRelease, keyIdentity } from '../../shared/input';
import { leaseRunning } from '../../shared/leases';
import { leaseHeld } from '../../shared/refusals';
import { withLock } from '../lock';
import { fsyncDir, removeQuietly, writeFileAtomic } from '../staged-file';
import { entryName, serializeEntry } from './entry';
import type { LedgerParts } from './ledger';
import { syncForWrite } from './sync';

export async function complete(ledger: LedgerParts, input: CompleteInput): Promise<DeliveryRecord> {
  const { files } = ledger;
  const { key, deliveryId, outcome, attempt } = checkComplete(input, files.dir);
  await files.ensureDir();
  await syncForWrite(ledger);
  const name = entryName(key);
  return files.withKeyLock(name, key, async (lock) => {
    const file = files.entryFile(name);
    const current = files.readEntry(file, key);
    assertHolder(current, { key, deliveryId, attempt }, file, 'complete');
    // Completing twice (a retry whose reply was lost) returns the final record as it is.
    if (current.completedAt !== null) return current;
    const record = completedRecord(current, outcome, files.options.now());
    await writeFileAtomic(files.fs, file, serializeEntry(record), { lock, label: `The claim of ${key}` });
    return record;
  });
}

/**
 * Forgets a claim: first from delivery_ids.json (the Python implementation's copy, which a copy
 * or restore of the directory would import again), then its entry. Refused while its lease runs,
 * unless `force`.
 */
export async function release(ledger: LedgerParts, input: ReleaseInput): Promise<boolean> {
  const { files, python } = ledger;
  const { key, force } = checkRelease(input, files.dir);
  await files.ensureDir();
  await syncForWrite(ledger);
  const name = entryName(key);
  const file = files.entryFile(name);
  // A damaged entry is refused, not deleted: its bytes are kept only by `booty state reset
  // deliveries`, which moves them aside (the damage error says so). A running lease is refused
  // before the key's lock is taken, so the refusal leaves the directory as it was; it is looked
  // at again under the lock.
  const refuseHeld = (record: DeliveryRecord) => {
    if (!force && leaseRunning(record, files.options.now().getTime())) throw leaseHeld(file, record);
  };
  const seen = files.readEntry(file, key);
  if (seen === null) return false;
  refuseHeld(seen);
  return files.withKeyLock(name, key, async (keyLock) => {
    const current = files.readEntry(file, key);
    if (current === null) return false;
    refuseHeld(current);
    // The export first: should the entry's removal fail, the claim is still held, never half forgotten.
    await withLock(files.maintenanceLockPath, files.options.lock, files.maintenanceTarget(), async (lock) => {
      const source = await python.forget(keyIdentity(key), lock);
      if (source !== null) await files.writeMarker({ ...(await files.readMarker()), python_source: source }, lock);
    });
    await keyLock.assertHeld();
    const failed = await removeQuietly(files.fs, file);
    if (failed !== null) {
      throw stateError('STATE_WRITE', {
        path: file,
        reason: 'write',
        happened: `Could not remove the claim ${file}: ${failed}`,
        changed: 'The claim is still recorded',
        fix: `Make ${files.dir} writable and retry`,
      });
    }
    await fsyncDir(files.fs, files.dir);
    return true;
  });
}
