// The delivery ledger on PostgreSQL: one row per key. A new claim is one statement,
// INSERT … ON CONFLICT DO NOTHING RETURNING (exactly one winner per key, measured: 200 of 1,600
// racing attempts); a loser reads the winner's row. Each call stores a random claim token with
// the row, so a retry after a lost reply (COMMIT done, answer never arrived) finds its own token
// and still reports the win. A lease takeover is a conditional UPDATE on the attempt it saw:
// among racing callers exactly one matches.
//
// A key's identity is lower(key) (shared/input.ts keyIdentity: owner and name without case),
// unique (schema.ts, migration 2): the insert conflicts on it, every look-up goes by it, and a
// row keeps the spelling of its first claim.
//
// Pruning applies the age rule of shared/retention.ts, in SQL. PostgreSQL has no count limit: a
// row costs a few hundred bytes, a claim touches one index entry whatever the table holds, and
// `retentionDays` bounds the table already; a limit that may never remove anything younger than
// the redelivery window would only add a knob and a warning. A claim never waits for a pass:
// a due one starts in the background of the process, on a connection of its own.
//
// Every statement is unnamed (parsed and run in one round trip): a named prepared statement lives
// on one server connection, and behind a pooler in transaction mode the next statement may run
// on another ("prepared statement does not exist"). No statement relies on an earlier one having
// run on the same server connection.
import { randomUUID } from 'node:crypto';
import type {
  ClaimInput,
  ClaimResult,
  CompleteInput,
  Deliveries,
  DeliveryKeyInput,
  DeliveryRecord,
  DeliveryTally,
  ExtendInput,
  ListClaimsOptions,
  PruneResult,
  ReleaseInput,
  TallyOptions,
} from '../shared/contract-deliveries';
import { stateError } from '../shared/errors';
import { assertHolder, completedBy, leaseLost } from '../shared/fence';
import {
  checkClaim,
  checkComplete,
  checkExtend,
  checkList,
  checkRelease,
  deliveryKey,
  keyIdentity,
} from '../shared/input';
import { leaseRunning } from '../shared/leases';
import type { LedgerSettings as SharedLedgerSettings } from '../shared/options';
import { leaseHeld } from '../shared/refusals';
import { extendLease, standingSql } from './leases';
import { decodeRow, HEALTHY, leaseRunningSql, ROW_COLUMNS, type DeliveryRow } from './records';
import type { Tables } from './schema';
import type { Session } from './session';

export interface LedgerSettings extends Omit<SharedLedgerSettings, 'maxDeliveries'> {
  /** The injected clock, or null: the server's clock (one clock for every host). */
  now: (() => Date) | null;
}

/** How many times one claim re-reads after a row vanished or a takeover lost a race. */
const CLAIM_ROUNDS = 20;

export class PostgresDeliveries implements Deliveries {
  private claimsSincePrune = 0;
  private lastPrune = Date.now();
  /** The background prune pass in progress, if any. */
  private background: Promise<void> | null = null;
  private readonly sql;

  constructor(
    private readonly session: Session,
    private readonly tables: Tables,
    private readonly settings: LedgerSettings,
  ) {
    const d = tables.deliveries;
    const T = 'coalesce($3::timestamptz, now())';
    // No conflict target: the key's identity, lower(key), is the unique index that decides (the
    // primary key on the spelling can only conflict where it does too).
    this.sql = {
      insert: `INSERT INTO ${d} (key, delivery_id, recorded_at, attempt, lease_expires_at, claim_token)
               VALUES ($1, $2, ${T}, 1, ${T} + $4::int * interval '1 millisecond', $5)
               ON CONFLICT DO NOTHING RETURNING ${ROW_COLUMNS}`,
      read: `SELECT ${ROW_COLUMNS}, ${T.replace('$3', '$2')} AS now FROM ${d} WHERE lower(key) = $1`,
      takeover: `UPDATE ${d} SET delivery_id = $2, attempt = attempt + 1, lease_expires_at = ${T} + $4::int * interval '1 millisecond',
                   claim_token = $5, completed_at = NULL, outcome = NULL
                 WHERE lower(key) = $1 AND attempt = $6 AND completed_at IS NULL AND lease_expires_at <= ${T}
                 RETURNING ${ROW_COLUMNS}`,
    };
  }

