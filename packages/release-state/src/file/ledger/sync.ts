// Before any write to the ledger (a claim of a new key or a takeover, complete, release, a prune
// pass), the directory is brought up to date, under the maintenance lock and only when needed:
// entries an earlier version named by their spelling get their key identity's name
// (spellings.ts), then a delivery_ids.json that the Python implementation changed is imported
// (python.ts), so that a key either of them holds is never claimed again. When nothing is due
// (the usual case) it costs two lstats and takes no lock.
import { withLock, type HeldLock } from '../lock';
import type { LedgerFiles } from './files';
import { ENTRY_NAMES, type Marker } from './marker';
import type { PythonBridge } from './python';
import { renameSpelledEntries } from './spellings';

interface SyncParts {
  files: LedgerFiles;
  python: PythonBridge;
}

/** Brings the directory up to date, taking the maintenance lock only when something is due; returns the bookkeeping. */
export async function syncForWrite(parts: SyncParts): Promise<Marker> {
  const { files } = parts;
  const stamp = files.stampOf(files.pythonPath);
  const marker = await files.readMarker();
  if (stamp === marker.python_source && marker.entry_names === ENTRY_NAMES) return marker;
  const target = files.maintenanceTarget();
  return withLock(files.maintenanceLockPath, files.options.lock, target, (lock) => syncLocked(parts, lock));
}

/** The same, for a caller that holds the maintenance lock already (a prune pass). */
export async function syncLocked({ files, python }: SyncParts, lock: HeldLock): Promise<Marker> {
  const current = await files.readMarker();
  let next = current;
  if (current.entry_names !== ENTRY_NAMES) {
    await renameSpelledEntries(files);
    next = { ...next, entry_names: ENTRY_NAMES };
  }
  const source = await python.importChanges(current.python_source);
  if (source !== null) next = { ...next, python_source: source };
  if (next !== current) await files.writeMarker(next, lock);
  return next;
}
