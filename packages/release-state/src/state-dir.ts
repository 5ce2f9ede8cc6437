import * as path from 'node:path';
import { symlinkError } from './atomic-file';
import { describeErrno, errnoDetails, errnoOf, fixForErrno, StateError } from './errors';
import type { FsSeam } from './fs-seam';

/** The environment variable that chooses the state directory (it is not a config key). */
export const STATE_DIR_ENV = 'RELEASE_GOVERNOR_STATE_DIR';

export interface ResolveStateDirOptions {
  /** Wins over everything else; relative paths resolve against `cwd`. */
  stateDir?: string | undefined;
  /** Default: `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Default: `process.cwd()`. */
  cwd?: string | undefined;
}

/**
 * The state directory, as an absolute path: the `stateDir` option, else
 * `RELEASE_GOVERNOR_STATE_DIR`, else `$HOME/.booty/state`, else `./.booty/state`.
 * Empty values count as unset; a leading `~/` expands to `$HOME`. Creates nothing.
 */
export function resolveStateDir(options: ResolveStateDirOptions = {}): string {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = nonEmpty(env['HOME']);
  const pick = (value: string, source: string): string => {
    if (value.includes('\0')) {
      throw new StateError('STATE_INVALID_INPUT', value, `${source} contains a NUL byte; it must be a directory path.`, {
        reason: 'bad-path',
        field: source,
      });
    }
    const expanded = home !== undefined && (value === '~' || value.startsWith('~/')) ? path.join(home, value.slice(1)) : value;
    return path.resolve(cwd, expanded);
  };
  const explicit = nonEmpty(options.stateDir);
  if (explicit !== undefined) return pick(explicit, 'the stateDir option');
  const fromEnv = nonEmpty(env[STATE_DIR_ENV]);
  if (fromEnv !== undefined) return pick(fromEnv, STATE_DIR_ENV);
  if (home !== undefined) return pick(path.join(home, '.booty', 'state'), 'HOME');
  return path.resolve(cwd, '.booty', 'state');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Creates `dir` (mode 0700, parents as needed) unless it exists, then refuses it when it is not
 * a directory, is owned by another user, or is writable by group or others: anyone who can write
 * the directory can replace the release state or plant links in it.
 */
export async function ensureStateDir(fs: FsSeam, dir: string): Promise<void> {
  let exists = true;
  try {
    await fs.lstat(dir);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw readError(dir, error);
    exists = false;
  }
  if (!exists) {
    try {
      await fs.mkdirp(dir, 0o700);
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'EEXIST' || code === 'ENOTDIR') throw notDirectory(dir);
      throw new StateError(
        'STATE_WRITE',
        dir,
        `Could not create the state directory ${dir}: ${describeErrno(error)}. Nothing was written. ${fixForErrno(error, path.dirname(dir))}`,
        { reason: 'mkdir', ...errnoDetails(error) },
        error,
      );
    }
  }
  await assertSafeDirectory(fs, dir, 'state directory');
}

/** The checks of `ensureStateDir` for an existing directory (also used for `deliveries/`). */
export async function assertSafeDirectory(fs: FsSeam, dir: string, what: string): Promise<void> {
  let real: string;
  let stats;
  try {
    real = await fs.realpath(dir);
    stats = await fs.stat(real);
  } catch (error) {
    throw readError(dir, error);
  }
  const shown = real === dir ? dir : `${dir} (${real})`;
  if (!stats.isDirectory()) throw notDirectory(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid !== undefined && stats.uid !== uid) {
    throw new StateError(
      'STATE_UNSAFE',
      dir,
      `The ${what} ${shown} is owned by uid ${stats.uid}, not by this process (uid ${uid}): another user could change or replace the release state. Nothing was written. Fix: chown ${uid} ${real} (or run as uid ${stats.uid}), or set ${STATE_DIR_ENV} to a directory of your own.`,
      { reason: 'foreign-owner', uid, ownerUid: stats.uid },
    );
  }
  const mode = stats.mode & 0o7777;
  if ((mode & 0o022) !== 0) {
    const who = (mode & 0o002) !== 0 ? 'world-writable' : 'group-writable';
    throw new StateError(
      'STATE_UNSAFE',
      dir,
      `The ${what} ${shown} has mode 0${mode.toString(8)} (${who}): other users could replace its files or plant links in it. Nothing was written. Fix: chmod go-w ${real} (booty creates it as 0700: chmod 700 ${real}).`,
      { reason: who, mode: `0${mode.toString(8)}` },
    );
  }
}

/** Refuses a symlink (or anything but a regular file) where a state file belongs; true when it exists. */
export async function assertRegularOrAbsent(fs: FsSeam, file: string): Promise<boolean> {
  let stats;
  try {
    stats = await fs.lstat(file);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw readError(file, error);
  }
  if (stats.isSymbolicLink()) throw symlinkError(file);
  if (!stats.isFile()) {
    throw new StateError(
      'STATE_UNSAFE',
      file,
      `${file} is not a regular file; booty keeps its state in regular files. Nothing was changed. Move it away so the store can manage the path.`,
      { reason: 'not-regular-file' },
    );
  }
  return true;
}

/** Refuses a symlink (or a non-directory) where a state directory belongs. Absent is fine. */
export async function assertDirectoryOrAbsent(fs: FsSeam, dir: string): Promise<boolean> {
  let stats;
  try {
    stats = await fs.lstat(dir);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw readError(dir, error);
  }
  if (stats.isSymbolicLink()) throw symlinkError(dir);
  if (!stats.isDirectory()) throw notDirectory(dir);
  await assertSafeDirectory(fs, dir, 'ledger directory');
  return true;
}

function notDirectory(dir: string): StateError {
  return new StateError(
    'STATE_INVALID_INPUT',
    dir,
    `${dir} exists but is not a directory, so it cannot hold the release state. Nothing was written. Move it away, or set ${STATE_DIR_ENV} to another path.`,
    { reason: 'not-directory' },
  );
}

function readError(file: string, error: unknown): StateError {
  return new StateError(
    'STATE_READ',
    file,
    `Could not inspect ${file}: ${describeErrno(error)}. Nothing was changed. ${fixForErrno(error, path.dirname(file))}`,
    { reason: 'stat', ...errnoDetails(error) },
    error,
  );
}