  private get location(): string {
    return this.session.target.location;
  }

  private nowParam(): Date | null {
    return this.settings.now === null ? null : this.settings.now();
  }

  async claim(input: ClaimInput): Promise<ClaimResult> {
    this.session.assertOpen();
    const { key, deliveryId, leaseMs } = checkClaim(input, this.location);
    const identity = keyIdentity(key);
    const token = randomUUID();
    const at = this.nowParam();
    const result = await this.session.run(`claiming ${key}`, { idempotent: true }, async ({ client, writing }) => {
      for (let round = 0; round < CLAIM_ROUNDS; round++) {
        writing();
        const inserted = await client.query<DeliveryRow>(this.sql.insert, [key, deliveryId, at, leaseMs, token]);
        const own = inserted.rows[0];
        if (own !== undefined) return { claimed: true, redelivery: false, takeover: false, record: this.decode(own) };
        const found = await client.query<DeliveryRow & { now: Date }>(this.sql.read, [identity, at]);
        const row = found.rows[0];
        // Released (or pruned) between our insert and our read: try the insert again.
        if (row === undefined) continue;
        const record = this.decode(row);
        // An earlier try of this same call won, and its reply was lost.
        if (row.claim_token === token)
          return { claimed: true, redelivery: false, takeover: record.attempt > 1, record };
        const expired =
          row.completed_at === null &&
          row.lease_expires_at !== null &&
          row.lease_expires_at.getTime() <= row.now.getTime();
        if (!expired) return { claimed: false, redelivery: record.deliveryId === deliveryId, takeover: false, record };
        const takeover = [identity, deliveryId, at, leaseMs, token, row.attempt];
        const taken = await client.query<DeliveryRow>(this.sql.takeover, takeover);
        const won = taken.rows[0];
        if (won !== undefined)
          return {
            claimed: true,
            redelivery: record.deliveryId === deliveryId,
            takeover: true,
            record: this.decode(won),
          };
        // Another caller took it over first: read again and report its record.
      }
      throw stateError('STATE_LOCK_TIMEOUT', {
        path: `${this.location} ${this.tables.deliveries}`,
        reason: 'claim-race',
        happened: `The claim of ${key} in ${this.location} kept racing with releases and takeovers (${CLAIM_ROUNDS} rounds)`,
        changed: 'Whether this call holds the claim is unknown; retrying with the same delivery id is safe',
        fix: 'Retry the delivery',
      });
    });
    if (result.claimed) this.claimRecorded();
    return result;
  }

  async has(input: DeliveryKeyInput): Promise<boolean> {
    const key = deliveryKey(input, this.location);
    return this.session.run(`looking up ${key}`, { idempotent: true }, async ({ client }) => {
      const sql = `SELECT 1 FROM ${this.tables.deliveries} WHERE lower(key) = $1`;
      const found = await client.query(sql, [keyIdentity(key)]);
      return found.rowCount === 1;
    });
  }

  async get(input: DeliveryKeyInput): Promise<DeliveryRecord | null> {
    const key = deliveryKey(input, this.location);
    return this.session.run(`looking up ${key}`, { idempotent: true }, async ({ client }) => {
      const sql = `SELECT ${ROW_COLUMNS} FROM ${this.tables.deliveries} WHERE lower(key) = $1`;
      const found = await client.query<DeliveryRow>(sql, [keyIdentity(key)]);
      const row = found.rows[0];
      return row === undefined ? null : this.decode(row);
    });
  }

  async count(): Promise<number> {
    return (await this.tally()).entries;
  }

