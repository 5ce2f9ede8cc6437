// release.json on disk: read without a lock (it is only ever replaced by a rename), changed under
// its sidecar lock, checked, reset, and written as the skeleton on first use, but never beside a
// damaged delivery_ids.json (a first open that then fails leaves the directory as it found it):
// that damage is then the reason it is missing. A repository's own state file (repository-
// states.ts) is one of these too, `optional`: missing, it reads as every field null. A write that
// completes a claim goes through a pending file beside it (pending-write.ts), which readers and
// the next writer honour.
import * as path from 'node:path';
import type { ResetResult, StoreProblem } from '../shared/contract';
import { describeErrno, errnoOf, REPAIR_COMMAND, stateError, type StateError } from '../shared/errors';
import { nothingToReset } from '../shared/refusals';
import {
  parseReleaseState,
  serializeReleaseState,
  skeletonState,
  validateNextState,
  type ReleaseState,
} from '../shared/release-state';
import type { FsSeam } from './fs-seam';
import { isDamage, keptAsidePath } from './ledger/files';
import { lockPathFor, withLock, type HeldLock, type LockSettings } from './lock';
import {
  isCommitted,
  pendingPathOf,
  readPending,
  serializePending,
  type EntryReader,
  type PendingClaim,
} from './pending-write';
import { readStateFile } from './read-file';
import { isTempName, removeQuietly, writeFileAtomic } from './staged-file';

export const RELEASE_FILE = 'release.json';
const RELEASE_MAX_BYTES = 8 * 1024 * 1024;

export interface ReleaseFileOptions {
  /** The state file (default: `<stateDir>/release.json`). */
  file?: string | undefined;
  /** A repository's state: a missing file is no damage and reads as the skeleton (nothing recorded yet). */
  optional?: boolean | undefined;
}

/** A write that completes a claim: the claim as its entry will show it, and the commit point. */
export interface ClaimCompletion {
  claim: PendingClaim;
  /** Replaces the claim's entry with its completed record (the commit point), holding the claim's lock. */
  commit(): Promise<void>;
}

export class ReleaseFile {
  readonly path: string;
  private readonly pendingPath: string;
  private readonly optional: boolean;

  constructor(
    private readonly fs: FsSeam,
    stateDir: string,
    private readonly lock: LockSettings,
    private readonly now: () => Date,
    /** The damage of delivery_ids.json, if any. */
    private readonly pythonDamage: () => Promise<StateError | null>,
    /** A claim's entry, to learn whether a pending write was committed. */
    private readonly entries: EntryReader,
    options: ReleaseFileOptions = {},
  ) {
    this.path = options.file ?? path.join(stateDir, RELEASE_FILE);
    this.pendingPath = pendingPathOf(this.path);
    this.optional = options.optional === true;
  }

  /** The bytes as they are; null when there is no file. */
  readBytes(): Promise<Buffer | null> {
    return readStateFile(this.fs, this.path, { maxBytes: RELEASE_MAX_BYTES });
  }

  /** Runs `fn` holding the file's sidecar lock. */
  private locked<T>(fn: (held: HeldLock) => Promise<T>): Promise<T> {
    return withLock(lockPathFor(this.path), this.lock, { path: this.path, label: path.basename(this.path) }, fn);
  }

  private write(state: ReleaseState, held: HeldLock): Promise<void> {
    return writeFileAtomic(this.fs, this.path, serializeReleaseState(state, this.path), { lock: held });
  }

  /**
   * The bytes; a missing file is an error (the damage of delivery_ids.json, else "deleted"), or
   * for an optional file the skeleton's bytes.
   */
  async read(): Promise<Buffer> {
    const bytes = await this.readBytes();
    if (bytes !== null) return bytes;
    if (this.optional) return serializeReleaseState(skeletonState(), this.path);
    throw (await this.pythonDamage()) ?? this.missing();
  }

  /** The state without a lock: a committed pending write's (pending-write.ts), else the file's. */
  async readState(): Promise<ReleaseState> {
    // The pending file first: it is removed only after the state file holds its state.
    const pending = await readPending(this.fs, this.path);
    if (pending !== null && isCommitted(pending, this.entries(pending.claim.key))) return pending.state;
    return parseReleaseState(await this.read(), this.path);
  }

