// Running one store operation on a pooled connection: bounded retries on a failed connection,
// the client destroyed (never reused) after a connection failure or a timeout, and every driver
// error turned into a StateError that says whether the operation took effect.
//
// Nothing here depends on one server session, so the store works behind a connection pooler in
// transaction mode (PgBouncer), where consecutive transactions of one client may run on
// different server connections: the server-side timeouts are set per transaction (SET LOCAL,
// sent with BEGIN in the same round trip), never as startup parameters (a pooler refuses those)
// nor with a session-level SET (it would stay behind on a connection another client gets next).
// A statement outside a transaction is bounded by the driver's client-side query timeout.
import { setTimeout as sleep } from 'node:timers/promises';
import { isStateError, stateError } from '../shared/errors';
import { isConnectionFailure, toStateError } from './driver';
import type { Effect, PgClient, PgConnection, PgPool, PoolSettings } from './driver';

export interface Attempt {
  client: PgClient;
  /** Call right before sending anything that changes data: from then on a lost reply means "unknown". */
  writing(): void;
  /**
   * Opens a transaction with the store's server-side timeouts (statement, lock wait, idle in
   * transaction) set for it alone; `mode` is e.g. `ISOLATION LEVEL REPEATABLE READ READ ONLY`.
   * The caller ends it (COMMIT or ROLLBACK).
   */
  begin(mode?: TransactionMode): Promise<void>;
}

/** The transaction modes the store uses (a closed list: they are written into SQL). */
export type TransactionMode = 'ISOLATION LEVEL REPEATABLE READ READ ONLY';

/** The server-side bounds of a transaction, in milliseconds. */
export type TransactionLimits = Pick<PoolSettings, 'queryTimeoutMs' | 'lockTimeoutMs' | 'idleInTransactionMs'>;

export interface RunOptions {
  /**
   * Safe to run again after a connection failure mid-operation (reads, and the claim: its token
   * lets a retry learn that an earlier, unanswered try won). Connecting is always retried.
   */
  idempotent: boolean;
}

/** An error of the caller's own callback: passed through unchanged, never taken for a driver error. */
class CallerError {
  constructor(readonly error: unknown) {}
}

/** Runs the caller's callback so that whatever it throws reaches the caller as it is. */
export async function callerCode<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new CallerError(error);
  }
}

export class Session {
  private closed = false;

  constructor(
    readonly pool: PgPool,
    readonly target: PgConnection,
    /** How long to keep retrying a failed connection before STATE_UNAVAILABLE. */
    private readonly retryMs: number,
    limits: TransactionLimits,
  ) {
    // One simple-protocol query: BEGIN and the settings cost one round trip, as BEGIN alone did.
    // SET LOCAL ends with the transaction, so nothing is left on the server connection.
    this.limits = [
      `SET LOCAL statement_timeout = ${whole(limits.queryTimeoutMs)}`,
      `SET LOCAL lock_timeout = ${whole(limits.lockTimeoutMs)}`,
      `SET LOCAL idle_in_transaction_session_timeout = ${whole(limits.idleInTransactionMs)}`,
    ].join('; ');
  }

  /** The SET LOCAL statements sent with every BEGIN. */
  private readonly limits: string;

  async run<T>(operation: string, options: RunOptions, body: (attempt: Attempt) => Promise<T>): Promise<T> {
    this.assertOpen();
    const deadline = Date.now() + this.retryMs;
    let effect: Effect = 'none';
    for (let round = 0; ; round++) {
      let client: PgClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        if (isConnectionFailure(error) && Date.now() < deadline && !this.closed) {
          await pause(round);
          continue;
        }
        throw toStateError(error, { target: this.target, operation, effect, idempotent: options.idempotent });
      }
      // A checked-out client has no pool listener: its connection error (server crash) would
      // be an unhandled 'error' event and crash the process. The failed query rejects anyway.
      if (!guarded.has(client)) {
        guarded.add(client);
        client.on('error', () => undefined);
      }
      let wrote = false;
      try {
        const begin = async (mode?: TransactionMode) => {
          await client.query(`BEGIN${mode === undefined ? '' : ` ${mode}`}; ${this.limits}`);
        };
        const result = await body({ client, writing: () => (wrote = true), begin });
        client.release();
        return result;
      } catch (error) {
        const broken = isConnectionFailure(error);
        // A client whose connection failed (or whose query timed out client-side, leaving the
        // protocol mid-reply) is destroyed, never handed to the next caller.
        client.release(broken ? (error as Error) : undefined);
        if (error instanceof CallerError) throw error.error;
        if (isStateError(error)) throw error;
        // Kept across rounds: once any try may have written, a later failure cannot say "none".
        if (wrote) effect = 'unknown';
        if (broken && (options.idempotent || !wrote) && Date.now() < deadline && !this.closed) {
          await pause(round);
          continue;
        }
        throw toStateError(error, { target: this.target, operation, effect, idempotent: options.idempotent });
      }
    }
  }

  /** Runs `body` inside BEGIN … COMMIT; any failure rolls back. */
  async transaction<T>(operation: string, options: RunOptions, body: (attempt: Attempt) => Promise<T>): Promise<T> {
    return this.run(operation, options, async (attempt) => {
      await attempt.begin();
      let result: T;
      try {
        result = await body(attempt);
      } catch (error) {
        if (!isConnectionFailure(error)) await attempt.client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      await attempt.client.query('COMMIT');
      return result;
    });
  }

  assertOpen(): void {
    if (this.closed) {
      throw stateError('STATE_INVALID_INPUT', {
        path: this.target.location,
        reason: 'bad-input',
        happened: `The store at ${this.target.location} was closed`,
        changed: 'Nothing was changed',
        fix: 'Open the store again (openReleaseStore) to keep using it',
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end().catch(() => undefined);
  }
}

const guarded = new WeakSet<PgClient>();

/** A whole number of milliseconds for SQL text (the options are checked when the store opens). */
function whole(ms: number): number {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not a whole number of milliseconds: ${ms}`);
  return ms;
}

function pause(round: number): Promise<void> {
  // 50 ms, 100 ms, 200 ms ... capped at 500 ms, with jitter so retrying workers spread out.
  const base = Math.min(500, 50 * 2 ** Math.min(round, 4));
  return sleep(base / 2 + Math.random() * base);
}
