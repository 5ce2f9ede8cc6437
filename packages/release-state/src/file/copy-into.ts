// A copy into a state directory, all or nothing: the whole store is built beside its target
// (a staging directory), then switched in. A copy stopped before the switch, by an error, a
// signal or kill -9, leaves the target exactly as it was (a staging directory left by kill -9 is
// removed by the next copy); a reader never sees part of a copy.
//
// - A target that does not exist is built as a hidden sibling `.<name>.copy-<pid>-<hex>` and
//   renamed to its name: one atomic step.
// - An existing target (a store, or an empty directory made for it, perhaps in a parent booty
//   cannot write) is built in `<target>/.copy-<pid>-<hex>/`, committed by renaming that to
//   `<target>/.copy-ready`, then switched part by part (deliveries/, repositories/,
//   delivery_ids.json, release.json). The switch is finished by whoever comes next if the copy dies during it:
//   every open of the store rolls a committed copy forward first (`finishCommittedCopy`).
//
// Every check (the target is not the source, not inside a store, holds nothing but a store;
// whether it holds data) is made under the lock that the copy then writes under.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { RepositoryState, StoreSnapshot } from '../shared/contract';
import type { DeliveryRecord } from '../shared/contract-deliveries';
import type { CopyIntoOptions } from '../shared/copy-hooks';
import { describeErrno, errnoOf, stateError } from '../shared/errors';
import type { FileSettings } from '../shared/options';
import {
  checkSnapshot,
  copyInterrupted,
  emptySource,
  insideStore,
  isEmptySnapshot,
  notAStore,
  sameStore,
  targetNotEmpty,
} from '../shared/refusals';
import { isSkeleton, type ReleaseState } from '../shared/release-state';
import { fixForErrno } from './advice';
import type { FsSeam } from './fs-seam';
import { LEDGER_DIR, MARKER_FILE, PYTHON_LEDGER_FILE } from './ledger/entry';
import { lockPathFor, withLock, type LockSettings } from './lock';
import { storeParts } from './parts';
import { pendingPathOf } from './pending-write';
import { RELEASE_FILE } from './release-file';
import { REPOSITORIES_DIR } from './repository-states';
import { assertSafeDirectory, chooseDirectory } from './safety';
import { fsyncDir } from './staged-file';

/** The committed copy inside a target, waiting to be switched in. */
const READY = '.copy-ready';
/** A staging directory inside a target: `.copy-<pid>-<hex>`. */
const STAGING = /^\.copy-(\d+)-[0-9a-f]+$/;

/** Copies `snapshot` into the directory of `settings`, all or nothing (see the top of this file). */
export async function copyIntoDirectory(
  settings: FileSettings,
  fs: FsSeam,
  snapshot: StoreSnapshot,
  options: CopyIntoOptions,
): Promise<void> {
  const target = settings.stateDir;
  const checked = checkSnapshot(snapshot, target, path.join(target, RELEASE_FILE), path.join(target, REPOSITORIES_DIR));
  const copy: Copy = { settings, fs, ...checked, options, lock: lockOf(settings) };
  options.signal?.throwIfAborted();
  const found = await fs.lstat(target).catch((error: unknown) => {
    if (errnoOf(error) === 'ENOENT') return null;
    if (errnoOf(error) === 'ENOTDIR') {
      throw stateError('STATE_INVALID_INPUT', {
        path: target,
        reason: 'not-directory',
        happened: `${target} goes through a file as if it were a directory`,
        changed: 'Nothing was copied or changed',
        fix: `Fix: ${chooseDirectory(settings.source)} a directory`,
      });
    }
    throw copyError(target, `Could not inspect ${target}`, error, settings.source);
  });
  if (found === null) return copyIntoNew(copy);
  await assertSafeDirectory(fs, target, 'state directory', settings.source);
  const real = await fs.realpath(target);
  await finishCommittedCopy(fs, real, copy.lock);
  const checks = async () => {
    // A copy (copyStore) checks where it writes; a contract restore writes into its own open store.
    if (options.source !== undefined) {
      await checkPlacement(copy, real);
      const extra = (await fs.readdir(real)).filter((name) => !isStoreFile(name));
      if (extra.length > 0) throw notAStore(target, extra);
    }
    await checkOccupancy(copy, target);
  };
  // Once before the lock, so a refusal leaves no trace (not even a lock file come and gone), then
  // again under it: what is written is what was checked.
  await checks();
  const lockPath = lockPathFor(path.join(real, PYTHON_LEDGER_FILE));
  return withLock(lockPath, copy.lock, { path: real, label: 'The copy target' }, async () => {
    await checks();
    await removeAbandoned(real, (name) => STAGING.exec(name)?.[1]);
    const staging = path.join(real, `.copy-${process.pid}-${randomBytes(6).toString('hex')}`);
    await build(copy, staging);
    try {
      options.signal?.throwIfAborted();
      await fs.rename(staging, path.join(real, READY));
      await fsyncDir(fs, real);
    } catch (error) {
      await fsp.rm(staging, { recursive: true, force: true }).catch(() => undefined);
      throw interrupted(error, target);
    }
    // Committed: from here the copy is the target's content; a signal waits for the switch.
    await switchIn(fs, real);
  });
}

