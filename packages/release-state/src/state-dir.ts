import * as fsSync from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { symlinkError } from './file/atomic-file';
import { describeErrno, errnoOf, fixForErrno, stateError, type StateError } from './shared/errors';
import type { FsSeam } from './file/fs-seam';
import { excerptValue } from './shared/json';

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

/** Where a path came from, as an operator would name it in a message. */
type PathSource = 'the stateDir option (--state-dir)' | typeof STATE_DIR_ENV;
const OPTION_SOURCE: PathSource = 'the stateDir option (--state-dir)';

/** What to set when booty cannot place the state directory by itself. */
const SET_STATE_DIR = `set ${STATE_DIR_ENV}=/absolute/path (or pass --state-dir /absolute/path)`;

/**
 * The state directory, as an absolute path: the `stateDir` option, else
 * `RELEASE_GOVERNOR_STATE_DIR`, else `<home>/.booty/state`. One rule for the option and the
 * variable: `~` and `~/x` expand to the home directory, `~user` is refused, NUL is refused.
 * Never the current directory. Creates nothing.
 */
export function resolveStateDir(options: ResolveStateDirOptions = {}): string {
  return resolveStateDirWith(options, accountHome);
}

/** The account's home directory from the password database (what a shell's `~` means without HOME). */
function accountHome(): string | undefined {
  try {
    return os.userInfo().homedir;
  } catch {
    // No entry for this uid (a container started with a random uid): there is no home.
    return undefined;
  }
}

/** `resolveStateDir` with the password-database lookup injectable (tests). Internal. */
export function resolveStateDirWith(options: ResolveStateDirOptions, passwdHome: () => string | undefined): string {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = () => homeDirectory(env, passwdHome);
  if (options.stateDir !== undefined) return interpretPath(options.stateDir, OPTION_SOURCE, home, cwd);
  const fromEnv = env[STATE_DIR_ENV];
  // An empty variable counts as unset (`RELEASE_GOVERNOR_STATE_DIR= booty ...`), as for config overrides.
  if (fromEnv !== undefined && fromEnv !== '') return interpretPath(fromEnv, STATE_DIR_ENV, home, cwd);
  return path.join(home(), '.booty', 'state');
}

/**
 * The one rule for a state-directory path, from the option or the variable.
 * Relative paths differ by source, on purpose: a path typed on a command line is read against
 * the directory it was typed in, as `cp` or `tar` read theirs; a relative path in the variable
 * is refused, because the variable is inherited by services, hooks and cron jobs that start in
 * different directories, and each would then keep a ledger of its own (exactly-once gone).
 */
function interpretPath(value: string, source: PathSource, home: () => string, cwd: string): string {
  if (value === '') throw badPath(value, source, 'is empty; it must name the state directory', 'empty');
  if (value.includes('\0')) throw badPath(value, source, 'contains a NUL byte', 'bad-path');
  if (value === '~' || value.startsWith('~/')) return path.resolve(home(), `.${value.slice(1)}`);
  if (value.startsWith('~')) throw badPath(value, source, 'starts with ~user, which booty does not expand (only ~ and ~/ are)', 'bad-path');
  if (path.isAbsolute(value)) return path.resolve(value);
  if (source === STATE_DIR_ENV) throw badPath(value, source, 'is a relative path; the variable must be absolute (or ~/...), since processes started in other directories would each get a state directory of their own', 'relative-path');
  return path.resolve(cwd, value);
}

