// Every option of `openReleaseStore`, its default and its check, for both backends: one place,
// so that the backends cannot drift apart. A backend takes the checked settings and restates
// nothing.
import * as path from 'node:path';
import { stateError, type StateError } from './errors';
import { excerptValue } from './text';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The file store: `openReleaseStore({ stateDir })`. */
export interface FileStoreOptions {
  /** `'file'`, or left out: `stateDir` says it. */
  kind?: 'file' | undefined;
  /** The state directory (see `resolveStateDir`); created with mode 0700 if missing. */
  stateDir: string;
  /** Not with `stateDir`: a `url` names a PostgreSQL store. */
  url?: undefined;
  /** A lock whose holder has not refreshed it for this long is broken (default 10,000 ms, minimum 100). */
  lockStaleMs?: number | undefined;
  /** How long a write waits for a held lock before STATE_LOCK_TIMEOUT (default 20,000 ms; 0 tries once). */
  lockWaitMs?: number | undefined;
  /** Ledger entries older than this are pruned (default 30 days; at least the redelivery window). */
  retentionDays?: number | undefined;
  /**
   * No entry younger than this is ever pruned, whatever the count (default 4 days, minimum 3:
   * GitHub redelivers a delivery for 3 days).
   */
  redeliveryWindowDays?: number | undefined;
  /**
   * The count limit (default 10,000): beyond it a prune pass removes the oldest entries that are
   * past the redelivery window. Entries inside the window are kept whatever the count.
   */
  maxDeliveries?: number | undefined;
  /** The clock for record times, leases and pruning (default: the system clock). */
  now?: (() => Date) | undefined;
  /**
   * `false` opens for inspection or repair only: the directory must already exist and opening
   * writes nothing (a missing release.json stays missing; `check()` reports it). Default `true`.
   */
  create?: boolean | undefined;
  /** How the caller named the directory (`--state-dir`, `RELEASE_GOVERNOR_STATE_DIR`, ...): messages say what to correct. */
  source?: string | undefined;
}