  /** Writes the skeleton (every field null) unless a release.json exists by the time the lock is ours. */
  async createIfMissing(): Promise<void> {
    if ((await this.pythonDamage()) !== null) return;
    await this.locked(async (held) => {
      if ((await this.readBytes()) === null) await this.write(skeletonState(), held);
    });
  }

  private missing(): StateError {
    return stateError('STATE_READ', {
      path: this.path,
      reason: 'missing',
      happened: `${this.path} is missing: no release state was ever written here, or it was deleted`,
      changed: 'Nothing was changed',
      fix: `Restore it from a backup, or run \`${REPAIR_COMMAND.release}\` to create an empty one (every field null)`,
      details: { errno: 'ENOENT' },
    });
  }

  /**
   * The read-modify-write under the lock: `fn` gets its own copy of the state on disk; what it
   * returns is checked, and written only when it differs. With `completion`, the write completes
   * a claim, all or nothing, through a pending file (pending-write.ts); the caller holds the
   * claim's lock.
   */
  update(
    fn: (current: ReleaseState) => ReleaseState | Promise<ReleaseState>,
    completion?: ClaimCompletion,
  ): Promise<ReleaseState> {
    return this.locked(async (held) => {
      await this.settle(held);
      const bytes = await this.read();
      const current = parseReleaseState(bytes, this.path);
      const next = validateNextState(await fn(parseReleaseState(bytes, this.path)), current, this.path);
      const out = serializeReleaseState(next, this.path);
      if (completion === undefined) {
        if (!out.equals(bytes)) await writeFileAtomic(this.fs, this.path, out, { lock: held });
        return parseReleaseState(out, this.path);
      }
      const pending = serializePending({ claim: completion.claim, state: next }, this.path);
      const label = `The pending write of ${this.path}`;
      await writeFileAtomic(this.fs, this.pendingPath, pending, { lock: held, label });
      // Both locks must still be ours at the commit point (the claim's is checked by `commit`).
      await held.assertHeld();
      await completion.commit();
      // Committed: the write stands from here on, durable in the pending file. Applying it now is
      // for the readers' sake; should it fail, the next read sees the pending state and the next
      // write applies it (settle).
      try {
        if (!out.equals(bytes)) await writeFileAtomic(this.fs, this.path, out, { lock: held });
        await this.fs.unlink(this.pendingPath);
      } catch {
        // Kept for settle, as said.
      }
      return parseReleaseState(out, this.path);
    });
  }

  /**
   * Under the lock, before any write: a pending write left by a writer that died (or whose last
   * step failed) is applied when committed and removed either way. Its removal must succeed: a
   * committed pending file left behind would be applied again over a later write.
   */
  private async settle(held: HeldLock): Promise<void> {
    const pending = await readPending(this.fs, this.path);
    if (pending === null) return;
    const committed = isCommitted(pending, this.entries(pending.claim.key));
    if (committed) {
      const out = serializeReleaseState(pending.state, this.path);
      const bytes = await this.readBytes();
      // A damaged state file is never overwritten without the operator's say (its error names the reset).
      if (bytes !== null) parseReleaseState(bytes, this.path);
      if (bytes === null || !out.equals(bytes)) await writeFileAtomic(this.fs, this.path, out, { lock: held });
    }
    const failed = await removeQuietly(this.fs, this.pendingPath);
    if (failed !== null) {
      throw stateError('STATE_WRITE', {
        path: this.pendingPath,
        reason: 'write',
        happened: `Could not remove ${this.pendingPath} (${committed ? 'committed' : 'abandoned'}): ${failed}`,
        changed: committed ? `${this.path} holds that write; nothing else was changed` : 'Nothing was changed',
        fix: `Make ${path.dirname(this.path)} writable and retry`,
      });
    }
  }

  /** What `check()` reports for this file; null when it reads correctly. */
  async problem(): Promise<StoreProblem | null> {
    return (await this.fileProblem()) ?? (await this.pendingProblem());
  }

  private async fileProblem(): Promise<StoreProblem | null> {
    try {
      const bytes = await this.readBytes();
      if (bytes === null) return this.optional ? null : damage(this.path, 'missing', `${this.path} is missing.`);
      parseReleaseState(bytes, this.path);
      return null;
    } catch (error) {
      if (!isDamage(error)) throw error;
      return damage(this.path, error.details.reason ?? 'bad-field', error.message);
    }
  }

