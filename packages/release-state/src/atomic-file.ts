import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { describeErrno, errnoDetails, errnoOf, fixForErrno, StateError } from './errors';
import { CREATE_FLAGS, READ_FLAGS, type FsSeam } from './fs-seam';

let tempCounter = 0;

/**
 * A temporary name beside `target`, unique to this process, thread and call (so concurrent
 * writers never share one), hidden, and recognisable by `isTempName` for clean-up.
 */
export function tempPathFor(target: string): string {
  tempCounter = (tempCounter + 1) % Number.MAX_SAFE_INTEGER;
  const name = `.${path.basename(target)}.${process.pid}.${threadId}.${tempCounter}.${randomBytes(4).toString('hex')}.tmp`;
  return path.join(path.dirname(target), name);
}

/** True for names made by `tempPathFor(<dir>/<base>)`. */
export function isTempName(name: string, base: string): boolean {
  return name.startsWith(`.${base}.`) && name.endsWith('.tmp');
}

export interface ReadOptions {
  /** Files larger than this are refused as corrupt instead of being read into memory. */
  maxBytes: number;
}

/**
 * Reads a state file without following a symlink and without blocking on a FIFO.
 * Returns null when the file does not exist. Throws STATE_UNSAFE for a symlink or a
 * non-regular file, STATE_CORRUPT when it is over `maxBytes`, STATE_READ otherwise.
 */
export async function readStateFile(fs: FsSeam, file: string, options: ReadOptions): Promise<Buffer | null> {
  let handle: FileHandle;
  try {
    handle = await fs.open(file, READ_FLAGS);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw symlinkError(file);
    throw readFailure(file, error, 'open');
  }
  try {
    const stats = await fs.fstat(handle);
    if (!stats.isFile()) throw notRegular(file, stats.mode);
    if (stats.size > options.maxBytes) throw tooLarge(file, stats.size, options.maxBytes);
    return await fs.readAll(handle, stats.size);
  } catch (error) {
    if (error instanceof StateError) throw error;
    throw readFailure(file, error, 'read');
  } finally {
    await fs.close(handle).catch(() => undefined);
  }
}

/** The synchronous twin of `readStateFile`, for the prune pass (see FsSeam). */
export function readStateFileSync(fs: FsSeam, file: string, options: ReadOptions): Buffer | null {
  let fd: number;
  try {
    fd = fs.openSync(file, READ_FLAGS);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw symlinkError(file);
    throw readFailure(file, error, 'open');
  }
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isFile()) throw notRegular(file, stats.mode);
    if (stats.size > options.maxBytes) throw tooLarge(file, stats.size, options.maxBytes);
    return fs.readAllSync(fd);
  } catch (error) {
    if (error instanceof StateError) throw error;
    throw readFailure(file, error, 'read');
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // Nothing useful to do about a failed close of a read-only descriptor.
    }
  }
}

function readFailure(file: string, error: unknown, reason: string): StateError {
  return new StateError(
    'STATE_READ',
    file,
    `Could not read ${file}: ${describeErrno(error)}. Nothing was changed. ${fixForErrno(error, path.dirname(file))}`,
    { reason, ...errnoDetails(error) },
    error,
  );
}

function notRegular(file: string, mode: number): StateError {
  return new StateError(
    'STATE_UNSAFE',
    file,
    `${file} is not a regular file (mode ${octal(mode & constants.S_IFMT)}); booty only reads regular files it wrote. Nothing was changed. Remove it, or move it away, so the store can manage the path.`,
    { reason: 'not-regular-file' },
  );
}

function tooLarge(file: string, size: number, max: number): StateError {
  return new StateError(
    'STATE_CORRUPT',
    file,
    `${file} is ${size} bytes, larger than the ${max} bytes a state file can be; it was not read and was left unchanged. Inspect it: a file this size was not written by booty.`,
    { reason: 'too-large' },
  );
}

export function symlinkError(file: string): StateError {
  return new StateError(
    'STATE_UNSAFE',
    file,
    `${file} is a symbolic link; booty does not follow links planted in place of its state files. Nothing was read or changed. Remove the link (rm ${file}) and, if its target holds the real state, move that file to ${file}.`,
    { reason: 'symlink' },
  );
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

/** fsync a directory so that a rename, link or unlink inside it survives a power loss. */
export async function fsyncDir(fs: FsSeam, dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fs.fsync(handle);
  } finally {
    await fs.close(handle).catch(() => undefined);
  }
}

export interface WriteOptions {
  /** Runs after the temp file is on disk and before the rename: e.g. "do we still hold the lock?". */
  beforeCommit?: () => Promise<void>;
  /** What the target is called in messages (default: its base name). */
  label?: string;
}

type Step = 'creating a temporary file' | 'writing' | 'flushing it to disk (fsync)' | 'replacing the file' | 'checking the lock';

/**
 * Durable replace of `target`: temp file (0600, same directory, exclusive create) → write all →
 * fsync → close → rename over the target → fsync the directory. The temp file is removed on any
 * failure before the rename, so a failed write leaves the old file exactly as it was.
 */