/** A copy into a directory that is not there yet: built beside it, then renamed to its name. */
async function copyIntoNew(copy: Copy): Promise<void> {
  const { settings, fs } = copy;
  const target = settings.stateDir;
  const parent = path.dirname(target);
  const name = path.basename(target);
  // Checked before anything is made: even the parent directories of a refused target are not created.
  await checkPlacement(copy, path.join(await realPathSoFar(parent), name));
  try {
    await fs.mkdirp(parent, 0o700);
  } catch (error) {
    throw copyError(target, `Could not create ${parent}`, error, settings.source);
  }
  const realParent = await fs.realpath(parent);
  const real = path.join(realParent, name);
  const lockPath = lockPathFor(path.join(realParent, `.${name}.copy`));
  await withLock(lockPath, copy.lock, { path: real, label: 'The copy target' }, async () => {
    await checkPlacement(copy, real);
    const prefix = `.${name}.copy-`;
    const pidOf = (entry: string) =>
      entry.startsWith(prefix) ? /^(\d+)-[0-9a-f]+$/.exec(entry.slice(prefix.length))?.[1] : undefined;
    await removeAbandoned(realParent, pidOf);
    const staging = path.join(realParent, `${prefix}${process.pid}-${randomBytes(6).toString('hex')}`);
    await build(copy, staging);
    try {
      copy.options.signal?.throwIfAborted();
      // A new store gets no empty repositories/ (the copy is built with one: see switchIn).
      await fs.rmdir(path.join(staging, REPOSITORIES_DIR)).catch(() => undefined);
      // Fails when the name was taken meanwhile: what is there now is never replaced unchecked.
      await fs.rename(staging, real);
      await fsyncDir(fs, realParent);
    } catch (error) {
      await fsp.rm(staging, { recursive: true, force: true }).catch(() => undefined);
      const code = errnoOf(error);
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
        const again = 'Run the same `booty state copy` again';
        throw copyError(target, `${target} appeared while the copy was being made`, error, settings.source, again);
      }
      throw interrupted(error, target);
    }
  });
}

interface Copy {
  settings: FileSettings;
  fs: FsSeam;
  state: ReleaseState;
  records: DeliveryRecord[];
  repositories: RepositoryState[];
  options: CopyIntoOptions;
  lock: LockSettings;
}

function lockOf(settings: FileSettings): LockSettings {
  return { staleMs: settings.lockStaleMs, waitMs: settings.lockWaitMs, pollMs: 10 };
}

/**
 * The target `real` (a real path) is not the source, however either was spelt (a symlink, `..`,
 * a second mount of the same directory: compared by path after every link is resolved, and by
 * device and inode), nor inside the source or any other store, nor around the source.
 */
async function checkPlacement(copy: Copy, real: string): Promise<void> {
  const { options, settings } = copy;
  const shown = settings.stateDir;
  if (options.source?.kind === 'file') {
    const location = options.source.location;
    const source = await fsp.realpath(location).catch(() => location);
    if (source === real || (await sameInode(source, real))) {
      throw sameStore(shown, `${source}, after every link is resolved`);
    }
    if (isInside(real, source)) throw insideStore(shown, `is inside the source store ${source}`);
    if (isInside(source, real)) throw insideStore(shown, `holds the source store ${source}: the copy would replace it`);
  }
  for (let dir = path.dirname(real); ; dir = path.dirname(dir)) {
    if (await looksLikeStore(dir)) throw insideStore(shown, `is inside the state directory ${dir}`);
    if (path.dirname(dir) === dir) break;
  }
}

