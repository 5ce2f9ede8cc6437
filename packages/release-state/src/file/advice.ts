// The operator's next step when the file system says no: every "Fix: …" of the file store is
// worded here, naming the exact path, the uid and a command to run.
import * as fsSync from 'node:fs';
import * as path from 'node:path';
import { accountName, currentUid } from '../shared/account';
import { errnoOf } from '../shared/errors';
import { STATE_DIR_ENV } from '../state-dir';
import type { FsSeam } from './fs-seam';

/**
 * The next step for an I/O failure in `dir`. Pass `file` when the failure was reading that
 * file: a permission error then gets file advice, not directory advice.
 */
export function fixForErrno(error: unknown, dir: string, file?: string): string {
  const uid = currentUid();
  const code = errnoOf(error);
  if (file !== undefined && isPermission(error)) {
    return uid === undefined
      ? `Make the file ${file} readable by this user (chmod u+r ${file}).`
      : `Make the file ${file} readable by uid ${uid}: chmod u+r ${file} (or chown ${uid} ${file} if another user owns it).`;
  }
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `Free space on the file system that holds ${dir} and retry.`;
    case 'EROFS':
      // No option is named: the directory may have come from any of them (or from --to).
      return 'Remount that file system read-write, or choose a directory on a writable one.';
    case 'EACCES':
    case 'EPERM':
      return uid === undefined
        ? `Make ${dir} writable by this user, or choose another state directory.`
        : `Make ${dir} writable by uid ${uid} (for example: chown ${uid} ${dir} && chmod 700 ${dir}), or choose another state directory.`;
    case 'EMFILE':
    case 'ENFILE':
      return 'Raise the open-file limit (ulimit -n) or close other files, then retry.';
    default:
      return 'Check the file system and retry.';
  }
}

export function isPermission(error: unknown): boolean {
  const code = errnoOf(error);
  return code === 'EACCES' || code === 'EPERM';
}

/**
 * The fix for a permission error: a file gets file advice, a directory gets directory advice;
 * both name the exact path and the uid. A directory someone else owns is never ours to chmod:
 * the advice is then to have it made for us, or to choose another one.
 */
export function permissionFix(target: string, kind: 'file' | 'dir', op: 'read' | 'write' | 'search'): string {
  const uid = currentUid();
  const who = uid === undefined ? 'this user' : `uid ${uid}`;
  if (kind === 'file') {
    const bits = op === 'read' ? 'u+r' : 'u+rw';
    const chown = uid === undefined ? '' : ` (or chown ${uid} ${target} if another user owns it)`;
    return `Fix: make the file ${target} ${op === 'read' ? 'readable' : 'writable'} by ${who}: chmod ${bits} ${target}${chown}`;
  }
  const verb = op === 'search' ? 'enterable' : op === 'read' ? 'listable' : 'writable';
  let owner: number | undefined;
  try {
    owner = fsSync.statSync(target).uid;
  } catch {
    owner = undefined;
  }
  if (uid !== undefined && owner !== undefined && owner !== uid) {
    const mine = path.join(target, `booty-${ownName()}`);
    return (
      `Fix: ${target} belongs to uid ${owner} and is not ${verb} by ${who}; choose a directory of your own with --state-dir ` +
      `(or ${STATE_DIR_ENV}), or have its owner make one for you: sudo install -d -m 700 -o ${uid} ${mine}`
    );
  }
  const bits = op === 'search' ? 'u+x' : op === 'read' ? 'u+rx' : 'u+rwx';
  return `Fix: make the directory ${target} ${verb} by ${who}: chmod ${bits} ${target}, or choose another state directory with --state-dir`;
}

/** How to make and use a private state directory at `dir`, as shell steps. */
export function privateDirFix(dir: string): string {
  return `mkdir -m 700 ${dir}, then pass --state-dir ${dir} (or set ${STATE_DIR_ENV}=${dir})`;
}

/** A private directory of ours inside the shared directory `shared` (never chmod a shared one). */
export function privateInside(shared: string): string {
  const dir = path.join(shared, `booty-${ownName()}`);
  return `Fix: use a private directory inside it instead: ${privateDirFix(dir)} (never change the mode or owner of a shared directory)`;
}

/** This account's name when it is safe in a path, else its uid. */
function ownName(): string {
  const name = accountName();
  if (name !== undefined && /^[A-Za-z0-9._-]{1,32}$/.test(name)) return name;
  const uid = currentUid();
  return uid === undefined ? 'state' : String(uid);
}

/**
 * The directory on the way to `dir` that this process may not enter (the first one from the
 * root down without search permission), so that advice names the culprit, and one that exists.
 */
export function blockingDirectory(dir: string): string {
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
export async function existingAncestor(fs: FsSeam, dir: string): Promise<string> {
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
