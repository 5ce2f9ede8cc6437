// The release state on PostgreSQL: the release_state table, keyed by repository (migration 3
// below). The row with repo '' is the store's own state, release.json's counterpart, which every
// store has; a repository's row (`owner/name` in lower case, its identity) holds that
// repository's own state, for an App that serves several, and is made by its first write. Each
// body is release.json's text, parsed and written by the file store's code, unknown fields kept.
import type { RepositoryState, StoreProblem } from '../shared/contract';
import { CHECK_COMMAND, isStateError, REPAIR_COMMAND, stateError, type StateError } from '../shared/errors';
import {
  isSkeleton,
  parseReleaseState,
  serializeReleaseState,
  skeletonState,
  validateNextState,
  type ReleaseState,
} from '../shared/release-state';
import type { PgClient } from './driver';
import type { Tables } from './schema';
import { callerCode, type Attempt } from './session';

/** The store's own state (release.json's counterpart). */
export const OWN_STATE = '';

/**
 * Migration 3 (appended to schema.ts's list): release_state keyed by repository. The existing row
 * becomes the store's own ('' ); `id` and its one-row check go; a repository is its identity.
 */
export function repositoryStateMigration(t: Tables): string[] {
  return [
    `ALTER TABLE ${t.release} ADD COLUMN repo text NOT NULL DEFAULT ''`,
    // Its primary key and its one-row check go with it.
    `ALTER TABLE ${t.release} DROP COLUMN id`,
    `ALTER TABLE ${t.release} ADD PRIMARY KEY (repo)`,
    // The mirror of shared/input.ts validateRepo, in lower case (keyIdentity).
    `ALTER TABLE ${t.release} ADD CONSTRAINT release_state_repo CHECK (repo = '' OR (
       repo ~ '^[a-z0-9][a-z0-9_.-]{0,38}/[a-z0-9._-]{1,100}$' AND split_part(repo, '/', 2) NOT IN ('.', '..')))`,
    `ALTER TABLE ${t.releaseDamaged} ADD COLUMN repo text NOT NULL DEFAULT ''`,
  ];
}

export class ReleaseRows {
  constructor(
    private readonly tables: Tables,
    private readonly location: string,
  ) {}

  /** The row as messages name it: `<location> <schema>.release_state` (and the repository). */
  label(repo: string): string {
    return `${this.location} ${this.target(repo)}`;
  }

  /** The row as `check()` names it. */
  private target(repo: string): string {
    return `${this.tables.schema}.release_state${repo === OWN_STATE ? '' : ` repo ${JSON.stringify(repo)}`}`;
  }

  /** A row's body; null when there is none (a repository not written yet). */
  async body(client: PgClient, repo: string, forUpdate: boolean): Promise<string | null> {
    const lock = forUpdate ? ' FOR UPDATE' : '';
    const sql = `SELECT body FROM ${this.tables.release} WHERE repo = $1${lock}`;
    const found = await client.query<{ body: string }>(sql, [repo]);
    return found.rows[0]?.body ?? null;
  }

  /** The state of `repo`: the store's own row must be there; a repository without one has every field null. */
  async read(client: PgClient, repo: string, forUpdate = false): Promise<ReleaseState> {
    const body = await this.body(client, repo, forUpdate);
    if (body !== null) return this.parse(body, repo);
    if (repo !== OWN_STATE) return skeletonState();
    throw this.missing();
  }

  /**
   * The read-modify-write of one row, inside the caller's transaction: the row is locked (FOR
   * UPDATE), so concurrent updates queue and `fn` runs once per call. A repository's first write
   * inserts its row first (ON CONFLICT DO NOTHING, so two first writes queue on it as well); an
   * update that leaves such a new row as the skeleton removes it again.
   */
  async update(
    { client, writing }: Attempt,
    repo: string,
    fn: (current: ReleaseState) => ReleaseState | Promise<ReleaseState>,
  ): Promise<ReleaseState> {
    const t = this.tables;
    const label = this.label(repo);
    let inserted = false;
    if (repo !== OWN_STATE) {
      writing();
      const sql = `INSERT INTO ${t.release} (repo, body) VALUES ($1, $2) ON CONFLICT DO NOTHING`;
      const made = await client.query(sql, [repo, skeletonText(label)]);
      inserted = made.rowCount === 1;
    }
    const body = await this.body(client, repo, true);
    if (body === null) throw this.missing();
    const current = this.parse(body, repo);
    const next = validateNextState(await callerCode(() => fn(this.parse(body, repo))), current, label);
    const out = serializeReleaseState(next, label).toString('utf8');
    if (out !== body) {
      writing();
      await client.query(`UPDATE ${t.release} SET body = $1, updated_at = now() WHERE repo = $2`, [out, repo]);
    } else if (inserted) {
      await client.query(`DELETE FROM ${t.release} WHERE repo = $1`, [repo]);
    }
    return this.parse(out, repo);
  }

  /** The repositories with a row of their own, sorted. */
  async repositories(client: PgClient): Promise<string[]> {
    return (await this.rows(client, `WHERE repo <> '' ORDER BY repo`)).map((row) => row.repo);
  }