/** The PostgreSQL store: `openReleaseStore({ url })`. */
export interface OpenPostgresStoreOptions {
  /** `'postgres'`, or left out: `url` says it. */
  kind?: 'postgres' | undefined;
  /** postgres://user[:password]@host[:port]/database[?sslmode=…&sslrootcert=…&schema=…] */
  url: string;
  /** Not with `url`: a `stateDir` names a file store. */
  stateDir?: undefined;
  /** Connections at most (default 4). */
  poolMax?: number | undefined;
  /** Giving up on connecting (default 5,000 ms; the URL's connect_timeout wins). */
  connectTimeoutMs?: number | undefined;
  /** Longest statement, enforced by the server and, for a server that never answers, by the client (default 10,000 ms). */
  queryTimeoutMs?: number | undefined;
  /** Longest wait for a row lock (default 5,000 ms). */
  lockTimeoutMs?: number | undefined;
  /** How long a failed connection is retried before STATE_UNAVAILABLE (default 3,000 ms). */
  retryMs?: number | undefined;
  /** Ledger rows older than this are pruned (default 30 days; at least the redelivery window). */
  retentionDays?: number | undefined;
  /** No row younger than this is ever pruned (default 4 days, minimum 3: GitHub redelivers for 3). */
  redeliveryWindowDays?: number | undefined;
  /** Not on PostgreSQL: it has no count limit (rows are bounded by `retentionDays`). Refused when given. */
  maxDeliveries?: undefined;
  /** The clock for record times and leases (default: the server's clock, one for every host). */
  now?: (() => Date) | undefined;
  /**
   * `false` opens for inspection or repair only: the store's schema must already exist (else
   * STATE_INVALID_INPUT, reason `missing`) and nothing is created or migrated. Default `true`.
   */
  create?: boolean | undefined;
  /** How the caller named the URL (`--store-url`, `RELEASE_GOVERNOR_STORE_URL`, ...): messages say what to correct. */
  source?: string | undefined;
  /** PGPASSWORD, PGPASSFILE, PGUSER, PGDATABASE and HOME are read from here (default: `process.env`). */
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * GitHub redelivers a delivery for 3 days: a shorter redelivery window would let the ledger
 * forget a key that can still arrive again, so it is refused.
 */
export const MIN_REDELIVERY_WINDOW_DAYS = 3;

/** The defaults; the README explains each. */
export const DEFAULTS = Object.freeze({
  // Both backends: the ledger's bounds. The window is GitHub's 3 days plus one: a claim is
  // recorded when it is processed, at or after GitHub's own delivery time, so 3 days from it
  // already cover every redelivery GitHub allows; the extra day covers redeliveries that arrive
  // late (queues, incidents) and clocks that disagree.
  retentionDays: 30,
  redeliveryWindowDays: 4,
  // The file store only: each entry is a file (one disk block), and counting and pruning read
  // every one. PostgreSQL has no count limit.
  maxDeliveries: 10_000,
  // The file store's locks.
  lockStaleMs: 10_000,
  lockWaitMs: 20_000,
  // The PostgreSQL store's connections.
  poolMax: 4,
  connectTimeoutMs: 5_000,
  queryTimeoutMs: 10_000,
  lockTimeoutMs: 5_000,
  idleInTransactionMs: 30_000,
  retryMs: 3_000,
});

/** The ledger's bounds and clock, as both backends use them. */
export interface LedgerSettings {
  retentionMs: number;
  /** No entry younger than this is pruned, whatever the count. */
  windowMs: number;
  /** The count limit; null on PostgreSQL, which has none. */
  maxDeliveries: number | null;
  /** A prune pass runs during claims when the last one is older than this... */
  pruneIntervalMs: number;
  /** ...or when this process has recorded this many claims since its last pass. */
  pruneEveryClaims: number;
}

export interface FileSettings extends LedgerSettings {
  /** Absolute. */
  stateDir: string;
  source: string | undefined;
  lockStaleMs: number;
  lockWaitMs: number;
  create: boolean;
  now: () => Date;
}

export interface PostgresSettings extends LedgerSettings {
  create: boolean;
  pool: {
    poolMax: number;
    connectTimeoutMs: number;
    queryTimeoutMs: number;
    lockTimeoutMs: number;
    idleInTransactionMs: number;
  };
  retryMs: number;
  /** null: the server's clock. */
  now: (() => Date) | null;
}

/** Checks the file store's options; throws STATE_INVALID_INPUT (`bad-option`) naming the option. */
export function checkFileOptions(options: FileStoreOptions): FileSettings {
  if (typeof options !== 'object' || options === null)
    throw optionError('(options)', 'options', 'an object such as { stateDir }', options);
  const { stateDir } = options;
  if (typeof stateDir !== 'string' || stateDir === '' || stateDir.includes('\0')) {
    throw optionError('(options)', 'stateDir', 'a directory path (see resolveStateDir)', stateDir);
  }
  const where = path.resolve(stateDir);
  const check = checker(where, options as unknown as Record<string, unknown>);
  return {
    stateDir: where,
    lockStaleMs: check.integer('lockStaleMs', 100, DEFAULTS.lockStaleMs),
    lockWaitMs: check.integer('lockWaitMs', 0, DEFAULTS.lockWaitMs),
    create: options.create !== false,
    source: typeof options.source === 'string' ? options.source : undefined,
    ...check.ledger(DEFAULTS.maxDeliveries),
    now: check.clock() ?? (() => new Date()),
  };
}

/** Checks the PostgreSQL store's options (`where`: its URL without the password). */
export function checkPostgresOptions(options: OpenPostgresStoreOptions, where: string): PostgresSettings {
  const check = checker(where, options as unknown as Record<string, unknown>);
  if (options.maxDeliveries !== undefined) {
    const expected = 'no value on PostgreSQL, which has no count limit (its rows are bounded by retentionDays)';
    throw optionError(where, 'maxDeliveries', expected, options.maxDeliveries);
  }
  return {
    create: options.create !== false,
    pool: {
      poolMax: check.integer('poolMax', 1, DEFAULTS.poolMax),
      connectTimeoutMs: check.integer('connectTimeoutMs', 100, DEFAULTS.connectTimeoutMs),
      queryTimeoutMs: check.integer('queryTimeoutMs', 100, DEFAULTS.queryTimeoutMs),
      lockTimeoutMs: check.integer('lockTimeoutMs', 1, DEFAULTS.lockTimeoutMs),
      idleInTransactionMs: DEFAULTS.idleInTransactionMs,
    },
    retryMs: check.integer('retryMs', 0, DEFAULTS.retryMs),
    ...check.ledger(null),
    now: check.clock(),
  };
}

/** The checks of options that both backends take, against the store at `where`. */
function checker(where: string, options: Record<string, unknown>) {
  const integer = (name: string, min: number, fallback: number): number => {
    const value = options[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw optionError(where, name, `an integer of at least ${min}`, value);
    }
    return value;
  };
  return {
    integer,
    /** `maxDefault`: the count limit's default, or null for a backend without one. */
    ledger(maxDefault: number | null): LedgerSettings {
      const maxDeliveries = maxDefault === null ? null : integer('maxDeliveries', 1, maxDefault);
      const days = (name: string, min: number, fallback: number, what: string): number => {
        const value = options[name] ?? fallback;
        if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
          throw optionError(where, name, what, value);
        }
        return value;
      };
      const windowDays = days(
        'redeliveryWindowDays',
        MIN_REDELIVERY_WINDOW_DAYS,
        DEFAULTS.redeliveryWindowDays,
        `a number of days of at least ${MIN_REDELIVERY_WINDOW_DAYS} (GitHub redelivers a delivery for 3 days)`,
      );
      const retentionDays = days(
        'retentionDays',
        windowDays,
        DEFAULTS.retentionDays,
        `a number of days of at least the redelivery window, ${windowDays} (younger entries are never pruned)`,
      );
      return {
        retentionMs: retentionDays * DAY_MS,
        windowMs: windowDays * DAY_MS,
        maxDeliveries,
        pruneIntervalMs: 60 * 60 * 1000,
        // A tenth of the count limit (at least 64); 1,000 without one.
        pruneEveryClaims: maxDeliveries === null ? 1_000 : Math.max(64, Math.ceil(maxDeliveries / 10)),
      };
    },
    /** The `now` option, checked at every call (it must keep returning valid Dates); null when not given. */
    clock(): (() => Date) | null {
      const now = options['now'];
      if (now === undefined) return null;
      if (typeof now !== 'function') throw optionError(where, 'now', 'a function returning a Date', now);
      return () => {
        const value: unknown = now();
        if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
          throw stateError('STATE_INVALID_INPUT', {
            path: where,
            reason: 'bad-option',
            happened: `The now option returned ${excerptValue(String(value))}, not a valid Date`,
            changed: 'Nothing was changed',
            details: { field: 'now' },
          });
        }
        return value;
      };
    },
  };
}

function optionError(where: string, name: string, expected: string, got: unknown): StateError {
  const shown = typeof got === 'function' ? 'a function' : got === undefined ? 'undefined' : excerptValue(got);
  return stateError('STATE_INVALID_INPUT', {
    path: where,
    reason: 'bad-option',
    happened: `Invalid option ${name} for openReleaseStore: expected ${expected}, got ${shown}`,
    changed: 'Nothing was opened or changed',
    details: { field: name },
  });
}