/** Whether the target holds data, and whether the copy may then go ahead (`replace`, `force`). */
async function checkOccupancy(copy: Copy, target: string): Promise<void> {
  const { settings, fs, options } = copy;
  const { release, ledger, repositories } = storeParts(settings, fs);
  try {
    // No release.json (an empty directory made for the copy) holds nothing; a damaged one holds data.
    const bytes = await release.readBytes().catch(() => Buffer.from('damaged'));
    const holdsState =
      bytes !== null &&
      (await release.readState().then(
        (current) => !isSkeleton(current),
        () => true,
      ));
    const holdsRepositoryState = await repositories.holdState();
    const holdsClaims = !(await ledger.maintenance.isEmpty());
    if (!holdsState && !holdsRepositoryState && !holdsClaims) return;
    const holds = holdsState ? 'a release state' : holdsClaims ? 'claims' : "a repository's release state";
    if (!options.replace) throw targetNotEmpty(target, holds);
    if (!options.force && isEmptySnapshot(copy)) throw emptySource(target, holds);
  } finally {
    await ledger.close();
  }
}

/** Writes the whole store into `staging` (a new directory), durably; removes it on any failure. */
async function build(copy: Copy, staging: string): Promise<void> {
  const { fs, settings, options } = copy;
  try {
    await fsp.mkdir(staging, { mode: 0o700 });
  } catch (error) {
    throw copyError(settings.stateDir, `Could not create ${staging}`, error, settings.source);
  }
  const { release, ledger, repositories } = storeParts({ ...settings, stateDir: staging }, fs);
  try {
    await ledger.maintenance.restore(copy.records, false, options.signal);
    options.signal?.throwIfAborted();
    // Always made, empty or not: switchIn replaces the target's with it, so states the copy lacks go.
    await repositories.ensureDir();
    await repositories.restore(copy.repositories, false);
    options.signal?.throwIfAborted();
    await release.replaceWith(copy.state);
    await fsyncDir(fs, staging);
  } catch (error) {
    await fsp.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw interrupted(error, settings.stateDir);
  } finally {
    await ledger.close();
  }
}

/** Moves a committed copy's parts into place; each step can be run again after a crash. */
async function switchIn(fs: FsSeam, real: string): Promise<void> {
  const ready = path.join(real, READY);
  const exists = async (file: string) => (await fs.lstat(file).catch(() => null)) !== null;
  if (await exists(path.join(ready, LEDGER_DIR))) {
    const current = path.join(real, LEDGER_DIR);
    const aside = path.join(ready, `replaced-${LEDGER_DIR}-${randomBytes(4).toString('hex')}`);
    if (await exists(current)) await fs.rename(current, aside);
    await fs.rename(path.join(ready, LEDGER_DIR), current);
  }
  // Each repository's state: the copy's, and a repository the snapshot lacks goes. A copy is
  // built with the directory, maybe empty, so that a switch run again knows this step is done
  // once it is gone from the copy; an empty one is not moved in.
  const staged = path.join(ready, REPOSITORIES_DIR);
  if (await exists(staged)) {
    const current = path.join(real, REPOSITORIES_DIR);
    const aside = path.join(ready, `replaced-${REPOSITORIES_DIR}-${randomBytes(4).toString('hex')}`);
    if (await exists(current)) await fs.rename(current, aside);
    if ((await fs.readdir(staged)).length === 0) await fs.rmdir(staged);
    else await fs.rename(staged, current);
  }
  // The copy's delivery_ids.json belongs with its ledger: without one, the old one goes too.
  const move = (name: string) => fs.rename(path.join(ready, name), path.join(real, name));
  if (await exists(path.join(ready, PYTHON_LEDGER_FILE))) await move(PYTHON_LEDGER_FILE);
  else await fs.unlink(path.join(real, PYTHON_LEDGER_FILE)).catch(() => undefined);
  // A pending write of the old release.json belongs to the old ledger: it must never land on the copy's.
  await fs.unlink(pendingPathOf(path.join(real, RELEASE_FILE))).catch(() => undefined);
  // release.json last: once it is in place, so is everything else.
  if (await exists(path.join(ready, RELEASE_FILE))) await move(RELEASE_FILE);
  await fsyncDir(fs, real);
  await fsp.rm(ready, { recursive: true, force: true });
}

