// The file store's one temp-file pipeline, in two steps. `stageFile` writes a private temp file
// beside its target (0600, exclusive create, every byte, fsync, close) and hands it back; the
// caller then gives it its name (`replace`: rename over the target; `link`: create the name, or
// learn that it exists) or `discard`s it. Nothing here calls back into the caller: whatever must
// happen before the name is given (a lock check, the ledger's import of delivery_ids.json) the
// caller does between the two steps. A failure at any step leaves no temp file behind, or says
// which one it could not remove.
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { describeErrno, errnoOf, stateError, type StateError } from '../shared/errors';
import { fixForErrno } from './advice';
import { CREATE_FLAGS, type FsSeam } from './fs-seam';
import type { HeldLock } from './lock';

let tempCounter = 0;
// Random once per process: pid, thread and counter already make names unique among live
// writers; the prefix keeps a reused pid from meeting a dead writer's leftover name. Made on the
// first write, so that a process that only reads (booty governor status) never loads crypto.
let tempPrefix: string | undefined;

/**
 * A temporary name beside `target`, unique to this process, thread and call (so concurrent
 * writers never share one), hidden, and recognisable by `isTempName` for clean-up.
 */
function tempPathFor(target: string): string {
  tempCounter = (tempCounter + 1) % Number.MAX_SAFE_INTEGER;
  tempPrefix ??= `${process.pid}.${threadId}.${randomBytes(4).toString('hex')}`;
  return path.join(path.dirname(target), `.${path.basename(target)}.${tempPrefix}.${tempCounter}.tmp`);
}

/** True for the names of temp files staged for `<dir>/<base>` (or with `tempBase: base`). */
export function isTempName(name: string, base: string): boolean {
  return name.startsWith(`.${base}.`) && name.endsWith('.tmp');
}

export interface StageOptions {
  /** What the target is called in messages (default: its base name). */
  label?: string | undefined;
  /** Name the temp file after this base instead of the target's (the ledger's entries use one for all). */
  tempBase?: string | undefined;
  /** Set as the file's modification time. */
  mtime?: Date | undefined;
  /** `create` when the file will be linked (a failure "recorded nothing"); default `replace`. */
  intent?: 'replace' | 'create' | undefined;
  /**
   * Write in pieces of this many bytes, each flushed before the next. For a large file written
   * beside claims: on ext4 (ordered mode) an fsync also writes out the data other files have
   * pending, so a claim's fsync then waits for one piece of this file, not all of it.
   */
  flushEvery?: number | undefined;
}

/** A temp file on disk with every byte, waiting for its name. */
export interface StagedFile {
  /** Renames it over its target, then flushes the directory. */
  replace(): Promise<void>;
  /**
   * Gives it its target's name with `link()`, which fails if the name exists, atomically: among
   * any number of processes exactly one creates it, and nobody sees a partial file. Then the
   * directory is flushed: through `flushDir` when given, not at all with `null` (the caller
   * flushes once after a batch). A name that could not be made durable is taken back.
   */
  link(flushDir?: (() => Promise<void>) | null): Promise<'created' | 'exists'>;
  /** Removes it; never throws. */
  discard(): Promise<void>;
}

type Step =
  | 'creating a temporary file'
  | 'writing'
  | 'flushing it to disk (fsync)'
  | 'replacing the file'
  | 'linking it to its name';

