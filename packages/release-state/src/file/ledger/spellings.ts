// Entries named by an earlier version's rule: the key as spelled, so `Octo/Web` and `octo/web` at
// one commit were two files, and each could win a claim. This version names an entry by its key's
// identity (entry.ts: owner and name folded), so every spelling finds the one file.
//
// The names are brought to this rule once, before the ledger's next write (sync.ts), under the
// maintenance lock: each entry whose name is not its identity's is given that name (a link, then
// an unlink: its bytes, times and spelling stay as they were). When two spellings of one key both
// have an entry, the one `keptFirst` orders first takes the name and the other is moved aside to
// `deliveries.duplicate-<time>-<pid>/` (kept, never deleted). The bookkeeping file then says
// `entry_names: case-folded`, and this never runs again. Until then, readers (which write
// nothing) find an entry under an earlier name with `findSpelledEntry`.
import * as path from 'node:path';
import type { DeliveryRecord } from '../../shared/contract-deliveries';
import { errnoOf } from '../../shared/errors';
import { keptFirst, keyIdentity } from '../../shared/input';
import { fsyncDir } from '../staged-file';
import { entryName, keyOfEntryName, LEDGER_DIR } from './entry';
import { keptAsidePath, type LedgerFiles } from './files';

/** Gives every entry its identity's name. Returns how many were renamed or moved aside. */
export async function renameSpelledEntries(files: LedgerFiles): Promise<number> {
  const { fs } = files;
  const misnamed = await misnamedEntries(files);
  if (misnamed.length === 0) return 0;
  let aside: string | null = null;
  const asideDir = async (): Promise<string> => {
    aside ??= keptAsidePath(path.join(files.options.stateDir, LEDGER_DIR), files.options.now(), 'duplicate');
    await fs.mkdirp(aside, 0o700);
    return aside;
  };
  for (const { name, target } of misnamed) {
    const from = files.entryFile(name);
    const to = files.entryFile(target);
    try {
      await fs.link(from, to);
      await fs.unlink(from);
      continue;
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw error;
    }
    // Both spellings have an entry: the one kept first takes the name, the other is kept aside.
    const [spelled, named] = [readQuietly(files, name), readQuietly(files, target)];
    if (spelled !== null && (named === null || keptFirst(spelled, named) < 0)) {
      // The entry under the name goes aside first (a link keeps it), then the spelled one replaces it.
      await fs.link(to, path.join(await asideDir(), target));
      await fs.rename(from, to);
    } else {
      await fs.rename(from, path.join(await asideDir(), name));
    }
  }
  await fsyncDir(fs, files.dir);
  if (aside !== null) {
    await fsyncDir(fs, aside);
    await fsyncDir(fs, files.options.stateDir);
  }
  files.forgetCaches();
  return misnamed.length;
}

/**
 * Readers on a ledger an earlier version named: the entry of `key` under any spelling's name, or
 * null. Lists the directory: it runs only for a key not found by its identity's name, and only
 * until the next write renames the entries.
 */
export async function findSpelledEntry(files: LedgerFiles, key: string): Promise<DeliveryRecord | null> {
  const identity = keyIdentity(key);
  for (const name of await files.entryNames()) {
    const spelled = keyOfEntryName(name);
    if (spelled === null || spelled === identity || keyIdentity(spelled) !== identity) continue;
    return files.readEntry(files.entryFile(name), key);
  }
  return null;
}

/** Entries whose name is not their identity's, with the name they should have. */
async function misnamedEntries(files: LedgerFiles): Promise<{ name: string; target: string }[]> {
  const out: { name: string; target: string }[] = [];
  const hashed: string[] = [];
  for (const name of await files.entryNames()) {
    const key = keyOfEntryName(name);
    if (key === null) hashed.push(name);
    else if (entryName(key) !== name) out.push({ name, target: entryName(key) });
  }
  // A hashed name says nothing of its key: the file does. A damaged one stays where it is.
  for (const entry of await files.scanEntries(hashed)) {
    const target = entry.record === null ? entry.name : entryName(entry.record.key);
    if (target !== entry.name) out.push({ name: entry.name, target });
  }
  return out;
}

/** The record of an entry, or null when it is gone or damaged (a damaged entry loses to a healthy one). */
function readQuietly(files: LedgerFiles, name: string): DeliveryRecord | null {
  try {
    return files.readEntry(files.entryFile(name), null);
  } catch {
    return null;
  }
}
