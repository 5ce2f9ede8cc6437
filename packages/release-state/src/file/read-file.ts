// Reading a state file: never through a symlink, never blocking on a FIFO, never more than the
// file may hold. Missing is null; anything else unusual is a typed error naming the file.
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { describeErrno, errnoOf, StateError, stateError, type StateErrorReason } from '../shared/errors';
import { fixForErrno } from './advice';
import { READ_FLAGS, type FsSeam } from './fs-seam';
import { notRegularFile, symlinkError } from './safety';

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
    return openFailure(file, error);
  }
  try {
    const stats = await fs.fstat(handle);
    checkSize(file, stats, options);
    return await fs.readAll(handle, stats.size);
  } catch (error) {
    if (error instanceof StateError) throw error;
    throw readFailure(file, error, 'read');
  } finally {
    await fs.close(handle).catch(() => undefined);
  }
}

/** The synchronous twin of `readStateFile`, for the ledger's entries (see FsSeam). */
export function readStateFileSync(fs: FsSeam, file: string, options: ReadOptions): Buffer | null {
  let fd: number;
  try {
    fd = fs.openSync(file, READ_FLAGS);
  } catch (error) {
    return openFailure(file, error);
  }
  try {
    checkSize(file, fs.fstatSync(fd), options);
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

/** A failed open: null when the file is missing, else the error that says why. */
function openFailure(file: string, error: unknown): null {
  const code = errnoOf(error);
  if (code === 'ENOENT') return null;
  if (code === 'ELOOP') throw symlinkError(file);
  throw readFailure(file, error, 'open');
}

function checkSize(file: string, stats: { size: number; isFile(): boolean; isDirectory(): boolean }, options: ReadOptions): void {
  if (!stats.isFile()) throw notRegularFile(file, stats);
  if (stats.size > options.maxBytes) {
    throw stateError('STATE_CORRUPT', {
      path: file,
      reason: 'too-large',
      happened: `${file} is ${stats.size} bytes, larger than the ${options.maxBytes} bytes a state file can be; it was not read`,
      changed: 'It was left unchanged',
      fix: 'Inspect it (a file this size was not written by booty), then run `booty state check`',
    });
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