  /** What `check()` reports: the store's own row missing or damaged, and each damaged repository row. */
  async problems(client: PgClient): Promise<StoreProblem[]> {
    const found = await this.rows(client, 'ORDER BY repo');
    const problems: StoreProblem[] = [];
    const problem = (repo: string, error: StateError): StoreProblem => ({
      part: 'release',
      target: this.target(repo),
      reason: error.details.reason ?? 'bad-field',
      message: error.message,
      repair: REPAIR_COMMAND.release,
    });
    if (found[0]?.repo !== OWN_STATE) problems.push(problem(OWN_STATE, this.missing()));
    for (const { repo, body } of found) {
      const damage = this.damage(body, repo);
      if (damage !== null) problems.push(problem(repo, damage));
    }
    return problems;
  }

  /**
   * `reset('release')`, inside the caller's transaction: the store's own row written as the
   * skeleton when it is missing or damaged, each damaged repository row too, the damaged text kept
   * in release_state_damaged. Returns how many it repaired (0: nothing was damaged).
   */
  async reset({ client, writing }: Attempt): Promise<number> {
    const t = this.tables;
    const found = await this.rows(client, 'ORDER BY repo FOR UPDATE');
    const skeleton = skeletonText(this.label(OWN_STATE));
    let repaired = 0;
    if (found[0]?.repo !== OWN_STATE) {
      writing();
      await client.query(`INSERT INTO ${t.release} (repo, body) VALUES ('', $1)`, [skeleton]);
      repaired++;
    }
    for (const { repo, body } of found) {
      if (this.damage(body, repo) === null) continue;
      writing();
      await client.query(`INSERT INTO ${t.releaseDamaged} (repo, body) VALUES ($1, $2)`, [repo, body]);
      await client.query(`UPDATE ${t.release} SET body = $1, updated_at = now() WHERE repo = $2`, [skeleton, repo]);
      repaired++;
    }
    return repaired;
  }

  /** Every repository's state, for a snapshot (a damaged row is STATE_CORRUPT, as everywhere in a snapshot). */
  async snapshot(client: PgClient): Promise<RepositoryState[]> {
    const found = await this.rows(client, `WHERE repo <> '' ORDER BY repo`);
    return found.map(({ repo, body }) => ({ repo, state: this.parse(body, repo) }));
  }

  /** True when a repository holds a state (a damaged one counts: it is not known to be empty). */
  async holdState(client: PgClient): Promise<boolean> {
    const found = await this.rows(client, `WHERE repo <> ''`);
    return found.some(({ repo, body }) => this.damage(body, repo) !== null || !isSkeleton(this.parse(body, repo)));
  }

  /** Writes the repositories' states; with `replace`, the repositories the snapshot lacks lose their rows. */
  async restore(client: PgClient, states: readonly RepositoryState[], replace: boolean): Promise<void> {
    const t = this.tables;
    if (replace) await client.query(`DELETE FROM ${t.release} WHERE repo <> ''`);
    for (const { repo, state } of states) {
      const body = serializeReleaseState(state, this.label(repo)).toString('utf8');
      await client.query(
        `INSERT INTO ${t.release} (repo, body) VALUES ($1, $2)
         ON CONFLICT (repo) DO UPDATE SET body = excluded.body, updated_at = now()`,
        [repo, body],
      );
    }
  }

  /** Every row's repository and body, as `rest` (a WHERE, ORDER BY or FOR UPDATE clause) narrows them. */
  private async rows(client: PgClient, rest: string): Promise<{ repo: string; body: string }[]> {
    const sql = `SELECT repo, body FROM ${this.tables.release} ${rest}`;
    return (await client.query<{ repo: string; body: string }>(sql)).rows;
  }

  /** The state a body holds; a body that does not parse is STATE_CORRUPT naming the row and its repair. */
  parse(body: string, repo: string): ReleaseState {
    const label = this.label(repo);
    try {
      return parseReleaseState(Buffer.from(body, 'utf8'), label);
    } catch (error) {
      if (!isStateError(error) || error.code !== 'STATE_CORRUPT') throw error;
      // The parser speaks of a file and its repair; keep what it found, say the repair for the row.
      const found = error.message.split('. ')[0] ?? 'It does not parse';
      const whose = repo === OWN_STATE ? 'The release state row' : `The release state row of ${repo}`;
      throw stateError('STATE_CORRUPT', {
        path: label,
        reason: error.details.reason ?? 'bad-field',
        happened: `${whose} is damaged: ${found}`,
        changed: 'Nothing was changed',
        fix:
          `Run \`${CHECK_COMMAND}\`, then \`${REPAIR_COMMAND.release}\` ` +
          '(the damaged text is kept in the release_state_damaged table)',
        details: error.details.field === undefined ? undefined : { field: error.details.field },
      });
    }
  }

  /** The damage of a body, or null when it parses. */
  damage(body: string, repo: string): StateError | null {
    try {
      this.parse(body, repo);
      return null;
    } catch (error) {
      if (isStateError(error) && error.code === 'STATE_CORRUPT') return error;
      throw error;
    }
  }

  missing(): StateError {
    const label = this.label(OWN_STATE);
    return stateError('STATE_CORRUPT', {
      path: label,
      reason: 'missing',
      happened: `The release state row is missing from ${label} (deleted behind the store's back)`,
      changed: 'Nothing was changed',
      fix: `Run \`${REPAIR_COMMAND.release}\` to write an empty one (every field null)`,
    });
  }
}

function skeletonText(label: string): string {
  return serializeReleaseState(skeletonState(), label).toString('utf8');
}