/** Writes `data` to a private temp file beside `target` and flushes it: step one of two. */
export async function stageFile(
  fs: FsSeam,
  target: string,
  data: Uint8Array,
  options: StageOptions = {},
): Promise<StagedFile> {
  const dir = path.dirname(target);
  const temp = tempPathFor(path.join(dir, options.tempBase ?? path.basename(target)));
  const fail = failureFor(target, temp, options);
  let step: Step = 'creating a temporary file';
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(temp, CREATE_FLAGS, 0o600);
  } catch (error) {
    throw fail(step, error, null);
  }
  try {
    step = 'writing';
    const piece = Math.max(1, options.flushEvery ?? data.byteLength);
    let at = 0;
    do {
      if (at > 0) {
        step = 'flushing it to disk (fsync)';
        await fs.fsync(handle);
        step = 'writing';
      }
      await fs.writeAll(handle, data.subarray(at, at + piece));
      at += piece;
    } while (at < data.byteLength);
    if (options.mtime) await fs.futimes(handle, options.mtime);
    step = 'flushing it to disk (fsync)';
    await fs.fsync(handle);
    const written = handle;
    handle = undefined;
    await fs.close(written);
  } catch (error) {
    if (handle) await fs.close(handle).catch(() => undefined);
    throw fail(step, error, await removeQuietly(fs, temp));
  }

  return {
    async replace() {
      try {
        await fs.rename(temp, target);
      } catch (error) {
        throw fail('replacing the file', error, await removeQuietly(fs, temp));
      }
      try {
        await fsyncDir(fs, dir);
      } catch (error) {
        throw unflushed(target, dir, error, 'replaced', 'The new content is in place but may not survive a power loss');
      }
    },
    async link(flushDir) {
      try {
        await fs.link(temp, target);
      } catch (error) {
        const leftover = await removeQuietly(fs, temp);
        if (errnoOf(error) === 'EEXIST') return 'exists';
        throw fail('linking it to its name', error, leftover);
      }
      // The name is ours; the temp name is only scaffolding (if its removal fails nothing is
      // wrong), so it goes while the directory is flushed.
      const flush = flushDir === null ? null : (flushDir ?? (() => fsyncDir(fs, dir)));
      const [, flushError] = await Promise.all([
        removeQuietly(fs, temp),
        flush === null
          ? null
          : flush().then(
              () => null,
              (error: unknown) => error ?? new Error('fsync failed'),
            ),
      ]);
      if (flushError !== null) {
        // Not durable, so not reported as made: take the name back so that a retry can make it.
        const undo = await removeQuietly(fs, target);
        const changed =
          undo === null
            ? 'It was removed again, so nothing was recorded'
            : `It could not be removed again (${undo}); delete ${target} before retrying`;
        throw unflushed(target, dir, flushError, 'created', changed);
      }
      return 'created';
    },
    async discard() {
      await removeQuietly(fs, temp);
    },
  };
}

/** The failure of a step before the name was given: the target is as it was. */
function failureFor(target: string, temp: string, options: StageOptions) {
  const dir = path.dirname(target);
  const label = options.label ?? path.basename(target);
  const creating = options.intent === 'create';
  return (step: Step, error: unknown, leftover: string | null): StateError => {
    const litter =
      leftover === null
        ? 'no temporary file was left behind'
        : `the temporary file ${temp} could not be removed (${leftover}); delete it`;
    const code = errnoOf(error);
    const noHardLinks =
      step === 'linking it to its name' && (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP');
    return stateError('STATE_WRITE', {
      path: target,
      reason: creating ? 'create' : 'write',
      happened: `Could not ${creating ? 'create' : 'write'} ${target} while ${step}: ${describeErrno(error)}`,
      changed: `${label} was not ${creating ? 'recorded' : 'changed'} and ${litter}`,
      fix: noHardLinks
        ? `The file system under ${dir} does not support hard links, which the ledger needs for its atomic claim; ` +
          'use a local POSIX file system (ext4, xfs, btrfs, apfs, tmpfs)'
        : fixForErrno(error, dir),
      cause: error,
    });
  };
}

function unflushed(
  target: string,
  dir: string,
  error: unknown,
  done: 'replaced' | 'created',
  changed: string,
): StateError {
  return stateError('STATE_WRITE', {
    path: target,
    reason: 'dir-fsync',
    happened: `${target} was ${done}, but flushing its directory ${dir} failed: ${describeErrno(error)}`,
    changed,
    fix: fixForErrno(error, dir),
    cause: error,
  });
}

export interface WriteOptions {
  /** What the target is called in messages (default: its base name). */
  label?: string | undefined;
  /** The lock that guards the target: the new content takes its place only while this lock is still ours. */
  lock?: Pick<HeldLock, 'assertHeld'> | undefined;
  /** See StageOptions. */
  flushEvery?: number | undefined;
}

/**
 * Durable replace of `target`: staged (temp file 0600 in the same directory, every byte, fsync),
 * the lock checked, renamed over the target, the directory flushed. Any failure before the
 * rename leaves the old file exactly as it was.
 */
export async function writeFileAtomic(
  fs: FsSeam,
  target: string,
  data: Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  const staged = await stageFile(fs, target, data, { label: options.label, flushEvery: options.flushEvery });
  if (options.lock) {
    try {
      await options.lock.assertHeld();
    } catch (error) {
      await staged.discard();
      throw error;
    }
  }
  await staged.replace();
}

/** Creates `target` with exactly `data` unless the name exists: `stageFile`, then `link`. */
export async function createExclusive(
  fs: FsSeam,
  target: string,
  data: Uint8Array,
  options: StageOptions & { flushDir?: (() => Promise<void>) | null } = {},
): Promise<'created' | 'exists'> {
  const staged = await stageFile(fs, target, data, { ...options, intent: 'create' });
  return staged.link(options.flushDir);
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

/** fsync a directory so that a rename, link or unlink inside it survives a power loss. */
export async function fsyncDir(fs: FsSeam, dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fs.fsync(handle);
  } finally {
    await fs.close(handle).catch(() => undefined);
  }
}
