// A release state write fenced by a claim, on files: made only while the caller still holds the
// claim (its delivery id and attempt, not completed), holding the claim's sidecar lock the whole
// time, so a takeover, `complete` or `release` of the claim waits for the write or goes first,
// never beside it. Locks are always taken in one order: the claim's, then the state file's
// (a plain updateState takes only the second; a takeover only the first). With `complete`, the
// claim is completed with the write, all or nothing across a crash, through the pending file of
// pending-write.ts.
import { assertLiveHolder, completedBy, completedRecord } from '../shared/fence';
import type { ReleaseState } from '../shared/release-state';
import type { FencedHolder } from '../shared/state-input';
import { entryName, serializeEntry } from './ledger/entry';
import type { LedgerParts } from './ledger/ledger';
import { syncForWrite } from './ledger/sync';
import type { ClaimCompletion } from './release-file';
import { writeFileAtomic } from './staged-file';

/** The release state a write goes to: release.json, or a repository's file. */
type StateUpdate = (current: ReleaseState) => ReleaseState | Promise<ReleaseState>;

export interface StateTarget {
  readState(): Promise<ReleaseState>;
  update(fn: StateUpdate, completion?: ClaimCompletion): Promise<ReleaseState>;
}

export async function fencedUpdate(
  ledger: LedgerParts,
  target: StateTarget,
  fn: StateUpdate,
  holder: FencedHolder,
  complete: { outcome: string | null } | null,
): Promise<ReleaseState> {
  const { files } = ledger;
  await files.ensureDir();
  await syncForWrite(ledger);
  const name = entryName(holder.key);
  const file = files.entryFile(name);
  return files.withKeyLock(name, holder.key, async (keyLock) => {
    const current = files.readEntry(file, holder.key);
    // A retry of a write that completed the claim (its reply was lost): it was made with the completion.
    if (complete !== null && completedBy(current, holder)) return target.readState();
    assertLiveHolder(current, holder, file, 'write the release state under the claim of');
    if (complete === null) return target.update(fn);
    const record = completedRecord(current, complete.outcome, files.options.now());
    const { deliveryId, attempt, completedAt } = record;
    const label = `The claim of ${holder.key}`;
    return target.update(fn, {
      claim: { key: record.key, deliveryId, attempt, completedAt: completedAt as string },
      commit: () => writeFileAtomic(files.fs, file, serializeEntry(record), { lock: keyLock, label }),
    });
  });
}