function badPath(value: string, source: PathSource, what: string, reason: 'empty' | 'bad-path' | 'relative-path'): StateError {
  const shown = excerptValue(value);
  // Only a plain path is repeated in a shell step; anything else gets a placeholder.
  const relative = /^[\w.@+-][\w./@+-]{0,79}$/.test(value) ? value.replace(/^\.\//, '') : 'DIR';
  const example = reason === 'relative-path' ? `set ${STATE_DIR_ENV}="$PWD/${relative}" (an absolute path)` : SET_STATE_DIR;
  return stateError('STATE_INVALID_INPUT', {
    path: value.includes('\0') ? shown : value,
    reason,
    happened: `${source} ${shown} ${what}`,
    changed: 'Nothing was created or changed',
    fix: reason === 'relative-path' ? `Fix: ${example}, or pass --state-dir ${excerptValue(value)} (read against the current directory)` : `Fix: ${example}`,
    details: { field: source === STATE_DIR_ENV ? STATE_DIR_ENV : 'stateDir' },
  });
}

/**
 * The home directory for `~` and the default: $HOME when it is an absolute path, else the
 * account's home from the password database when that is absolute (bash does the same for `~`),
 * else a refusal. It must exist: booty creates `.booty/state` under a home, never the home itself.
 */
function homeDirectory(env: NodeJS.ProcessEnv, passwdHome: () => string | undefined): string {
  const fromEnv = env['HOME'];
  let home: string;
  let origin: string;
  if (fromEnv !== undefined && fromEnv !== '' && path.isAbsolute(fromEnv) && !fromEnv.includes('\0')) {
    home = fromEnv;
    origin = 'from HOME';
  } else {
    const whyNot = fromEnv === undefined ? 'HOME is not set' : fromEnv === '' ? 'HOME is empty' : `HOME is ${excerptValue(fromEnv)}, not an absolute path`;
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    const account = uid === undefined ? 'this account' : `uid ${uid}`;
    const fromPasswd = passwdHome();
    if (fromPasswd === undefined || fromPasswd === '' || !path.isAbsolute(fromPasswd)) {
      throw stateError('STATE_INVALID_INPUT', {
        path: fromEnv ?? '(HOME unset)',
        reason: 'no-home',
        happened: `${whyNot}, and ${account} has no absolute home directory in the password database, so there is no default place for the state directory (booty never uses the current directory: each directory would get a ledger of its own)`,
        changed: 'Nothing was created or changed',
        fix: `Fix: ${SET_STATE_DIR}, or set HOME to an absolute path`,
        details: { field: 'HOME' },
      });
    }
    home = fromPasswd;
    origin = `from the password database entry of ${account}, as ${whyNot}`;
  }
  let problem: string | null;
  try {
    problem = fsSync.statSync(home).isDirectory() ? null : 'is not a directory';
  } catch (error) {
    const code = errnoOf(error);
    // Anything but "not there" (EACCES on a parent, say) is reported where the directory is used.
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return path.resolve(home);
    problem = 'does not exist';
  }
  if (problem !== null) {
    throw stateError('STATE_INVALID_INPUT', {
      path: home,
      reason: 'home-missing',
      happened: `The home directory ${home} (${origin}) ${problem}; booty creates its state directory under a home, never the home itself`,
      changed: 'Nothing was created or changed',
      fix: `Fix: ${SET_STATE_DIR}, or set HOME to an existing directory`,
      details: { field: 'HOME' },
    });
  }
  return path.resolve(home);
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
    if (errnoOf(error) !== 'ENOENT') throw inspectError(dir, error);
    exists = false;
  }
  if (!exists) {
    try {
      await fs.mkdirp(dir, 0o700);
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'EEXIST' || code === 'ENOTDIR') throw notDirectory(dir);
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
  await assertSafeDirectory(fs, dir, 'state directory');
}

/**
 * For opening without creating (inspection and repair): `dir` must exist, and passes the checks
 * of `ensureStateDir`. A missing directory is the caller's mistyped path, not an empty store.
 */
export async function assertExistingStateDir(fs: FsSeam, dir: string): Promise<void> {
  try {
    await fs.lstat(dir);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw inspectError(dir, error);
    throw stateError('STATE_INVALID_INPUT', {
      path: dir,
      reason: 'missing',
      happened: `There is no state directory at ${dir}: nothing has been recorded there`,
      changed: 'Nothing was created or changed',
      fix: `Check --state-dir, ${STATE_DIR_ENV} and RELEASE_GOVERNOR_STORE_URL (\`booty governor status\` shows the store in use)`,
    });
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
    throw inspectError(dir, error);
  }
  const shown = real === dir ? dir : `${dir} (${real})`;
  if (!stats.isDirectory()) throw what === 'state directory' ? notDirectory(dir) : notDirectoryInside(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const mode = stats.mode & 0o7777;
  const foreign = uid !== undefined && stats.uid !== uid;
  // A shared directory (/tmp, anything with the sticky bit) is never ours to chmod or chown,
  // even when we own it (root and /tmp): the fix is a private directory of our own inside it.
  const shared = (mode & 0o1000) !== 0;
  const privateInside = `Fix: use a private directory inside it instead: ${privateDirFix(path.join(real, `booty-${userName(uid)}`))} (never change the mode or owner of a shared directory)`;
  if (foreign) {
    throw stateError('STATE_UNSAFE', {
      path: dir,
      reason: 'foreign-owner',
      happened: `The ${what} ${shown} is owned by uid ${stats.uid}, not by this process (uid ${uid}): another user could change or replace the release state`,
      changed: 'Nothing was written',
      fix: shared
        ? privateInside
        : `Fix: run booty as uid ${stats.uid}; or, if ${real} is meant to be yours (for example sudo created it), chown -R ${uid} ${real}; or use a directory of your own: ${privateDirFix('$HOME/booty-state')}`,
      details: { uid, ownerUid: stats.uid },
    });
  }
  if ((mode & 0o022) !== 0) {
    const who = (mode & 0o002) !== 0 ? 'world-writable' : 'group-writable';
    throw stateError('STATE_UNSAFE', {
      path: dir,
      reason: who,
      happened: `The ${what} ${shown} has mode 0${mode.toString(8)} (${who}${(mode & 0o1000) !== 0 ? ', sticky: a shared directory' : ''}): other users could replace its files or plant links in it`,
      changed: 'Nothing was written',
      fix: shared ? privateInside : `Fix: chmod go-w ${real} (booty creates it as 0700: chmod 700 ${real})`,
      details: { mode: `0${mode.toString(8)}` },
    });
  }
}

/** How to make and use a private state directory at `dir`, as shell steps. */
function privateDirFix(dir: string): string {
  return `mkdir -m 700 ${dir}, then pass --state-dir ${dir} (or set ${STATE_DIR_ENV}=${dir})`;
}

function userName(uid: number | undefined): string {
  try {
    const name = os.userInfo().username;
    if (/^[A-Za-z0-9._-]{1,32}$/.test(name)) return name;
  } catch {
    // No password-database entry: fall back to the uid.
  }
  return uid === undefined ? 'state' : String(uid);
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
  if (!stats.isFile()) {
    const kind = stats.isDirectory() ? 'a directory' : 'not a regular file (a FIFO, socket or device)';
    throw stateError('STATE_UNSAFE', {
      path: file,
      reason: 'not-regular-file',
      happened: `${file} is ${kind}${stats.isDirectory() ? ', not a regular file' : ''}; booty keeps its state in regular files`,
      changed: 'Nothing was changed',
      fix: `Fix: move it aside (mv ${file} ${file}.aside), then run booty state check`,
    });
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
    throw inspectError(dir, error);
  }
  if (stats.isSymbolicLink()) throw symlinkError(dir);
  if (!stats.isDirectory()) throw notDirectoryInside(dir);
  await assertSafeDirectory(fs, dir, 'ledger directory');
  return true;
}

/** The state directory the caller named is not a directory: their input (exit 2). */
function notDirectory(dir: string): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: dir,
    reason: 'not-directory',
    happened: `${dir} exists but is not a directory, so it cannot hold the release state`,
    changed: 'Nothing was written',
    fix: `Fix: pass --state-dir (or set ${STATE_DIR_ENV}) to a directory, or move ${dir} away`,
  });
}

