// release.json on disk: read without a lock (it is only ever replaced by a rename), changed under
// its sidecar lock, checked, reset, and written as the skeleton on first use, but never beside a
// damaged delivery_ids.json (a first open that then fails leaves the directory as it found it):
// that damage is then the reason it is missing.
import * as path from 'node:path';
import type { ResetResult, StoreProblem } from '../shared/contract';
import { describeErrno, errnoOf, REPAIR_COMMAND, stateError, type StateError } from '../shared/errors';
import { nothingToReset } from '../shared/refusals';
import { parseReleaseState, serializeReleaseState, skeletonState, validateNextState, type ReleaseState } from '../shared/release-state';
import type { FsSeam } from './fs-seam';
import { isDamage, keptAsidePath } from './ledger/files';
import { lockPathFor, withLock, type HeldLock, type LockSettings } from './lock';
import { readStateFile } from './read-file';
import { isTempName, removeQuietly, writeFileAtomic } from './staged-file';

export const RELEASE_FILE = 'release.json';
const RELEASE_MAX_BYTES = 8 * 1024 * 1024;

export class ReleaseFile {
  readonly path: string;

  constructor(
    private readonly fs: FsSeam,
    stateDir: string,
    private readonly lock: LockSettings,
    private readonly now: () => Date,
    /** The damage of delivery_ids.json, if any. */
    private readonly pythonDamage: () => Promise<StateError | null>,
  ) {
    this.path = path.join(stateDir, RELEASE_FILE);
  }

  /** The bytes as they are; null when there is no file. */
  readBytes(): Promise<Buffer | null> {
    return readStateFile(this.fs, this.path, { maxBytes: RELEASE_MAX_BYTES });
  }

  /** Runs `fn` holding release.json's sidecar lock. */
  private locked<T>(fn: (held: HeldLock) => Promise<T>): Promise<T> {
    return withLock(lockPathFor(this.path), this.lock, { path: this.path, label: RELEASE_FILE }, fn);
  }

  private write(state: ReleaseState, held: HeldLock): Promise<void> {
    return writeFileAtomic(this.fs, this.path, serializeReleaseState(state, this.path), { lock: held });
  }

  /** The bytes; a missing file is an error: the damage of delivery_ids.json, else "deleted". */
  async read(): Promise<Buffer> {
    const bytes = await this.readBytes();
    if (bytes !== null) return bytes;
    throw (await this.pythonDamage()) ?? this.missing();
  }

  async readState(): Promise<ReleaseState> {
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
   * returns is checked, and written only when it differs.
   */
  update(fn: (current: ReleaseState) => ReleaseState | Promise<ReleaseState>): Promise<ReleaseState> {
    return this.locked(async (held) => {
      const bytes = await this.read();
      const current = parseReleaseState(bytes, this.path);
      const next = validateNextState(await fn(parseReleaseState(bytes, this.path)), current, this.path);
      const out = serializeReleaseState(next, this.path);
      if (!out.equals(bytes)) await writeFileAtomic(this.fs, this.path, out, { lock: held });
      return parseReleaseState(out, this.path);
    });
  }

  /** What `check()` reports for release.json; null when it reads correctly. */
  async problem(): Promise<StoreProblem | null> {
    const problem = (reason: string, message: string): StoreProblem => ({
      part: 'release',
      target: this.path,
      reason,
      message,
      repair: REPAIR_COMMAND.release,
    });
    try {
      const bytes = await this.readBytes();
      if (bytes === null) return problem('missing', `${this.path} is missing.`);
      parseReleaseState(bytes, this.path);
      return null;
    } catch (error) {
      if (!isDamage(error)) throw error;
      return problem(error.details.reason ?? 'bad-field', error.message);
    }
  }

  /** Replaces a damaged or missing release.json with the skeleton, keeping the damaged bytes beside it. */
  reset(): Promise<ResetResult> {
    return this.locked(async (held) => {
      const problem = await this.problem();
      if (problem === null) throw nothingToReset(this.path, `${this.path} reads correctly`);
      const keptAt: string[] = [];
      if (problem.reason !== 'missing') keptAt.push(await this.keepAside());
      await this.write(skeletonState(), held);
      return { part: 'release', keptAt, repaired: 1 };
    });
  }

  /** Writes `state` as it is (a restore). */
  replaceWith(state: ReleaseState): Promise<void> {
    return this.locked((held) => this.write(state, held));
  }

  /** Keeps the damaged bytes as `<file>.corrupt-<time>-<pid>`: a hard link when possible, else a copy. */
  private async keepAside(): Promise<string> {
    const backupPath = keptAsidePath(this.path, this.now());
    try {
      await this.fs.link(this.path, backupPath);
    } catch (error) {
      const code = errnoOf(error);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') {
        throw stateError('STATE_WRITE', {
          path: this.path,
          reason: 'backup',
          happened: `Could not keep a copy of ${this.path} as ${backupPath}: ${describeErrno(error)}`,
          changed: `${RELEASE_FILE} was not changed`,
          cause: error,
        });
      }
      const bytes = (await readStateFile(this.fs, this.path, { maxBytes: Number.MAX_SAFE_INTEGER }).catch(() => null)) ?? Buffer.alloc(0);
      await writeFileAtomic(this.fs, backupPath, bytes);
    }
    return backupPath;
  }
}

/** Temp files of writers that died before their rename; old enough that no live writer owns them. */
export async function removeAbandonedTemps(fs: FsSeam, stateDir: string, bases: readonly string[], olderThanMs: number): Promise<void> {
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
      if (stats.isFile() && Date.now() - stats.ctimeMs > olderThanMs) await removeQuietly(fs, path.join(stateDir, name));
    } catch {
      // Gone already, or not ours to judge: leave it.
    }
  }
}
