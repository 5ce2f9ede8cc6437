// The file store: the embedded `ReleaseStore` (one host, nothing to run). Opening checks the
// state directory and its paths (safety.ts), creates what is missing, and assembles release.json
// (release-file.ts), each repository's state (repository-states.ts) and the delivery ledger
// (ledger/); a state write fenced by a claim is fenced-write.ts.
import * as path from 'node:path';
import type { ReleaseStore, StoreCheck, StoreProblem, StoreSnapshot } from '../shared/contract';
import type { ScanOptions } from '../shared/contract-deliveries';
import { COPY_INTO, type CopyInto, type CopyIntoOptions } from '../shared/copy-hooks';
import { checkFileOptions, type FileStoreOptions } from '../shared/options';
import { badResetPart, notAnUpdate, nothingToReset, storeClosed } from '../shared/refusals';
import { checkStateScope, checkUpdateOptions } from '../shared/state-input';
import { copyIntoDirectory, finishCommittedCopy } from './copy-into';
import { fencedUpdate, type StateTarget } from './fenced-write';
import { nodeFs } from './fs-seam';
import { LEDGER_DIR, PYTHON_LEDGER_FILE } from './ledger/entry';
import { claim } from './ledger/claim';
import { extend } from './ledger/extend';
import { complete, release as releaseClaim } from './ledger/leases';
import { allRecords, count, get, has, list, tally } from './ledger/readers';
import { storeParts, type StoreInternals } from './parts';
import { RELEASE_FILE, removeAbandonedTemps } from './release-file';
import { assertDirectoryOrAbsent, assertExistingStateDir, assertRegularOrAbsent, ensureStateDir } from './safety';

export type { StoreInternals } from './parts';

/** The file store: the contract, plus where its files are. */
export interface FileReleaseStore extends ReleaseStore {
  readonly kind: 'file';
  readonly stateDir: string;
  /** `<stateDir>/release.json`. */
  readonly releasePath: string;
  /** copyStore's way in (internal). */
  readonly [COPY_INTO]: CopyInto;
}