/** Something inside the state directory is not the directory it should be: damage (exit 1), kept. */
function notDirectoryInside(dir: string): StateError {
  return stateError('STATE_UNSAFE', {
    path: dir,
    reason: 'not-directory',
    happened: `${dir} is not a directory; booty keeps its delivery ledger there`,
    changed: 'Nothing was changed',
    fix: `Fix: move it aside (mv ${dir} ${dir}.aside; booty makes a new ledger directory), then run booty state check`,
  });
}

/** An lstat/stat/realpath that failed: names the path, the operation and a fix that fits. */
function inspectError(target: string, error: unknown): StateError {
  const parent = path.dirname(target);
  let fix: string;
  if (isPermission(error)) fix = permissionFix(blockingDirectory(parent), 'dir', 'search');
  else if (errnoOf(error) === 'ENOTDIR') fix = `Fix: a component of ${target} is a file, not a directory; pass --state-dir (or set ${STATE_DIR_ENV}) to a directory path`;
  else fix = fixForErrno(error, parent);
  return stateError('STATE_READ', {
    path: target,
    reason: 'stat',
    happened: `Could not inspect ${target}: ${describeErrno(error)}`,
    changed: 'Nothing was changed',
    fix,
    cause: error,
  });
}

function isPermission(error: unknown): boolean {
  const code = errnoOf(error);
  return code === 'EACCES' || code === 'EPERM';
}

