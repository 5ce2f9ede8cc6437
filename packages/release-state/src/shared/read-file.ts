// The one way booty reads a file: the store's own files, the certificates and keys a store URL
// names, the pgpass file, a --dotenv file and the CLI's code cache. Whatever the path names, the
// read never blocks (a FIFO with no writer, a terminal), never runs away (/dev/zero, a file that
// grows while it is read) and never takes anything but a regular file. A failure is a
// FileReadError saying what the file is in words; each caller puts the option or variable that
// named the file in front of them (`sslrootcert /x is a FIFO, socket or device, not a regular
// file`). This module imports nothing but node:fs, so the CLI's start module can use it too
// (`@booty/release-state/read-file`).
import { closeSync, constants, fstatSync, openSync, promises as fsp, readSync, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Why a file could not be read. */
export type FileReadReason = 'missing' | 'symlink' | 'directory' | 'not-regular' | 'too-large' | 'unreadable';

/** A file that could not be read; `what` says why, to follow the file's name ("is a directory"). */
export class FileReadError extends Error {
  override readonly name = 'FileReadError';

  constructor(
    readonly reason: FileReadReason,
    readonly file: string,
    /** What the file is, or what went wrong, as a phrase after its name: "does not exist". */
    readonly what: string,
    /** The operating system's error code, when there was one. */
    readonly errno?: string,
    /** The underlying system error (it carries only the path and the code). */
    cause?: unknown,
  ) {
    super(`${file} ${what}`, cause === undefined ? undefined : { cause });
  }
}

export interface ReadFileOptions {
  /** Larger files are refused before anything is read (FileReadError `too-large`). */
  maxBytes: number;
  /**
   * `refuse`: a symbolic link is an error (`symlink`), for files booty writes itself and never
   * links. `follow` (the default): the link's target is read, as for a certificate that the
   * system keeps as a link, and the rules apply to the target.
   */
  symlinks?: 'follow' | 'refuse';
}

/** The calls the reader makes; the file store passes its fault-injection seam (file/fs-seam.ts). */
export interface ReadOps {
  open(path: string, flags: number): Promise<FileHandle>;
  fstat(handle: FileHandle): Promise<Stats>;
  /** Reads up to `length` bytes at `position` into `buffer` at `offset`; returns how many. */
  read(handle: FileHandle, buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  close(handle: FileHandle): Promise<void>;
  openSync(path: string, flags: number): number;
  fstatSync(fd: number): Stats;
  /** The synchronous `read`. */
  readAtSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
}

export const nodeReadOps: ReadOps = {
  open: (path, flags) => fsp.open(path, flags),
  fstat: (handle) => handle.stat(),
  read: async (handle, buffer, offset, length, position) => {
    return (await handle.read(buffer, offset, length, position)).bytesRead;
  },
  close: (handle) => handle.close(),
  openSync: (path, flags) => openSync(path, flags),
  fstatSync: (fd) => fstatSync(fd),
  readAtSync: (fd, buffer, offset, length, position) => readSync(fd, buffer, offset, length, position),
  closeSync: (fd) => closeSync(fd),
};

/** O_NONBLOCK: opening a FIFO that has no writer returns at once (and the fstat then refuses it). */
function flagsFor(options: ReadFileOptions): number {
  return constants.O_RDONLY | constants.O_NONBLOCK | (options.symlinks === 'refuse' ? constants.O_NOFOLLOW : 0);
}

/** Reads the whole of `file`; throws FileReadError (`missing` when there is nothing there). */
export async function readFileSafely(
  file: string,
  options: ReadFileOptions,
  ops: ReadOps = nodeReadOps,
): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await ops.open(file, flagsFor(options));
  } catch (error) {
    throw openError(file, error, options);
  }
  try {
    const stats = await ops.fstat(handle);
    const reader = new Accumulator(file, stats, options);
    while (reader.room() > 0) {
      const read = await ops.read(handle, reader.buffer, reader.length, reader.room(), reader.length);
      if (!reader.took(read)) break;
    }
    return reader.result();
  } catch (error) {
    throw readError(file, error);
  } finally {
    await ops.close(handle).catch(() => undefined);
  }
}

