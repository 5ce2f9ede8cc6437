// The parts of a file store on one directory: its release.json, each repository's state and its
// delivery ledger, with the lock settings and knobs they share. Made by the store (store.ts) and
// by a copy, which builds a whole store in a staging directory beside its target (copy-into.ts).
import type { FileSettings } from '../shared/options';
import type { FsSeam } from './fs-seam';
import { entryName } from './ledger/entry';
import { DeliveryLedger } from './ledger/ledger';
import type { LockSettings } from './lock';
import { ReleaseFile } from './release-file';
import { RepositoryStates } from './repository-states';

/** Knobs for tests and benchmarks; not part of the public API. */
export interface StoreInternals {
  /** File-system calls for data files (fault injection). */
  fs?: FsSeam;
  pruneIntervalMs?: number;
  pruneEveryClaims?: number;
  lockPollMs?: number;
}

export interface StoreParts {
  lock: LockSettings;
  ledger: DeliveryLedger;
  release: ReleaseFile;
  repositories: RepositoryStates;
}

export function storeParts(settings: FileSettings, fs: FsSeam, internals: StoreInternals = {}): StoreParts {
  const lock: LockSettings = {
    staleMs: settings.lockStaleMs,
    waitMs: settings.lockWaitMs,
    pollMs: internals.lockPollMs ?? 10,
  };
  const ledger = new DeliveryLedger({
    ...settings,
    fs,
    lock,
    pruneIntervalMs: internals.pruneIntervalMs ?? settings.pruneIntervalMs,
    pruneEveryClaims: internals.pruneEveryClaims ?? settings.pruneEveryClaims,
  });
  // A claim's entry, for the state files' pending writes (pending-write.ts).
  const entries = (key: string) => ledger.files.readEntry(ledger.files.entryFile(entryName(key)), key);
  const stateFile = (file?: string) =>
    new ReleaseFile(fs, settings.stateDir, lock, settings.now, () => ledger.python.damage(), entries, {
      file,
      optional: file !== undefined,
    });
  const repositories = new RepositoryStates(fs, settings.stateDir, stateFile);
  return { lock, ledger, release: stateFile(), repositories };
}