/**
 * The fix for a permission error: a file gets file advice, a directory gets directory advice;
 * both name the exact path and the uid. A directory someone else owns is never ours to chmod:
 * the advice is then to have it made for us, or to choose another one.
 */
export function permissionFix(target: string, kind: 'file' | 'dir', op: 'read' | 'write' | 'search'): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const who = uid === undefined ? 'this user' : `uid ${uid}`;
  if (kind === 'file') {
    const bits = op === 'read' ? 'u+r' : 'u+rw';
    return `Fix: make the file ${target} ${op === 'read' ? 'readable' : 'writable'} by ${who}: chmod ${bits} ${target}${uid === undefined ? '' : ` (or chown ${uid} ${target} if another user owns it)`}`;
  }
  const verb = op === 'search' ? 'enterable' : op === 'read' ? 'listable' : 'writable';
  let owner: number | undefined;
  try {
    owner = fsSync.statSync(target).uid;
  } catch {
    owner = undefined;
  }
  if (uid !== undefined && owner !== undefined && owner !== uid) {
    return `Fix: ${target} belongs to uid ${owner} and is not ${verb} by ${who}; choose a directory of your own with --state-dir (or ${STATE_DIR_ENV}), or have its owner make one for you: sudo install -d -m 700 -o ${uid} ${path.join(target, `booty-${userName(uid)}`)}`;
  }
  const bits = op === 'search' ? 'u+x' : op === 'read' ? 'u+rx' : 'u+rwx';
  return `Fix: make the directory ${target} ${verb} by ${who}: chmod ${bits} ${target}, or choose another state directory with --state-dir`;
}

/**
 * The directory on the way to `dir` that this process may not enter (the first one from the
 * root down without search permission), so that advice names the culprit, and one that exists.
 */
function blockingDirectory(dir: string): string {
  let current = path.parse(dir).root;
  for (const part of path.relative(current, dir).split(path.sep).filter(Boolean)) {
    try {
      fsSync.accessSync(current, fsSync.constants.X_OK);
    } catch (error) {
      return errnoOf(error) === 'ENOENT' ? path.dirname(current) : current;
    }
    current = path.join(current, part);
  }
  return current;
}

/** The deepest existing ancestor of `dir` (itself if it exists). */
async function existingAncestor(fs: FsSeam, dir: string): Promise<string> {
  let current = dir;
  for (;;) {
    try {
      await fs.lstat(current);
      return current;
    } catch {
      const up = path.dirname(current);
      if (up === current) return current;
      current = up;
    }
  }
}
