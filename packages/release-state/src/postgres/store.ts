// The PostgreSQL store: the ReleaseStore contract on a shared server, for workers on several
// hosts. release.json is kept as its bytes in a row of release_state, beside a row per repository
// that has a state of its own (release-rows.ts: the file store's parser and serializer, unknown
// fields kept); claims are rows of the deliveries table (deliveries.ts); a state write fenced by
// a claim is one transaction (leases.ts).
import { randomInt } from 'node:crypto';
import type {
  ReleaseStore,
  ResetResult,
  StateScope,
  StoreCheck,
  StorePart,
  StoreProblem,
  StoreSnapshot,
  UpdateStateOptions,
} from '../shared/contract';
import type { ScanOptions } from '../shared/contract-deliveries';
import { REPAIR_COMMAND } from '../shared/errors';
import { checkPostgresOptions, type OpenPostgresStoreOptions } from '../shared/options';
import {
  COPY_INTO,
  postgresIdentityOf,
  STORE_IDENTITY,
  type CopyIntoOptions,
  type PostgresIdentity,
} from '../shared/copy-hooks';
import {
  badResetPart,
  checkSnapshot,
  copyInterrupted,
  emptySource,
  isEmptySnapshot,
  notAnUpdate,
  nothingToReset,
  sameStore,
  targetNotEmpty,
} from '../shared/refusals';
import { isSkeleton, serializeReleaseState, type ReleaseState } from '../shared/release-state';
import { checkStateScope, checkUpdateOptions } from '../shared/state-input';
import { accountName } from '../shared/account';
import { PostgresDeliveries } from './deliveries';
import { createPool, type PgConnection } from './driver';
import { fencedUpdate } from './leases';
import { passwordFromEnvironment } from './pgpass';
import { decodeRow, HEALTHY, rowProblem, rowTarget, ROW_COLUMNS, type DeliveryRow } from './records';
import { OWN_STATE, ReleaseRows } from './release-rows';
import { assertStoreExists, migrate, migrateLocked, tablesOf, type Tables } from './schema';
import { Session } from './session';
import { readTlsFiles } from './tls';
import { parsePostgresUrl } from './url';

/**
 * Opens the store at `options.url`. By default its schema is created or migrated (what a
 * Governor does at start-up); with `create: false` it must already exist and nothing is
 * written. Every file the URL names and the pgpass file are read before anything is contacted.
 */
export async function openPostgresStore(
  options: OpenPostgresStoreOptions,
  internals: { copyTarget?: boolean } = {},
): Promise<ReleaseStore> {
  const parsed = parsePostgresUrl(options.url, options.source);
  const { create, pool, retryMs, now, ...ledger } = checkPostgresOptions(options, parsed.location);
  const target = connectionOf(parsed, options.env ?? process.env);
  const tables = tablesOf(target.schema);
  const session = new Session(createPool(target, readTlsFiles(target), pool), target, retryMs, pool);
  try {
    // A copy's target is created (or migrated) in the copy's own transaction, all or nothing.
    if (internals.copyTarget !== true) {
      await session.run('opening the store', { idempotent: true }, async (attempt) => {
        if (create) await migrate(attempt, tables, target);
        else await assertStoreExists(attempt, tables, target);
      });
    }
  } catch (error) {
    await session.close();
    throw error;
  }
  return new PostgresStore(session, tables, new PostgresDeliveries(session, tables, { ...ledger, now }), now);
}