export async function writeFileAtomic(fs: FsSeam, target: string, data: Uint8Array, options: WriteOptions = {}): Promise<void> {
  const dir = path.dirname(target);
  const label = options.label ?? path.basename(target);
  const temp = tempPathFor(target);
  let handle: FileHandle | undefined;
  let tempExists = false;
  let step: Step = 'creating a temporary file';
  try {
    handle = await fs.open(temp, CREATE_FLAGS, 0o600);
    tempExists = true;
    step = 'writing';
    await fs.writeAll(handle, data);
    step = 'flushing it to disk (fsync)';
    await fs.fsync(handle);
    await fs.close(handle);
    handle = undefined;
    if (options.beforeCommit) {
      step = 'checking the lock';
      await options.beforeCommit();
    }
    step = 'replacing the file';
    await fs.rename(temp, target);
    tempExists = false;
  } catch (error) {
    if (handle) await fs.close(handle).catch(() => undefined);
    const leftover = tempExists ? await removeQuietly(fs, temp) : null;
    if (error instanceof StateError) throw error;
    const litter = leftover === null ? 'no temporary file was left behind' : `the temporary file ${temp} could not be removed (${leftover}); delete it`;
    throw new StateError(
      'STATE_WRITE',
      target,
      `Could not write ${target} while ${step}: ${describeErrno(error)}. ${label} was not changed and ${litter}. ${fixForErrno(error, dir)}`,
      { reason: 'write', ...errnoDetails(error) },
      error,
    );
  }
  try {
    await fsyncDir(fs, dir);
  } catch (error) {
    throw new StateError(
      'STATE_WRITE',
      target,
      `${target} was replaced, but flushing its directory ${dir} failed: ${describeErrno(error)}. The new content is in place but may not survive a power loss. ${fixForErrno(error, dir)}`,
      { reason: 'dir-fsync', ...errnoDetails(error) },
      error,
    );
  }
}

/** Unlinks `file`; returns null on success (or if already gone), else a description of the failure. */
export async function removeQuietly(fs: FsSeam, file: string): Promise<string | null> {
  try {
    await fs.unlink(file);
    return null;
  } catch (error) {
    return errnoOf(error) === 'ENOENT' ? null : describeErrno(error);
  }
}

export interface CreateOptions {
  /** Set as the file's modification time (the store prunes by it without opening files). */
  mtime?: Date;
  label?: string;
  /** fsync the directory after a successful create (default true). */
  syncDir?: boolean;
}

/**
 * Creates `dir/name` with exactly `data`, or reports that the name exists: the content goes to a
 * private temp file first (written, fsynced), then `link()` gives it the final name. `link` fails
 * with EEXIST if the name exists, atomically, so among any number of processes exactly one
 * creates it, and nobody ever sees a half-written file.
 */
export async function createExclusive(
  fs: FsSeam,
  dir: string,
  name: string,
  data: Uint8Array,
  options: CreateOptions = {},
): Promise<'created' | 'exists'> {
  const target = path.join(dir, name);
  // Entry names never start with a dot, so this hidden temp name cannot collide with one.
  const temp = tempPathFor(path.join(dir, 'entry'));
  const label = options.label ?? name;
  let handle: FileHandle | undefined;
  let tempExists = false;
  let step: Step = 'creating a temporary file';
  let outcome: 'created' | 'exists';
  try {
    handle = await fs.open(temp, CREATE_FLAGS, 0o600);
    tempExists = true;
    step = 'writing';
    await fs.writeAll(handle, data);
    if (options.mtime) await fs.futimes(handle, options.mtime);
    step = 'flushing it to disk (fsync)';
    await fs.fsync(handle);
    await fs.close(handle);
    handle = undefined;
    step = 'replacing the file';
    try {
      await fs.link(temp, target);
      outcome = 'created';
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw error;
      outcome = 'exists';
    }
  } catch (error) {
    if (handle) await fs.close(handle).catch(() => undefined);
    const leftover = tempExists ? await removeQuietly(fs, temp) : null;
    const hardLinks = errnoOf(error) === 'EPERM' || errnoOf(error) === 'ENOTSUP' || errnoOf(error) === 'EOPNOTSUPP';
    const fix =
      step === 'replacing the file' && hardLinks
        ? `The file system under ${dir} does not support hard links, which the ledger needs for its atomic claim; use a local POSIX file system (ext4, xfs, btrfs, apfs, tmpfs).`
        : fixForErrno(error, dir);
    const litter = leftover === null ? 'no temporary file was left behind' : `the temporary file ${temp} could not be removed (${leftover}); delete it`;
    throw new StateError(
      'STATE_WRITE',
      target,
      `Could not create ${target} while ${step}: ${describeErrno(error)}. ${label} was not recorded and ${litter}. ${fix}`,
      { reason: 'create', ...errnoDetails(error) },
      error,
    );
  }
  // The temp name is only scaffolding; if its removal fails the ledger is still correct.
  await removeQuietly(fs, temp);
  if (outcome === 'created' && options.syncDir !== false) {
    try {
      await fsyncDir(fs, dir);
    } catch (error) {
      // Not durable, so not reported as recorded: take the name back so that a retry can claim it.
      const undo = await removeQuietly(fs, target);
      const state = undo === null ? 'It was removed again, so nothing was recorded' : `It could not be removed again (${undo}); delete ${target} before retrying`;
      throw new StateError(
        'STATE_WRITE',
        target,
        `${target} was created, but flushing its directory ${dir} failed: ${describeErrno(error)}. ${state}. ${fixForErrno(error, dir)}`,
        { reason: 'dir-fsync', ...errnoDetails(error) },
        error,
      );
    }
  }
  return outcome;
}
