// The file store's safety checks, each in one place: the state directory is ours and private,
// and every state path is what it should be (a regular file, a directory), never a planted
// symlink. A check that fails says what it found and the fix (file/advice.ts).
import * as path from 'node:path';
import { currentUid } from '../shared/account';
import { describeErrno, errnoOf, stateError, type StateError } from '../shared/errors';
import { DEFAULT_STATE_DIR_SOURCE, STATE_DIR_ENV } from '../state-dir';
import {
  blockingDirectory,
  existingAncestor,
  fixForErrno,
  isPermission,
  permissionFix,
  privateDirFix,
  privateInside,
} from './advice';
import type { FsSeam } from './fs-seam';

/**
 * Creates `dir` (mode 0700, parents as needed) unless it exists, then refuses it when it is not
 * a directory, is owned by another user, or is writable by group or others: anyone who can write
 * the directory can replace the release state or plant links in it.
 */
export async function ensureStateDir(fs: FsSeam, dir: string, source?: string): Promise<void> {
  let exists = true;
  try {
    await fs.lstat(dir);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw inspectError(dir, error, source);
    exists = false;
  }
  if (!exists) {
    try {
      await fs.mkdirp(dir, 0o700);
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'EEXIST' || code === 'ENOTDIR') throw notDirectory(dir, source);
      // Advice names a directory that exists: the deepest ancestor of the one we could not create.
      const parent = await existingAncestor(fs, path.dirname(dir));
      throw stateError('STATE_WRITE', {
        path: dir,
        reason: 'mkdir',
        happened: `Could not create the state directory ${dir}: ${describeErrno(error)}`,
        changed: 'Nothing was written',
        fix: isPermission(error) ? permissionFix(parent, 'dir', 'write') : fixForErrno(error, parent),
        cause: error,
      });
    }
  }
  await assertSafeDirectory(fs, dir, 'state directory', source);
}

/**
 * For opening without creating (inspection and repair): `dir` must exist, and passes the checks
 * of `ensureStateDir`. A missing directory is the caller's mistyped path, not an empty store.
 */
export async function assertExistingStateDir(fs: FsSeam, dir: string, source?: string): Promise<void> {
  try {
    await fs.lstat(dir);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw inspectError(dir, error, source);
    const check =
      source === undefined || source === DEFAULT_STATE_DIR_SOURCE
        ? `Check --state-dir, ${STATE_DIR_ENV} and RELEASE_GOVERNOR_STORE_URL`
        : `Check ${source}`;
    throw stateError('STATE_INVALID_INPUT', {
      path: dir,
      reason: 'missing',
      happened: `There is no state directory at ${dir}${source === undefined ? '' : ` (${source})`}: nothing has been recorded there`,
      changed: 'Nothing was created or changed',
      fix: `${check} (\`booty governor status\` shows the store in use)`,
    });
  }
  await assertSafeDirectory(fs, dir, 'state directory', source);
  // A directory with none of a store's files is no store (a slip, or an empty directory): one
  // that has lost only its release.json is, and `booty state check` reports the loss.
  // (.copy-ready: a copy committed into an empty directory, which opening then finishes.)
  const exists = (name: string) =>
    fs.lstat(path.join(dir, name)).then(
      () => true,
      () => false,
    );
  const parts = await Promise.all([...STORE_NAMES, '.copy-ready'].map(exists));
  if (!parts.includes(true)) {
    const check =
      source === undefined || source === DEFAULT_STATE_DIR_SOURCE ? `--state-dir and ${STATE_DIR_ENV}` : source;
    throw stateError('STATE_INVALID_INPUT', {
      path: dir,
      reason: 'missing',
      happened: `There is no store in ${dir}${source === undefined ? '' : ` (${source})`}: it holds none of ${STORE_NAMES.join(', ')}`,
      changed: 'Nothing was created or changed',
      fix: `Check ${check} (\`booty governor status\` shows the store in use)`,
    });
  }
}

/**
 * What a state directory holds: release.json, the ledger (ours, or the first implementation's),
 * and each repository's state (repository-states.ts).
 */
const STORE_NAMES = ['release.json', 'deliveries', 'delivery_ids.json', 'repositories'];

/** The checks of `ensureStateDir` for an existing directory (also used for `deliveries/`). */
export async function assertSafeDirectory(fs: FsSeam, dir: string, what: string, source?: string): Promise<void> {
  let real: string;
  let stats;
  try {
    real = await fs.realpath(dir);
    stats = await fs.stat(real);
  } catch (error) {
    throw inspectError(dir, error, source);
  }
  const shown = real === dir ? dir : `${dir} (${real})`;
  if (!stats.isDirectory()) {
    if (what === 'state directory') throw notDirectory(dir, source);
    throw notDirectoryInside(dir, what === HOLDS.repositories[0] ? 'repositories' : 'ledger');
  }
  const uid = currentUid();
  const mode = stats.mode & 0o7777;
  const foreign = uid !== undefined && stats.uid !== uid;
  // A shared directory (/tmp, anything with the sticky bit) is never ours to chmod or chown,
  // even when we own it (root and /tmp): the fix is a private directory of our own inside it.
  const shared = (mode & 0o1000) !== 0;
  if (foreign) {
    throw stateError('STATE_UNSAFE', {
      path: dir,
      reason: 'foreign-owner',
      happened:
        `The ${what} ${shown} is owned by uid ${stats.uid}, not by this process (uid ${uid}): ` +
        'another user could change or replace the release state',
      changed: 'Nothing was written',
      fix: shared
        ? privateInside(real)
        : `Fix: run booty as uid ${stats.uid}; or, if ${real} is meant to be yours (for example sudo created it), ` +
          `chown -R ${uid} ${real}; or use a directory of your own: ${privateDirFix('$HOME/booty-state')}`,
      details: { uid, ownerUid: stats.uid },
    });
  }
  if ((mode & 0o022) !== 0) {
    const who = (mode & 0o002) !== 0 ? 'world-writable' : 'group-writable';
    throw stateError('STATE_UNSAFE', {
      path: dir,
      reason: who,
      happened:
        `The ${what} ${shown} has mode 0${mode.toString(8)} (${who}${shared ? ', sticky: a shared directory' : ''}): ` +
        'other users could replace its files or plant links in it',
      changed: 'Nothing was written',
      fix: shared ? privateInside(real) : `Fix: chmod go-w ${real} (booty creates it as 0700: chmod 700 ${real})`,
      details: { mode: `0${mode.toString(8)}` },
    });
  }
}