  /** A pending write that does not read (or whose claim's entry does not read). */
  private async pendingProblem(): Promise<StoreProblem | null> {
    try {
      const pending = await readPending(this.fs, this.path);
      if (pending !== null) this.entries(pending.claim.key);
      return null;
    } catch (error) {
      if (!isDamage(error)) throw error;
      return damage(error.path, error.details.reason ?? 'bad-field', error.message);
    }
  }

  /**
   * Replaces a damaged or missing state file with the skeleton and moves a damaged pending write
   * aside, keeping the damaged bytes beside them.
   */
  reset(): Promise<ResetResult> {
    return this.locked(async (held) => {
      const fileProblem = await this.fileProblem();
      const pendingProblem = await this.pendingProblem();
      if (fileProblem === null && pendingProblem === null) {
        throw nothingToReset(this.path, `${this.path} reads correctly`);
      }
      const keptAt: string[] = [];
      if (pendingProblem !== null) {
        keptAt.push(await this.keepAside(this.pendingPath));
        const failed = await removeQuietly(this.fs, this.pendingPath);
        if (failed !== null) throw this.resetFailed(this.pendingPath, failed);
      }
      if (fileProblem !== null) {
        if (fileProblem.reason !== 'missing') keptAt.push(await this.keepAside(this.path));
        await this.write(skeletonState(), held);
      }
      return { part: 'release', keptAt, repaired: (fileProblem === null ? 0 : 1) + (pendingProblem === null ? 0 : 1) };
    });
  }

  private resetFailed(file: string, failed: string): StateError {
    return stateError('STATE_WRITE', {
      path: file,
      reason: 'write',
      happened: `Could not remove ${file} after keeping its bytes: ${failed}`,
      changed: 'Its bytes were kept; it is still there',
      fix: `Make ${path.dirname(file)} writable and run \`${REPAIR_COMMAND.release}\` again`,
    });
  }

  /** Writes `state` as it is (a restore); a pending write is settled first, so it cannot land on top. */
  replaceWith(state: ReleaseState): Promise<void> {
    return this.locked(async (held) => {
      await this.settle(held);
      await this.write(state, held);
    });
  }

  /** Removes an optional file (a restore with `replace` that has no state for this repository). */
  remove(): Promise<void> {
    return this.locked(async (held) => {
      await this.settle(held);
      await held.assertHeld();
      const failed = await removeQuietly(this.fs, this.path);
      if (failed !== null) throw this.resetFailed(this.path, failed);
    });
  }

  /** Keeps the damaged bytes of `file` as `<file>.corrupt-<time>-<pid>`: a hard link when possible, else a copy. */
  private async keepAside(file: string): Promise<string> {
    const backupPath = keptAsidePath(file, this.now());
    try {
      await this.fs.link(file, backupPath);
    } catch (error) {
      const code = errnoOf(error);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') {
        throw stateError('STATE_WRITE', {
          path: file,
          reason: 'backup',
          happened: `Could not keep a copy of ${file} as ${backupPath}: ${describeErrno(error)}`,
          changed: `${path.basename(file)} was not changed`,
          cause: error,
        });
      }
      const read = await readStateFile(this.fs, file, { maxBytes: Number.MAX_SAFE_INTEGER }).catch(() => null);
      const bytes = read ?? Buffer.alloc(0);
      await writeFileAtomic(this.fs, backupPath, bytes);
    }
    return backupPath;
  }
}

function damage(target: string, reason: string, message: string): StoreProblem {
  return { part: 'release', target, reason, message, repair: REPAIR_COMMAND.release };
}

/** Temp files of writers that died before their rename; old enough that no live writer owns them. */
export async function removeAbandonedTemps(
  fs: FsSeam,
  stateDir: string,
  bases: readonly string[],
  olderThanMs: number,
): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(stateDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!bases.some((base) => isTempName(name, base))) continue;
    try {
      const stats = await fs.lstat(path.join(stateDir, name));
      if (stats.isFile() && Date.now() - stats.ctimeMs > olderThanMs)
        await removeQuietly(fs, path.join(stateDir, name));
    } catch {
      // Gone already, or not ours to judge: leave it.
    }
  }
}