/** Opens (and unless `create: false`, on first use creates) the file store in `options.stateDir`. */
export async function openFileStore(
  options: FileStoreOptions,
  internals: StoreInternals = {},
): Promise<FileReleaseStore> {
  const settings = checkFileOptions(options);
  const { stateDir, create } = settings;
  const fs = internals.fs ?? nodeFs;

  if (create) await ensureStateDir(fs, stateDir, settings.source);
  else await assertExistingStateDir(fs, stateDir, settings.source);
  const { lock, ledger, release, repositories } = storeParts(settings, fs, internals);
  let releaseExists = await assertRegularOrAbsent(fs, release.path);
  await assertRegularOrAbsent(fs, path.join(stateDir, PYTHON_LEDGER_FILE));
  await assertDirectoryOrAbsent(fs, path.join(stateDir, LEDGER_DIR));
  // A copy that was committed and then stopped during its switch is finished before anything is read.
  if (await finishCommittedCopy(fs, stateDir, lock)) releaseExists = await assertRegularOrAbsent(fs, release.path);
  await assertDirectoryOrAbsent(fs, repositories.dir, 'repositories');
  // Opening does not read release.json (readState does, and reports damage); it only creates the
  // skeleton when there is none.
  if (create) {
    if (!releaseExists) await release.createIfMissing();
    await removeAbandonedTemps(fs, stateDir, [RELEASE_FILE, PYTHON_LEDGER_FILE], lock.staleMs);
    await repositories.removeAbandonedTemps(lock.staleMs);
  }
  /** The release state a read or write is for: release.json, or a repository's file. */
  const stateOf = (repo: string | null): StateTarget =>
    repo === null
      ? release
      : {
          readState: () => repositories.readState(repo),
          update: (fn, completion) => repositories.update(repo, fn, completion),
        };

  /** The store's contents replaced by a snapshot, all or nothing (copy-into.ts); caches then start afresh. */
  const copyInto = async (snapshot: StoreSnapshot, options: CopyIntoOptions): Promise<void> => {
    try {
      await copyIntoDirectory(settings, fs, snapshot, options);
    } finally {
      ledger.files.forgetCaches();
      ledger.python.forgetCache();
      await ledger.close();
    }
  };

  let closed = false;
  const live =
    <A extends unknown[], R>(what: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (closed) throw storeClosed(stateDir, what);
      return fn(...args);
    };

  return {
    kind: 'file',
    location: stateDir,
    stateDir,
    releasePath: release.path,
    deliveries: {
      claim: live('deliveries.claim', (input) => claim(ledger, input)),
      has: live('deliveries.has', (input) => has(ledger, input)),
      get: live('deliveries.get', (input) => get(ledger, input)),
      count: live('deliveries.count', () => count(ledger)),
      tally: live('deliveries.tally', (options) => tally(ledger, options)),
      complete: live('deliveries.complete', (input) => complete(ledger, input)),
      extend: live('deliveries.extend', (input) => extend(ledger, input)),
      release: live('deliveries.release', (input) => releaseClaim(ledger, input)),
      list: live('deliveries.list', (options) => list(ledger, options)),
      prune: live('deliveries.prune', () => ledger.maintenance.prune()),
    },
    readState: live('readState', (options) => stateOf(checkStateScope(options, stateDir)).readState()),
    updateState: live('updateState', async (fn, options) => {
      if (typeof fn !== 'function') throw notAnUpdate(release.path, fn);
      const { repo, claim: fence, complete: completion } = checkUpdateOptions(options, stateDir);
      if (fence === null) return stateOf(repo).update(fn);
      return fencedUpdate(ledger, stateOf(repo), fn, fence, completion);
    }),
    repositories: live('repositories', () => repositories.list()),
    check: live('check', async (options?: ScanOptions): Promise<StoreCheck> => {
      const problems: StoreProblem[] = [];
      const releaseProblem = await release.problem();
      if (releaseProblem) problems.push(releaseProblem);
      problems.push(...(await repositories.problems()));
      const ledgerCheck = await ledger.maintenance.check(options?.onProgress);
      problems.push(...ledgerCheck.problems);
      return { healthy: problems.length === 0, problems, deliveries: ledgerCheck.healthy, limit: ledgerCheck.limit };
    }),
    reset: live('reset', async (part) => {
      if (part === 'release') {
        // release.json and every repository's state: each damaged one, none that reads.
        const own = await release.problem();
        if (own === null && (await repositories.problems()).length === 0) {
          throw nothingToReset(stateDir, `release.json and every repository's state in ${stateDir} read correctly`);
        }
        const ownResult = own === null ? { keptAt: [], repaired: 0 } : await release.reset();
        const theirs = await repositories.reset();
        const keptAt = [...ownResult.keptAt, ...theirs.keptAt];
        return { part, keptAt, repaired: ownResult.repaired + theirs.repaired };
      }
      if (part !== 'deliveries') throw badResetPart(stateDir, part);
      const result = await ledger.maintenance.reset();
      // A first open beside a damaged delivery_ids.json wrote no release.json: now it can.
      if (!(await assertRegularOrAbsent(fs, release.path))) await release.createIfMissing();
      return result;
    }),
    snapshot: live('snapshot', async () => ({
      state: await release.readState(),
      deliveries: await allRecords(ledger, { strict: true }),
      repositories: await repositories.snapshot(),
    })),
    restore: live('restore', (snapshot, options = {}) =>
      copyInto(snapshot, { replace: options?.replace === true, force: true }),
    ),
    [COPY_INTO]: live('restore', (snapshot: StoreSnapshot, options: CopyIntoOptions) => copyInto(snapshot, options)),
    async close() {
      closed = true;
      await ledger.close();
    },
  };
}
