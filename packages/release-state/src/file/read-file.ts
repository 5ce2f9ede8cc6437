// Reading a state file: the package's one reader (shared/read-file.ts), with the file store's
// rules on top: never through a symlink, and each failure as the StateError that names the
// file and its repair. Missing is null.
import * as path from 'node:path';
import { describeErrno, stateError, type StateError } from '../shared/errors';
import { FileReadError, readFileSafely, readFileSafelySync } from '../shared/read-file';
import { fixForErrno } from './advice';
import type { FsSeam } from './fs-seam';
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
  try {
    return await readFileSafely(file, { maxBytes: options.maxBytes, symlinks: 'refuse' }, fs);
  } catch (error) {
    return failure(file, error);
  }
}

/** The synchronous twin of `readStateFile`, for the ledger's entries (see FsSeam). */
export function readStateFileSync(fs: FsSeam, file: string, options: ReadOptions): Buffer | null {
  try {
    return readFileSafelySync(file, { maxBytes: options.maxBytes, symlinks: 'refuse' }, fs);
  } catch (error) {
    return failure(file, error);
  }
}

/** null for a missing file, else the StateError of what the reader found. */
function failure(file: string, error: unknown): null {
  if (!(error instanceof FileReadError)) throw error;
  switch (error.reason) {
    case 'missing':
      return null;
    case 'symlink':
      throw symlinkError(file);
    case 'directory':
      throw notRegularFile(file, { isDirectory: () => true });
    case 'not-regular':
      throw notRegularFile(file, { isDirectory: () => false });
    case 'too-large':
      throw tooLarge(file, error.what);
    case 'unreadable':
      throw unreadable(file, error.cause ?? error);
  }
}

function tooLarge(file: string, what: string): StateError {
  return stateError('STATE_CORRUPT', {
    path: file,
    reason: 'too-large',
    happened: `${file} ${what}, more than a state file can be; it was not read`,
    changed: 'It was left unchanged',
    fix: 'Inspect it (a file this size was not written by booty), then run `booty state check`',
  });
}

function unreadable(file: string, error: unknown): StateError {
  return stateError('STATE_READ', {
    path: file,
    reason: 'read',
    happened: `Could not read ${file}: ${describeErrno(error)}`,
    changed: 'Nothing was changed',
    fix: fixForErrno(error, path.dirname(file), file),
    cause: error,
  });
}