/** The synchronous twin of `readFileSafely`, for callers that cannot wait (the CLI's start, one ledger entry). */
export function readFileSafelySync(file: string, options: ReadFileOptions, ops: ReadOps = nodeReadOps): Buffer {
  let fd: number;
  try {
    fd = ops.openSync(file, flagsFor(options));
  } catch (error) {
    throw openError(file, error, options);
  }
  try {
    const reader = new Accumulator(file, ops.fstatSync(fd), options);
    while (reader.room() > 0) {
      if (!reader.took(ops.readAtSync(fd, reader.buffer, reader.length, reader.room(), reader.length))) break;
    }
    return reader.result();
  } catch (error) {
    throw readError(file, error);
  } finally {
    try {
      ops.closeSync(fd);
    } catch {
      // A failed close of a read-only descriptor changes nothing.
    }
  }
}

/**
 * The bytes read so far. The size from fstat decides the first buffer, but the file is read to
 * its end (a /proc file says 0, a file may grow meanwhile), at most one byte past the limit.
 */
class Accumulator {
  buffer: Buffer;
  length = 0;
  private readonly limit: number;

  constructor(
    private readonly file: string,
    stats: Stats,
    options: ReadFileOptions,
  ) {
    if (stats.isDirectory()) throw new FileReadError('directory', file, 'is a directory');
    if (!stats.isFile()) {
      throw new FileReadError('not-regular', file, 'is a FIFO, socket or device, not a regular file');
    }
    this.limit = options.maxBytes;
    if (stats.size > this.limit) throw tooLarge(file, this.limit, stats.size);
    this.buffer = Buffer.allocUnsafe(Math.min(this.limit + 1, Math.max(stats.size + 1, 4096)));
  }

  room(): number {
    return this.buffer.length - this.length;
  }

  /** Counts `read` bytes; false at the end of the file. Grows the buffer up to one byte past the limit. */
  took(read: number): boolean {
    if (read === 0) return false;
    this.length += read;
    if (this.length > this.limit) throw tooLarge(this.file, this.limit, null);
    if (this.room() === 0) {
      const grown = Buffer.allocUnsafe(Math.min(this.limit + 1, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    return true;
  }

  result(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** `1 MiB`, `64 KiB`, `300 bytes`: a limit as people say it. */
export function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function tooLarge(file: string, limit: number, size: number | null): FileReadError {
  const given = size === null ? '' : ` (${size} bytes)`;
  return new FileReadError('too-large', file, `is larger than ${describeBytes(limit)}${given}`);
}

function errnoOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function openError(file: string, error: unknown, options: ReadFileOptions): FileReadError {
  const code = errnoOf(error);
  if (code === 'ENOENT') return new FileReadError('missing', file, 'does not exist', code, error);
  if (code === 'ELOOP') {
    return options.symlinks === 'refuse'
      ? new FileReadError('symlink', file, 'is a symbolic link', code, error)
      : new FileReadError('unreadable', file, 'is a loop of symbolic links', code, error);
  }
  return unreadable(file, error);
}

function readError(file: string, error: unknown): FileReadError {
  if (error instanceof FileReadError) return error;
  if (errnoOf(error) === 'EISDIR') return new FileReadError('directory', file, 'is a directory', 'EISDIR', error);
  return unreadable(file, error);
}

const WHY: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'goes through something that is not a directory',
  EIO: 'input/output error',
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files on this system',
};

function unreadable(file: string, error: unknown): FileReadError {
  const code = errnoOf(error);
  if (code === 'ENOTDIR') return new FileReadError('unreadable', file, `${WHY['ENOTDIR']} (ENOTDIR)`, code, error);
  const why = code === undefined ? 'an error' : `${code}${WHY[code] === undefined ? '' : `: ${WHY[code]}`}`;
  return new FileReadError('unreadable', file, `cannot be read (${why})`, code, error);
}
