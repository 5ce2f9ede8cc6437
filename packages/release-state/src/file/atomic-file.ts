import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { describeErrno, errnoOf, fixForErrno, StateError, stateError, type StateErrorReason } from '../shared/errors';
import { CREATE_FLAGS, READ_FLAGS, type FsSeam } from './fs-seam';

let tempCounter = 0;
// Random once per process: pid, thread and counter already make names unique among live
// writers; the prefix keeps a reused pid from meeting a dead writer's leftover name. Made on the
// first write, so that a process that only reads (booty governor status) never loads crypto.
let tempPrefix: string | undefined;

/**
 * A temporary name beside `target`, unique to this process, thread and call (so concurrent
 * writers never share one), hidden, and recognisable by `isTempName` for clean-up.
 */
export function tempPathFor(target: string): string {
  tempCounter = (tempCounter + 1) % Number.MAX_SAFE_INTEGER;
  tempPrefix ??= `${process.pid}.${threadId}.${randomBytes(4).toString('hex')}`;
  return path.join(path.dirname(target), `.${path.basename(target)}.${tempPrefix}.${tempCounter}.tmp`);
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

function readFailure(file: string, error: unknown, reason: StateErrorReason): StateError {
  return stateError('STATE_READ', {
    path: file,
    reason,
    happened: `Could not read ${file}: ${describeErrno(error)}`,
    changed: 'Nothing was changed',
    fix: fixForErrno(error, path.dirname(file), file),
    cause: error,
  });
}

function notRegular(file: string, mode: number): StateError {
  return stateError('STATE_UNSAFE', {
    path: file,
    reason: 'not-regular-file',
    happened: `${file} is not a regular file (mode ${octal(mode & constants.S_IFMT)}); booty only reads regular files it wrote`,
    changed: 'Nothing was changed',
    fix: 'Remove it, or move it away, so the store can manage the path',
  });
}

function tooLarge(file: string, size: number, max: number): StateError {
  return stateError('STATE_CORRUPT', {
    path: file,
    reason: 'too-large',
    happened: `${file} is ${size} bytes, larger than the ${max} bytes a state file can be; it was not read`,
    changed: 'It was left unchanged',
    fix: 'Inspect it (a file this size was not written by booty), then run `booty state check`',
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

interface TempFailure {
  step: Step;
  temp: string;
  /** null: no temp file is left; else why removing it failed. */
  leftover: string | null;
  error: unknown;
}

/**
 * The one temp-file pipeline of the store: a private temp file (0600, exclusive create, beside
 * `tempFor`) gets every byte, is fsynced and closed, then `publish(temp)` gives it its real name
 * (rename to replace, link to create exclusively). The temp name is removed in `finally`
 * whatever happened (after a rename it is already gone), so no failure leaves litter.
 * Failures before or during `publish` reach `fail` with the step; StateErrors pass through.
 */
async function viaTempFile<R>(
  fs: FsSeam,
  tempFor: string,
  data: Uint8Array,
  options: { mtime?: Date | undefined; beforeCommit?: (() => Promise<void>) | undefined },
  publish: (temp: string) => Promise<R>,
  fail: (failure: TempFailure) => StateError,
): Promise<R> {
  const temp = tempPathFor(tempFor);
  let handle: FileHandle | undefined;
  let tempExists = false;
  let step: Step = 'creating a temporary file';
  let failed: unknown = undefined;
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
    if (options.beforeCommit) {
      step = 'checking the lock';
      await options.beforeCommit();
    }
    step = 'replacing the file';
    const result = await publish(temp);
    // `publish` leaves no temp name: a rename moves it, a link removes it itself.
    tempExists = false;
    return result;
  } catch (error) {
    failed = error;
    throw error;
  } finally {
    if (handle) await fs.close(handle).catch(() => undefined);
    // After a link the temp name is spare; after a failure it must not stay behind.
    const leftover = tempExists ? await removeQuietly(fs, temp) : null;
    if (failed !== undefined && !(failed instanceof StateError)) {
      // eslint-disable-next-line no-unsafe-finally
      throw fail({ step, temp, leftover, error: failed });
    }
  }
}

function litterOf(failure: TempFailure): string {
  return failure.leftover === null ? 'no temporary file was left behind' : `the temporary file ${failure.temp} could not be removed (${failure.leftover}); delete it`;
}

/**
 * Durable replace of `target`: temp file (0600, same directory, exclusive create) → write all →
 * fsync → close → rename over the target → fsync the directory. The temp file is removed on any
 * failure before the rename, so a failed write leaves the old file exactly as it was.
 */
export async function writeFileAtomic(fs: FsSeam, target: string, data: Uint8Array, options: WriteOptions = {}): Promise<void> {
  const dir = path.dirname(target);
  const label = options.label ?? path.basename(target);
  await viaTempFile(
    fs,
    target,
    data,
    { beforeCommit: options.beforeCommit },
    (temp) => fs.rename(temp, target),
    (failure) =>
      stateError('STATE_WRITE', {
        path: target,
        reason: 'write',
        happened: `Could not write ${target} while ${failure.step}: ${describeErrno(failure.error)}`,
        changed: `${label} was not changed and ${litterOf(failure)}`,
        fix: fixForErrno(failure.error, dir),
        cause: failure.error,
      }),
  );
  try {
    await fsyncDir(fs, dir);
  } catch (error) {
    throw stateError('STATE_WRITE', {
      path: target,
      reason: 'dir-fsync',
      happened: `${target} was replaced, but flushing its directory ${dir} failed: ${describeErrno(error)}`,
      changed: 'The new content is in place but may not survive a power loss',
      fix: fixForErrno(error, dir),
      cause: error,
    });
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
  /** Set as the file's modification time (imported Python entries carry their import time so). */
  mtime?: Date;
  label?: string;
  /** fsync the directory after a successful create (default true). */
  syncDir?: boolean;
  /** Runs after the temp file is on disk and before the link; its failure creates nothing. */
  beforeCommit?: () => Promise<void>;
  /** How to fsync `dir` (default: open, fsync, close); the ledger passes its kept descriptor. */
  flushDir?: () => Promise<void>;
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
  const label = options.label ?? name;
  // Entry names never start with a dot, so the hidden temp name cannot collide with one.
  let undoFailure: StateError | null = null;
  const outcome = await viaTempFile(
    fs,
    path.join(dir, 'entry'),
    data,
    { mtime: options.mtime, beforeCommit: options.beforeCommit },
    async (temp): Promise<'created' | 'exists'> => {
      try {
        await fs.link(temp, target);
      } catch (error) {
        if (errnoOf(error) !== 'EEXIST') throw error;
        await removeQuietly(fs, temp);
        return 'exists';
      }
      // The name is ours; the temp name is only scaffolding (if its removal fails the ledger is
      // still correct), so it goes while the directory is flushed.
      const [, flushError] = await Promise.all([
        removeQuietly(fs, temp),
        options.syncDir === false ? null : (options.flushDir ?? (() => fsyncDir(fs, dir)))().then(() => null, (error: unknown) => error ?? new Error('fsync failed')),
      ]);
      if (flushError !== null) {
        // Not durable, so not reported as recorded: take the name back so that a retry can claim it.
        const undo = await removeQuietly(fs, target);
        undoFailure = stateError('STATE_WRITE', {
          path: target,
          reason: 'dir-fsync',
          happened: `${target} was created, but flushing its directory ${dir} failed: ${describeErrno(flushError)}`,
          changed: undo === null ? 'It was removed again, so nothing was recorded' : `It could not be removed again (${undo}); delete ${target} before retrying`,
          fix: fixForErrno(flushError, dir),
          cause: flushError,
        });
      }
      return 'created';
    },
    (failure) => {
      const code = errnoOf(failure.error);
      const hardLinks = code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP';
      return stateError('STATE_WRITE', {
        path: target,
        reason: 'create',
        happened: `Could not create ${target} while ${failure.step}: ${describeErrno(failure.error)}`,
        changed: `${label} was not recorded and ${litterOf(failure)}`,
        fix:
          failure.step === 'replacing the file' && hardLinks
            ? `The file system under ${dir} does not support hard links, which the ledger needs for its atomic claim; use a local POSIX file system (ext4, xfs, btrfs, apfs, tmpfs)`
            : fixForErrno(failure.error, dir),
        cause: failure.error,
      });
    },
  );
  if (undoFailure !== null) throw undoFailure;
  return outcome;
}