/** Who logs in where, as libpq decides it: the URL, else PGUSER / PGDATABASE, else the account. */
function connectionOf(target: ReturnType<typeof parsePostgresUrl>, env: NodeJS.ProcessEnv): PgConnection {
  const user = target.user ?? nonEmpty(env['PGUSER']) ?? accountName() ?? '';
  const database = target.database ?? nonEmpty(env['PGDATABASE']) ?? user;
  const credentials =
    target.password !== undefined
      ? { password: target.password, passwordFrom: 'the URL' }
      : passwordFromEnvironment({ host: target.host, port: target.port, database, user }, env);
  return { ...target, user, database, ...credentials };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

class PostgresStore implements ReleaseStore {
  readonly kind = 'postgres' as const;
  readonly location: string;
  private readonly rows: ReleaseRows;

  constructor(
    private readonly session: Session,
    private readonly tables: Tables,
    readonly deliveries: PostgresDeliveries,
    /** The injected clock, or null: the server's. */
    private readonly now: (() => Date) | null,
  ) {
    this.location = session.target.location;
    this.rows = new ReleaseRows(tables, this.location);
  }

  async readState(options?: StateScope): Promise<ReleaseState> {
    const repo = checkStateScope(options, this.location) ?? OWN_STATE;
    const reading = 'reading the release state';
    return this.session.run(reading, { idempotent: true }, ({ client }) => this.rows.read(client, repo));
  }

  async updateState(
    fn: (current: ReleaseState) => ReleaseState | Promise<ReleaseState>,
    options?: UpdateStateOptions,
  ): Promise<ReleaseState> {
    if (typeof fn !== 'function') throw notAnUpdate(this.rows.label(OWN_STATE), fn);
    const { repo, claim, complete } = checkUpdateOptions(options, this.location);
    const at = this.now === null ? null : this.now();
    // SELECT … FOR UPDATE: concurrent updates queue on the row, `fn` runs once per call
    // (measured: 800 of 800 increments from 8 processes; optimistic retries needed 2,023 reruns).
    return this.session.transaction('updating the release state', { idempotent: false }, (attempt) =>
      claim === null
        ? this.rows.update(attempt, repo ?? OWN_STATE, fn)
        : fencedUpdate(attempt, this.tables, this.location, this.rows, repo ?? OWN_STATE, fn, claim, complete, at),
    );
  }

  async repositories(): Promise<string[]> {
    const listing = 'listing the repositories';
    return this.session.run(listing, { idempotent: true }, ({ client }) => this.rows.repositories(client));
  }

  // One query per part: nothing to report progress on (ScanOptions.onProgress is for long reads).
  async check(_options?: ScanOptions): Promise<StoreCheck> {
    return this.session.run('checking the store', { idempotent: true }, async ({ client }) => {
      const problems: StoreProblem[] = await this.rows.problems(client);
      const damaged = await client.query<DeliveryRow>(
        `SELECT ${ROW_COLUMNS} FROM ${this.tables.deliveries} WHERE NOT ${HEALTHY} ORDER BY key LIMIT 1000`,
      );
      for (const row of damaged.rows) {
        problems.push({
          part: 'deliveries',
          target: rowTarget(row.key, `${this.tables.schema}.deliveries`),
          reason: 'bad-entry',
          message: `The claim row is damaged: ${rowProblem(row) ?? 'it fails the health rule'}.`,
          repair: REPAIR_COMMAND.deliveries,
        });
      }
      const healthy = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${this.tables.deliveries} WHERE ${HEALTHY}`,
      );
      return { healthy: problems.length === 0, problems, deliveries: Number(healthy.rows[0]?.n ?? 0), limit: null };
    });
  }

  async reset(part: StorePart): Promise<ResetResult> {
    if (part !== 'release' && part !== 'deliveries') throw badResetPart(this.location, part);
    const t = this.tables;
    return this.session.transaction(`resetting ${part}`, { idempotent: false }, async (attempt) => {
      const { client, writing } = attempt;
      if (part === 'deliveries') {
        writing();
        const moved = await client.query(
          `WITH moved AS (DELETE FROM ${t.deliveries} WHERE NOT ${HEALTHY} RETURNING ${ROW_COLUMNS})
           INSERT INTO ${t.deliveriesDamaged} (${ROW_COLUMNS}) SELECT ${ROW_COLUMNS} FROM moved`,
        );
        const repaired = moved.rowCount ?? 0;
        if (repaired === 0) throw nothingToReset(this.location, `the claims in ${this.location} are healthy`);
        return { part, keptAt: [`${t.schema}.deliveries_damaged`], repaired };
      }
      // The store's own state and every repository's: each damaged one, none that reads.
      const repaired = await this.rows.reset(attempt);
      if (repaired === 0) throw nothingToReset(this.location, `the release states in ${this.location} are healthy`);
      return { part, keptAt: [`${t.schema}.release_state_damaged`], repaired };
    });
  }

  async snapshot(): Promise<StoreSnapshot> {
    return this.session.run('taking a snapshot', { idempotent: true }, async ({ client, begin }) => {
      await begin('ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const state = await this.rows.read(client, OWN_STATE);
        const rows = await client.query<DeliveryRow>(
          `SELECT ${ROW_COLUMNS} FROM ${this.tables.deliveries} ORDER BY key`,
        );
        const deliveries = rows.rows.map((row) => decodeRow(row, this.tables.deliveries, this.location));
        return { state, deliveries, repositories: await this.rows.snapshot(client) };
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
      }
    });
  }

  async restore(snapshot: StoreSnapshot, options: { replace?: boolean } = {}): Promise<void> {
    await this.copyInto(snapshot, { replace: options.replace === true, force: true });
  }

  /** copyStore's way in: the copy and its every check in one transaction (a new store's schema included). */
  [COPY_INTO](snapshot: StoreSnapshot, options: CopyIntoOptions): Promise<void> {
    return this.copyInto(snapshot, options);
  }

  /** Lets a target ask whether this store is the one it is writing (copy-hooks.ts). */
  get [STORE_IDENTITY](): PostgresIdentity {
    return {
      schema: this.tables.schema,
      sees: (probe) =>
        this.session.run('identifying the store', { idempotent: true }, async ({ client }) => {
          const found = await client.query<{ seen: boolean }>(
            `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = $1 AND classid = $2 AND objid = $3
               AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS seen`,
            [probe.pid, probe.key1, probe.key2],
          );
          return found.rows[0]?.seen === true;
        }),
    };
  }

  /**
   * Writes `snapshot` as this store's whole content (each repository's state included), in one
   * transaction that also creates or migrates the schema (so a new store appears whole or not at
   * all) and makes every check under the schema's lock: the source is not this store (two
   * spellings of one URL reach one store: it is asked whether it sees a lock this transaction
   * holds), and a store that holds data is replaced only with `replace` (and by an empty source
   * only with `force`).
   */
  private async copyInto(snapshot: StoreSnapshot, options: CopyIntoOptions): Promise<void> {
    const releaseLabel = this.rows.label(OWN_STATE);
    const checked = checkSnapshot(snapshot, this.location, releaseLabel);
    const { state, records, repositories } = checked;
    const body = serializeReleaseState(state, releaseLabel).toString('utf8');
    const rows = records.map((record) => ({
      key: record.key,
      delivery_id: record.deliveryId,
      recorded_at: record.recordedAt,
      attempt: record.attempt,
      lease_expires_at: record.leaseExpiresAt,
      completed_at: record.completedAt,
      outcome: record.outcome,
    }));
    const t = this.tables;
    const source = options.source === undefined ? undefined : postgresIdentityOf(options.source);
    const { signal } = options;
    await this.session
      .transaction('copying into the store', { idempotent: false }, async ({ client, writing }) => {
        signal?.throwIfAborted();
        await migrateLocked(client, t, this.location);
        if (source !== undefined && source.schema === t.schema) {
          const probe = { key1: randomInt(1, 2 ** 31 - 1), key2: randomInt(1, 2 ** 31 - 1) };
          const lock = 'SELECT pg_backend_pid() AS pid, pg_advisory_xact_lock($1::int, $2::int)';
          const held = await client.query<{ pid: number }>(lock, [probe.key1, probe.key2]);
          const pid = held.rows[0]?.pid as number;
          if (await source.sees({ pid, ...probe }))
            throw sameStore(this.location, `the same database and schema ${t.schema}`);
        }
        const current = await this.rows.body(client, OWN_STATE, true);
        // A damaged state holds data too: it is not known to be empty.
        const ownHolds = (text: string) =>
          this.rows.damage(text, OWN_STATE) !== null || !isSkeleton(this.rows.parse(text, OWN_STATE));
        const holdsState = current !== null && ownHolds(current);
        const holdsRepositoryState = await this.rows.holdState(client);
        const count = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t.deliveries}`);
        const holdsClaims = Number(count.rows[0]?.n ?? 0) > 0;
        if (holdsState || holdsRepositoryState || holdsClaims) {
          const holds = holdsState ? 'a release state' : holdsClaims ? 'claims' : "a repository's release state";
          if (!options.replace) throw targetNotEmpty(this.location, holds);
          if (!options.force && isEmptySnapshot(checked)) throw emptySource(this.location, holds);
        }
        writing();
        await client.query(`DELETE FROM ${t.deliveries}`);
        // In chunks: one statement per 5,000 claims keeps each parameter small.
        for (let i = 0; i < rows.length; i += 5_000) {
          signal?.throwIfAborted();
          await client.query(
            `INSERT INTO ${t.deliveries} (key, delivery_id, recorded_at, attempt, lease_expires_at, completed_at, outcome)
           SELECT key, delivery_id, recorded_at, attempt, lease_expires_at, completed_at, outcome
           FROM jsonb_to_recordset($1::jsonb) AS r(key text, delivery_id text, recorded_at timestamptz, attempt integer,
             lease_expires_at timestamptz, completed_at timestamptz, outcome text)`,
            [JSON.stringify(rows.slice(i, i + 5_000))],
          );
        }
        await client.query(
          `INSERT INTO ${t.release} (repo, body) VALUES ($1, $2)
         ON CONFLICT (repo) DO UPDATE SET body = excluded.body, updated_at = now()`,
          [OWN_STATE, body],
        );
        // The repositories' states: exactly the snapshot's, as the claims are.
        await this.rows.restore(client, repositories, true);
        // Stopped now: the transaction rolls back, and the target stays as it was.
        signal?.throwIfAborted();
      })
      .catch((error: unknown) => {
        throw error instanceof Error && error.name === 'AbortError' ? copyInterrupted(this.location) : error;
      });
  }

  async close(): Promise<void> {
    await this.deliveries.idle();
    await this.session.close();
  }
}