/** Refuses a symlink (or anything but a regular file) where a state file belongs; true when it exists. */
export async function assertRegularOrAbsent(fs: FsSeam, file: string): Promise<boolean> {
  let stats;
  try {
    stats = await fs.lstat(file);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw inspectError(file, error);
  }
  if (stats.isSymbolicLink()) throw symlinkError(file);
  if (!stats.isFile()) throw notRegularFile(file, stats);
  return true;
}

/** What a directory inside the state directory holds, for messages (`deliveries/`, `repositories/`). */
export type InnerDirectory = 'ledger' | 'repositories';

const HOLDS: Readonly<Record<InnerDirectory, [what: string, holds: string]>> = {
  ledger: ['ledger directory', 'its delivery ledger'],
  repositories: ['repositories directory', "each repository's release state"],
};

/** Refuses a symlink (or a non-directory) where a state directory belongs. Absent is fine. */
export async function assertDirectoryOrAbsent(
  fs: FsSeam,
  dir: string,
  inner: InnerDirectory = 'ledger',
): Promise<boolean> {
  let stats;
  try {
    stats = await fs.lstat(dir);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw inspectError(dir, error);
  }
  if (stats.isSymbolicLink()) throw symlinkError(dir);
  if (!stats.isDirectory()) throw notDirectoryInside(dir, inner);
  await assertSafeDirectory(fs, dir, HOLDS[inner][0]);
  return true;
}

/**
 * How to point booty at another directory, as the user chose this one: `give --to a directory`,
 * `set RELEASE_GOVERNOR_STATE_DIR to a directory`. Unknown (a library caller) or the default:
 * both ways.
 */
export function chooseDirectory(source: string | undefined): string {
  if (source === STATE_DIR_ENV) return `set ${STATE_DIR_ENV} to`;
  if (source === undefined || source === DEFAULT_STATE_DIR_SOURCE)
    return `pass --state-dir (or set ${STATE_DIR_ENV}) to`;
  return `give ${source}`;
}

/** The state directory the caller named is not a directory: their input (exit 2). */
function notDirectory(dir: string, source: string | undefined): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: dir,
    reason: 'not-directory',
    happened: `${dir}${source === undefined ? '' : ` (${source})`} exists but is not a directory, so it cannot hold the release state`,
    changed: 'Nothing was written',
    fix: `Fix: ${chooseDirectory(source)} a directory, or move ${dir} away`,
  });
}

/** Something inside the state directory is not the directory it should be: damage (exit 1), kept. */
function notDirectoryInside(dir: string, inner: InnerDirectory): StateError {
  const [what, holds] = HOLDS[inner];
  return stateError('STATE_UNSAFE', {
    path: dir,
    reason: 'not-directory',
    happened: `${dir} is not a directory; booty keeps ${holds} there`,
    changed: 'Nothing was changed',
    fix: `Fix: move it aside (mv ${dir} ${dir}.aside; booty makes a new ${what}), then run booty state check`,
  });
}

/** An lstat/stat/realpath that failed: names the path, the operation and a fix that fits. */
function inspectError(target: string, error: unknown, source?: string): StateError {
  const parent = path.dirname(target);
  const notADirectory = `Fix: a component of ${target} is a file, not a directory; ${chooseDirectory(source)} a directory`;
  const fix = isPermission(error)
    ? permissionFix(blockingDirectory(parent), 'dir', 'search')
    : errnoOf(error) === 'ENOTDIR'
      ? notADirectory
      : fixForErrno(error, parent);
  return stateError('STATE_READ', {
    path: target,
    reason: 'stat',
    happened: `Could not inspect ${target}: ${describeErrno(error)}`,
    changed: 'Nothing was changed',
    fix,
    cause: error,
  });
}

export function symlinkError(file: string): StateError {
  return stateError('STATE_UNSAFE', {
    path: file,
    reason: 'symlink',
    happened: `${file} is a symbolic link; booty does not follow links planted in place of its state files`,
    changed: 'Nothing was read or changed',
    fix: `Remove the link (rm ${file}) and, if its target holds the real state, move that file to ${file}`,
  });
}

/** A directory, FIFO, socket or device where a state file belongs: booty only uses regular files it wrote. */
export function notRegularFile(file: string, stats: { isDirectory(): boolean }): StateError {
  const kind = stats.isDirectory() ? 'a directory' : 'a FIFO, socket or device';
  return stateError('STATE_UNSAFE', {
    path: file,
    reason: 'not-regular-file',
    happened: `${file} is ${kind}, not a regular file; booty keeps its state in regular files it wrote`,
    changed: 'Nothing was changed',
    fix: `Fix: move it aside (mv ${file} ${file}.aside), then run booty state check`,
  });
}