/**
 * Finishes a copy that was committed and then stopped during its switch (kill -9, a power loss),
 * under the lock the copy held. Every open of a file store calls this after checking its
 * directory; with nothing committed it costs one lstat. True when a copy was found.
 */
export async function finishCommittedCopy(fs: FsSeam, dir: string, lock: LockSettings): Promise<boolean> {
  if (fs.lstatBigSync(path.join(dir, READY)) === undefined) return false;
  const lockPath = lockPathFor(path.join(dir, PYTHON_LEDGER_FILE));
  await withLock(lockPath, lock, { path: dir, label: 'The copy into this store' }, async () => {
    if (fs.lstatBigSync(path.join(dir, READY)) !== undefined) await switchIn(fs, dir);
  });
  return true;
}

/** The names a state directory holds (its files, their locks, temp files, kept-aside damage, a copy's staging). */
function isStoreFile(name: string): boolean {
  const own = [RELEASE_FILE, pendingPathOf(RELEASE_FILE), PYTHON_LEDGER_FILE, LEDGER_DIR, REPOSITORIES_DIR, READY];
  if (own.includes(name)) return true;
  if (name.endsWith('.lock') || (name.startsWith('.') && name.endsWith('.tmp'))) return true;
  return /^(release\.json(\.pending)?|deliveries)\.corrupt-/.test(name) || STAGING.test(name);
}

/** A directory that holds a store: a release.json beside a ledger (ours, or the first implementation's). */
async function looksLikeStore(dir: string): Promise<boolean> {
  const kind = async (name: string) => (await fsp.lstat(path.join(dir, name)).catch(() => null)) ?? null;
  const release = await kind(RELEASE_FILE);
  if (release === null || !release.isFile()) return false;
  const ledger = await kind(LEDGER_DIR);
  if (ledger?.isDirectory() === true && (await kind(path.join(LEDGER_DIR, MARKER_FILE))) !== null) return true;
  return (await kind(PYTHON_LEDGER_FILE))?.isFile() === true;
}

/** `dir` with every link of its existing part resolved (the part that does not exist yet stays as written). */
async function realPathSoFar(dir: string): Promise<string> {
  const missing: string[] = [];
  for (let current = dir; ; current = path.dirname(current)) {
    const real = await fsp.realpath(current).catch(() => null);
    if (real !== null) return path.join(real, ...missing.reverse());
    if (path.dirname(current) === current) return dir;
    missing.push(path.basename(current));
  }
}

function isInside(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

async function sameInode(a: string, b: string): Promise<boolean> {
  const stat = (file: string) => fsp.stat(file, { bigint: true }).catch(() => null);
  const [x, y] = await Promise.all([stat(a), stat(b)]);
  return x !== null && y !== null && x.dev === y.dev && x.ino === y.ino;
}

/** Removes staging directories of copies whose process is gone (kill -9): `pidOf` reads a name's pid. */
async function removeAbandoned(dir: string, pidOf: (name: string) => string | undefined): Promise<void> {
  for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
    const pid = pidOf(name);
    if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue;
    await fsp.rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoOf(error) === 'EPERM';
  }
}

/** An abort (a signal) becomes the refusal that says the target is as it was; anything else passes. */
function interrupted(error: unknown, target: string): unknown {
  return error instanceof Error && error.name === 'AbortError' ? copyInterrupted(target) : error;
}

function copyError(target: string, happened: string, error: unknown, source: string | undefined, fix?: string): Error {
  return stateError('STATE_WRITE', {
    path: target,
    reason: 'write',
    happened: `${happened}: ${describeErrno(error)}`,
    changed: `Nothing was copied: ${target} was left as it was`,
    fix: fix ?? `${fixForErrno(error, path.dirname(target))} Or ${chooseDirectory(source)} another directory`,
    cause: error,
  });
}