  async tally(options: TallyOptions = {}): Promise<DeliveryTally> {
    this.session.assertOpen();
    const counts = await this.session.run('counting the claims', { idempotent: true }, async ({ client }) => {
      const found = await client.query<{ entries: string; damaged: string }>(
        `SELECT count(*) FILTER (WHERE ${HEALTHY}) AS entries,
                count(*) FILTER (WHERE NOT ${HEALTHY}) AS damaged
           FROM ${this.tables.deliveries}`,
      );
      const row = found.rows[0];
      return { entries: Number(row?.entries ?? 0), damaged: Number(row?.damaged ?? 0), limit: null };
    });
    // The server reads the rows; each of these is one statement, with nothing to report in between.
    options.onProgress?.({ read: counts.entries + counts.damaged, total: counts.entries + counts.damaged });
    return options.recent === undefined ? counts : { ...counts, recent: await this.list(options.recent) };
  }

  async complete(input: CompleteInput): Promise<DeliveryRecord> {
    this.session.assertOpen();
    const { key, deliveryId, outcome, attempt } = checkComplete(input, this.location);
    const at = this.nowParam();
    const d = this.tables.deliveries;
    return this.session.run(`completing the claim of ${key}`, { idempotent: true }, async ({ client, writing }) => {
      writing();
      const done = await client.query<DeliveryRow>(
        `UPDATE ${d} SET completed_at = coalesce($4::timestamptz, now()), lease_expires_at = NULL, outcome = $5
         WHERE lower(key) = $1 AND delivery_id = $2 AND ($3::int IS NULL OR attempt = $3) AND completed_at IS NULL
         RETURNING ${ROW_COLUMNS}`,
        [keyIdentity(key), deliveryId, attempt, at, outcome],
      );
      const row = done.rows[0];
      if (row !== undefined) return this.decode(row);
      const sql = `SELECT ${ROW_COLUMNS} FROM ${d} WHERE lower(key) = $1`;
      const found = await client.query<DeliveryRow>(sql, [keyIdentity(key)]);
      const current = found.rows[0];
      const record = current === undefined ? null : this.decode(current);
      const holder = { key, deliveryId, attempt };
      // Completing again (a retry whose reply was lost) returns the final record unchanged.
      if (completedBy(record, holder)) return record;
      assertHolder(record, holder, `${this.location} ${d}`, 'complete');
      // Held and open now, though the update just found it otherwise: released and claimed anew meanwhile.
      throw leaseLost(`${this.location} ${d}`, holder, 'complete', 'it changed while it was being completed', record);
    });
  }

  async extend(input: ExtendInput): Promise<DeliveryRecord> {
    this.session.assertOpen();
    const { key, deliveryId, attempt, leaseMs } = checkExtend(input, this.location);
    const at = this.nowParam();
    const holder = { key, deliveryId, attempt };
    // Running it again after a lost reply only sets the same kind of end again.
    return this.session.run(`extending the lease of ${key}`, { idempotent: true }, (run) =>
      extendLease(run, this.tables, this.location, holder, leaseMs, at),
    );
  }

  async release(input: ReleaseInput): Promise<boolean> {
    const { key, force } = checkRelease(input, this.location);
    const d = this.tables.deliveries;
    const identity = keyIdentity(key);
    const at = this.nowParam();
    return this.session.run(`releasing the claim of ${key}`, { idempotent: true }, async ({ client, writing }) => {
      // A damaged row is refused, not deleted: `booty state reset deliveries` keeps its values
      // (in the damaged-rows table); decoding it throws the STATE_CORRUPT that says so. A running
      // lease is refused unless forced: a worker is still at it.
      for (let round = 0; round < CLAIM_ROUNDS; round++) {
        writing();
        const running = leaseRunningSql('coalesce($3::timestamptz, now())');
        const gone = await client.query(
          `DELETE FROM ${d} WHERE lower(key) = $1 AND ${HEALTHY} AND ($2::boolean OR NOT ${running})`,
          [identity, force, at],
        );
        if (gone.rowCount === 1) return true;
        const left = await client.query<DeliveryRow & { now: Date }>(
          `SELECT ${ROW_COLUMNS}, coalesce($2::timestamptz, now()) AS now FROM ${d} WHERE lower(key) = $1`,
          [identity, at],
        );
        const row = left.rows[0];
        if (row === undefined) return false;
        const record = this.decode(row);
        if (leaseRunning(record, row.now.getTime())) throw leaseHeld(`${this.location} ${d}`, record);
        // Its lease ended between the two statements: delete it now.
      }
      return false;
    });
  }

