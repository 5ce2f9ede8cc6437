// Each repository's own release state on files, for an App that serves several repositories:
// `<stateDir>/repositories/<owner>%2F<name>.json`, named by the repository's identity (owner and
// name in lower case, as GitHub compares them), in release.json's format, each with its own
// sidecar lock and pending file (release-file.ts). A repository with no file has every field
// null. release.json stays the store's own state: what a single-repository deployment and the
// Python implementation read; nothing here touches it.
import * as path from 'node:path';
import type { RepositoryState, ResetResult, StoreProblem } from '../shared/contract';
import { describeErrno, errnoOf, stateError } from '../shared/errors';
import { keyIdentity, validateRepo } from '../shared/input';
import { isSkeleton, type ReleaseState } from '../shared/release-state';
import { fixForErrno } from './advice';
import type { FsSeam } from './fs-seam';
import { PENDING_SUFFIX } from './pending-write';
import { removeAbandonedTemps, type ClaimCompletion, type ReleaseFile } from './release-file';
import { assertDirectoryOrAbsent } from './safety';

export const REPOSITORIES_DIR = 'repositories';
const STATE_SUFFIX = '.json';

/** The file name of a repository's state: its identity with `/` percent-encoded (no other character needs it). */
function fileNameOf(identity: string): string {
  return `${encodeURIComponent(identity)}${STATE_SUFFIX}`;
}

/** The identity a name in `repositories/` stands for (a state file or its pending write), or null for anything else. */
function identityOfName(name: string): string | null {
  const stem = name.endsWith(PENDING_SUFFIX) ? name.slice(0, -PENDING_SUFFIX.length) : name;
  if (name.startsWith('.') || !stem.endsWith(STATE_SUFFIX)) return null;
  try {
    const repo = validateRepo(decodeURIComponent(stem.slice(0, -STATE_SUFFIX.length)), name);
    return keyIdentity(repo) === repo ? repo : null;
  } catch {
    return null;
  }
}

export class RepositoryStates {
  readonly dir: string;

  constructor(
    private readonly fs: FsSeam,
    stateDir: string,
    /** The state file at `file` (optional: missing reads as the skeleton). */
    private readonly fileAt: (file: string) => ReleaseFile,
  ) {
    this.dir = path.join(stateDir, REPOSITORIES_DIR);
  }

  /** The state file of a repository (by its identity). */
  of(identity: string): ReleaseFile {
    return this.fileAt(path.join(this.dir, fileNameOf(identity)));
  }

  /** The repositories that have a state file (or a pending first write), sorted. */
  async list(): Promise<string[]> {
    if (!(await assertDirectoryOrAbsent(this.fs, this.dir, 'repositories'))) return [];
    let names: string[];
    try {
      names = await this.fs.readdir(this.dir);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw stateError('STATE_READ', {
        path: this.dir,
        reason: 'readdir',
        happened: `Could not list ${this.dir}: ${describeErrno(error)}`,
        changed: 'Nothing was changed',
        cause: error,
      });
    }
    const identities = new Set<string>();
    for (const name of names) {
      const identity = identityOfName(name);
      if (identity !== null) identities.add(identity);
    }
    return [...identities].sort();
  }

  async readState(identity: string): Promise<ReleaseState> {
    await assertDirectoryOrAbsent(this.fs, this.dir, 'repositories');
    return this.of(identity).readState();
  }

  async update(
    identity: string,
    fn: (current: ReleaseState) => ReleaseState | Promise<ReleaseState>,
    completion?: ClaimCompletion,
  ): Promise<ReleaseState> {
    await this.ensureDir();
    return this.of(identity).update(fn, completion);
  }

  /** Makes `repositories/` (0700) before the first write of a repository's state. */
  async ensureDir(): Promise<void> {
    if (await assertDirectoryOrAbsent(this.fs, this.dir, 'repositories')) return;
    try {
      await this.fs.mkdirp(this.dir, 0o700);
    } catch (error) {
      throw stateError('STATE_WRITE', {
        path: this.dir,
        reason: 'mkdir',
        happened: `Could not create ${this.dir}: ${describeErrno(error)}`,
        changed: 'Nothing was written',
        fix: fixForErrno(error, path.dirname(this.dir)),
        cause: error,
      });
    }
    await assertDirectoryOrAbsent(this.fs, this.dir, 'repositories');
  }

  /** What `check()` reports: each repository's damaged state file or pending write. */
  async problems(): Promise<StoreProblem[]> {
    const problems: StoreProblem[] = [];
    for (const identity of await this.list()) {
      const problem = await this.of(identity).problem();
      if (problem !== null) problems.push(problem);
    }
    return problems;
  }

  /** Repairs each damaged repository state (`reset('release')`), keeping the damaged bytes beside it. */
  async reset(): Promise<Pick<ResetResult, 'keptAt' | 'repaired'>> {
    const keptAt: string[] = [];
    let repaired = 0;
    for (const identity of await this.list()) {
      const file = this.of(identity);
      if ((await file.problem()) === null) continue;
      const result = await file.reset();
      keptAt.push(...result.keptAt);
      repaired += result.repaired;
    }
    return { keptAt, repaired };
  }

  /** Every repository's state (a snapshot: damage is an error, as everywhere in a snapshot). */
  async snapshot(): Promise<RepositoryState[]> {
    const states: RepositoryState[] = [];
    for (const repo of await this.list()) states.push({ repo, state: await this.of(repo).readState() });
    return states;
  }

  /** True when any repository holds a state (a damaged one counts: it is not known to be empty). */
  async holdState(): Promise<boolean> {
    for (const identity of await this.list()) {
      const holds = await this.of(identity)
        .readState()
        .then(
          (state) => !isSkeleton(state),
          () => true,
        );
      if (holds) return true;
    }
    return false;
  }

  /** Writes each repository's state; with `replace`, a repository the snapshot does not have loses its file. */
  async restore(states: readonly RepositoryState[], replace: boolean): Promise<void> {
    if (states.length > 0) await this.ensureDir();
    const kept = new Set<string>();
    for (const { repo, state } of states) {
      kept.add(repo);
      await this.of(repo).replaceWith(state);
    }
    if (!replace) return;
    for (const identity of await this.list()) if (!kept.has(identity)) await this.of(identity).remove();
  }

  /** Temp files of writers that died before their rename (opening a store for writing). */
  async removeAbandonedTemps(olderThanMs: number): Promise<void> {
    const names = (await this.list()).map(fileNameOf);
    if (names.length > 0) await removeAbandonedTemps(this.fs, this.dir, names, olderThanMs);
  }
}
