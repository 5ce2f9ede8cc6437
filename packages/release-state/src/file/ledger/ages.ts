// How old each ledger entry is, for the bounds (shared/retention.ts): the time recorded inside the
// entry (`completedAt`, else `recordedAt`), never the file's mtime, which a copy without -p
// resets. An entry imported from the Python file has no time: it counts from its import, kept as
// the entry file's mtime.
import type { DeliveryRecord } from '../../shared/contract-deliveries';
import { describeErrno, errnoOf, stateError } from '../../shared/errors';
import { leaseRunning } from '../../shared/leases';
import { recordTimeMs, type AgedEntry } from '../../shared/retention';
import { inSlices } from './bulk';
import type { LedgerFiles, ScannedEntry } from './files';

/** A healthy entry with its age's origin. */
export interface DatedEntry extends AgedEntry {
  name: string;
  record: DeliveryRecord;
}

/**
 * The healthy entries of `scanned`, dated at `nowMs` (in slices: bulk.ts `inSlices`); an entry
 * that vanished meanwhile is left out.
 */
export async function datedEntries(
  files: LedgerFiles,
  scanned: readonly ScannedEntry[],
  nowMs: number,
): Promise<DatedEntry[]> {
  const dated: DatedEntry[] = [];
  await inSlices(scanned, (entry) => {
    if (entry.record === null) return;
    let atMs = recordTimeMs(entry.record);
    if (atMs === null) {
      try {
        atMs = files.fs.lstatSync(entry.file).mtimeMs;
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') return;
        throw stateError('STATE_READ', {
          path: entry.file,
          reason: 'stat',
          happened: `Could not inspect ${entry.file} to date it: ${describeErrno(error)}`,
          changed: 'Nothing was removed',
          cause: error,
        });
      }
    }
    const running = leaseRunning(entry.record, nowMs);
    dated.push({ name: entry.name, record: entry.record, atMs, leaseRunning: running, order: entry.name });
  });
  return dated;
}