  async list(options?: ListClaimsOptions): Promise<DeliveryRecord[]> {
    this.session.assertOpen();
    const { repo, limit, standing } = checkList(options, this.location);
    const at = this.nowParam();
    return this.session.run('listing the claims', { idempotent: true }, async ({ client }) => {
      const found = await client.query<DeliveryRow>(
        `SELECT ${ROW_COLUMNS} FROM ${this.tables.deliveries}
         WHERE ${HEALTHY} AND ($1::text IS NULL OR lower(split_part(key, ':', 1)) = lower($1))
           AND ($3::text IS NULL OR ${standingSql('coalesce($4::timestamptz, now())')} = $3)
         ORDER BY recorded_at DESC NULLS LAST, key LIMIT $2`,
        [repo, limit, standing, at],
      );
      return found.rows.map((row) => this.decode(row));
    });
  }

  /**
   * The age rule of shared/retention.ts: a claim older than the retention (counted from its
   * completion, else its first claim) goes, unless its lease is running or the row is damaged
   * (that is `booty state reset deliveries`' job). Rows without any time (Python entries copied
   * in from a file store) stay. One worker at a time: the others skip
   * (pg_try_advisory_xact_lock); claims never wait for it.
   */
  async prune(): Promise<PruneResult> {
    return this.pruneRows({ count: true }) as Promise<PruneResult>;
  }

  /**
   * The pass; `count`: also count what is kept (a full scan that checks every row: `prune()`
   * reports it, the background pass has no one to report it to). `greatest(recorded_at,
   * completed_at)` is indexed (schema.ts), so the pass reads only the rows past the retention.
   */
  private async pruneRows({ count }: { count: boolean }): Promise<PruneResult | null> {
    this.session.assertOpen();
    const d = this.tables.deliveries;
    const at = this.nowParam();
    return this.session.transaction('pruning the claims', { idempotent: true }, async ({ client, writing }) => {
      const prune = `booty-prune:${this.tables.schema}`;
      const lockSql = 'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS got';
      const lock = await client.query<{ got: boolean }>(lockSql, [prune]);
      let removed = 0;
      if (lock.rows[0]?.got === true) {
        writing();
        const now = 'coalesce($1::timestamptz, now())';
        const old = await client.query(
          `DELETE FROM ${d} WHERE greatest(recorded_at, completed_at) < ${now} - $2::bigint * interval '1 millisecond'
             AND NOT ${leaseRunningSql(now)} AND ${HEALTHY}`,
          [at, this.settings.retentionMs],
        );
        removed = old.rowCount ?? 0;
      }
      if (!count) return null;
      const kept = await client.query<{ n: string }>(`SELECT count(*) FILTER (WHERE ${HEALTHY}) AS n FROM ${d}`);
      return { removed, kept: Number(kept.rows[0]?.n ?? 0), limit: null };
    });
  }

  /** Resolves once no background prune pass is in progress (store.close()). */
  async idle(): Promise<void> {
    await this.background;
  }

  /**
   * A claim was won: one more toward the next pass, which starts in the background when due. The
   * claim is already committed and reported: a failed pass must not turn it into an error. The
   * next interval tries again, and `booty state prune` reports what stops it.
   */
  private claimRecorded(): void {
    this.claimsSincePrune++;
    if (this.background !== null) return;
    if (
      this.claimsSincePrune < this.settings.pruneEveryClaims &&
      Date.now() - this.lastPrune < this.settings.pruneIntervalMs
    )
      return;
    this.claimsSincePrune = 0;
    this.lastPrune = Date.now();
    this.background = this.pruneRows({ count: false }).then(
      () => undefined,
      () => undefined,
    );
    void this.background.finally(() => {
      this.background = null;
    });
  }

  private decode(row: DeliveryRow): DeliveryRecord {
    return decodeRow(row, this.tables.deliveries, this.location);
  }
}
