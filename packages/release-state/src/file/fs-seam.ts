import * as fsSync from 'node:fs';
import { constants, promises as fsp, type BigIntStats, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { nodeReadOps, type ReadOps } from '../shared/read-file';

/**
 * Every file-system call the store makes for its data files goes through this object, so a
 * test can put a fault (ENOSPC, EIO, EROFS) at any single step without mocking `node:fs`.
 * Lock files are the exception: the `lockfile` package talks to `node:fs` itself.
 * Internal: not exported from the package index.
 */
export interface FsSeam extends ReadOps {
  open(path: string, flags: number, mode?: number): Promise<FileHandle>;
  /** Writes every byte of `data` at the current position. */
  writeAll(handle: FileHandle, data: Uint8Array): Promise<void>;
  fstat(handle: FileHandle): Promise<Stats>;
  fsync(handle: FileHandle): Promise<void>;
  futimes(handle: FileHandle, time: Date): Promise<void>;
  close(handle: FileHandle): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Creates `path` and missing parents with `mode`; an existing directory is not an error. */
  mkdirp(path: string, mode: number): Promise<void>;
  rmdir(path: string): Promise<void>;
  lstat(path: string): Promise<Stats>;
  lstatBig(path: string): Promise<BigIntStats>;
  stat(path: string): Promise<Stats>;
  realpath(path: string): Promise<string>;
  /** The names in a directory, read in batches (a ledger holds 100,000 names: see nodeFs). */
  readdir(path: string): Promise<string[]>;
  // Synchronous twins for the ledger's prune pass only: it visits every entry, and one async
  // round trip per file costs ten times more than the work (measured in tools/bench).
  lstatSync(path: string): Stats;
  // Synchronous metadata look-ups on the claim path: microseconds each, where one async round
  // trip through the thread pool costs about as much as the fsync the claim cannot avoid.
  /** undefined when nothing is there (no exception: building one costs more than the look-up). */
  lstatBigSync(path: string): BigIntStats | undefined;
  fstatBigSync(fd: number): BigIntStats;
  /** fsync of a raw descriptor (the ledger keeps its directory open for the claim's flush). */
  fsyncFd(fd: number): Promise<void>;
  /** Reads up to `length` bytes from the start into `buffer`; returns how many. */
  readSync(fd: number, buffer: Buffer, length: number): number;
  openSync(path: string, flags: number): number;
  fstatSync(fd: number): Stats;
  closeSync(fd: number): void;
}

export const nodeFs: FsSeam = {
  ...nodeReadOps,
  open: (path, flags, mode) => fsp.open(path, flags, mode),
  async writeAll(handle, data) {
    let offset = 0;
    while (offset < data.byteLength) {
      const { bytesWritten } = await handle.write(data, offset, data.byteLength - offset);
      offset += bytesWritten;
    }
  },
  fsync: (handle) => handle.sync(),
  futimes: (handle, time) => handle.utimes(time, time),
  close: (handle) => handle.close(),
  rename: (from, to) => fsp.rename(from, to),
  link: (existing, newPath) => fsp.link(existing, newPath),
  unlink: (path) => fsp.unlink(path),
  async mkdirp(path, mode) {
    try {
      await fsp.mkdir(path, { recursive: true, mode });
    } catch (error) {
      // Node's recursive mkdir reports ENOENT for some failures of the last step (EROFS, for
      // one: nodejs/node#47098). A plain mkdir of that step reports the real cause.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await fsp.mkdir(path, { mode });
    }
  },
  rmdir: (path) => fsp.rmdir(path),
  lstat: (path) => fsp.lstat(path),
  lstatBig: (path) => fsp.lstat(path, { bigint: true }),
  stat: (path) => fsp.stat(path),
  realpath: (path) => fsp.realpath(path),
  // In batches through opendir rather than one readdir: turning 100,000 names into strings at
  // once holds the event loop for tens of milliseconds, and a prune pass lists the ledger beside
  // the claims of its process.
  async readdir(path) {
    const names: string[] = [];
    for await (const entry of await fsp.opendir(path, { bufferSize: 256 })) names.push(entry.name);
    return names;
  },
  lstatSync: (path) => fsSync.lstatSync(path),
  lstatBigSync: (path) => fsSync.lstatSync(path, { bigint: true, throwIfNoEntry: false }),
  fstatBigSync: (fd) => fsSync.fstatSync(fd, { bigint: true }),
  fsyncFd: (fd) => new Promise((resolve, reject) => fsSync.fsync(fd, (error) => (error ? reject(error) : resolve()))),
  readSync: (fd, buffer, length) => fsSync.readSync(fd, buffer, 0, length, 0),
};

/** Read-only open that refuses symlinks and does not block on FIFOs. */
export const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
/** Exclusive create of a new private file; never follows or reuses an existing name. */
export const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
