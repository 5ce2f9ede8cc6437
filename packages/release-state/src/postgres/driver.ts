// The `pg` driver, loaded only when a postgres URL is opened (a file-store user never loads or
// installs it: it is an optional peer dependency), and the one place driver errors become
// StateErrors. Driver messages can carry the URL or the password: they are scrubbed before
// anything reaches a message or a `cause`.
import type * as Pg from 'pg';
import { stateError, type StateError, type StateErrorReason } from '../shared/errors';
import { scrubSecrets } from '../shared/redact';
import { tlsOptions, type TlsFiles } from './tls';
import { urlSetting, type PgTarget } from './url';

/** A parsed URL with what opening added: who logs in where, the password and where it came from. */
export interface PgConnection extends PgTarget {
  user: string;
  database: string;
  /** `the URL`, `PGPASSWORD`, `the pgpass file …` or `no password`: what a refused login's fix names. */
  passwordFrom: string;
}

export type PgPool = Pg.Pool;
export type PgClient = Pg.PoolClient;

/** Timeouts and sizes of the pool; the README lists the defaults. */
export interface PoolSettings {
  poolMax: number;
  connectTimeoutMs: number;
  /** Longest statement: per transaction on the server, and the client's wait for any answer (+1 s). */
  queryTimeoutMs: number;
  /** Longest wait for a lock inside a transaction (server-side). */
  lockTimeoutMs: number;
  /** Longest pause inside an open transaction before the server ends it. */
  idleInTransactionMs: number;
}

let driver: typeof Pg | undefined;

function loadDriver(location: string): typeof Pg {
  if (driver !== undefined) return driver;
  try {
    // A plain require at the call site: esbuild (the CLI bundle) maps it to a second file that
    // is read only here, and `pg` stays out of what the file store loads.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    driver = require('pg') as typeof Pg;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw stateError('STATE_UNAVAILABLE', {
      path: location,
      reason: 'no-driver',
      happened: `The store URL ${location} needs the PostgreSQL driver pg, which is not installed`,
      changed: 'Nothing was opened or changed',
      fix: 'Run `npm install pg` in the project that uses @booty/release-state, or use the file store (RELEASE_GOVERNOR_STATE_DIR)',
    });
  }
  return driver;
}

/** A bounded pool with client- and server-side timeouts; idle-client errors never crash the process. */
export function createPool(target: PgConnection, tls: TlsFiles, settings: PoolSettings): PgPool {
  const pg = loadDriver(target.location);
  const config: Pg.PoolConfig = {
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.database,
    ssl: tlsOptions(target, tls),
    application_name: target.applicationName,
    max: settings.poolMax,
    connectionTimeoutMillis: target.connectTimeoutMs ?? settings.connectTimeoutMs,
    idleTimeoutMillis: 10_000,
    // No server setting goes in the startup packet: a pooler such as PgBouncer refuses every
    // startup parameter it cannot track (statement_timeout among them). The server-side
    // timeouts are set per transaction (session.ts); the client gives up on any statement whose
    // answer does not come (a slow statement, a lock wait, a half-open connection).
    query_timeout: settings.queryTimeoutMs + 1_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 5_000,
    // Let the process exit when only idle clients remain (a CLI run must not linger).
    allowExitOnIdle: true,
  };
  // A function, so the pool's own config (which a log might print) never holds the password.
  config.password = async () => target.password ?? '';
  const pool = new pg.Pool(config);
  // An idle client's connection error (server restart, network cut) is emitted here; without a
  // listener it would crash the process. The pool drops that client; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * SQLSTATE classes that mean "the server or the connection failed", not "the statement failed".
 * A refused login (28xxx) and a missing database (3D000) are not: a retry cannot mend them.
 */
const CONNECTION_STATES = /^(08|57P0[1-3]|53300)/;
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'ENOENT',
]);

/** The driver's (and Node's) words for a failed connection, for an error whose code does not say so. */
const CONNECTION_MESSAGES = new RegExp(
  [
    'Connection terminated',
    'timeout exceeded when trying to connect',
    'Query read timeout',
    'Client has encountered a connection error',
    'Connection ended',
    'socket hang up',
  ].join('|'),
  'i',
);

/**
 * What the server, or a pooler in front of it, refused when this connection logged in: the login
 * itself, a startup parameter, or the database. It was reached, and a retry cannot mend a
 * refusal, so none is ever taken for a connection failure.
 */
type Refusal = { kind: 'login' } | { kind: 'parameter'; name: string } | { kind: 'database' };

function refusalOf(error: unknown): Refusal | null {
  const code = codeOf(error);
  if (code === '28P01' || code === '28000') return { kind: 'login' };
  if (code === '3D000') return { kind: 'database' };
  // PgBouncer reports its own refusals as 08P01 (protocol violation), the class of a broken
  // connection too: only its message tells them apart.
  if (code !== '08P01') return null;
  const message = error instanceof Error ? error.message : '';
  const parameter = /unsupported startup parameter(?: in options)?: ([A-Za-z0-9_.]{1,63})/i.exec(message);
  if (parameter !== null) return { kind: 'parameter', name: parameter[1] as string };
  if (/password authentication failed|SASL authentication failed|no such user/i.test(message)) return { kind: 'login' };
  if (/database "[^"]*" does not exist|no such database/i.test(message)) return { kind: 'database' };
  return null;
}

/** True when the error means the connection (not the statement) failed: worth a retry on a new one. */
export function isConnectionFailure(error: unknown): boolean {
  if (refusalOf(error) !== null) return false;
  const code = codeOf(error);
  if (code !== undefined && (NETWORK_CODES.has(code) || CONNECTION_STATES.test(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return CONNECTION_MESSAGES.test(message);
}

function codeOf(error: unknown): string | undefined {
  if (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof (error as { code: unknown }).code === 'string'
  )
    return (error as { code: string }).code;
  return undefined;
}

/** What a failed call did: `none` when nothing reached the server, `unknown` when the reply was lost. */
export type Effect = 'none' | 'unknown';

export interface FailureContext {
  target: PgConnection;
  /** What we were doing, e.g. "claim octo/app:abc…". */
  operation: string;
  effect: Effect;
  /** Whether running the operation again is harmless (said in the message when the effect is unknown). */
  idempotent?: boolean;
}

/** The StateError for a driver error: typed, bounded, scrubbed, with the fix. */
export function toStateError(error: unknown, context: FailureContext): StateError {
  const { target, operation } = context;
  const where = target.location;
  const code = codeOf(error);
  const raw = error instanceof Error ? error.message : String(error);
  const message = scrubSecrets(raw, target.password);
  // The cause keeps the facts (code, scrubbed message), never the driver's object itself.
  const cause = Object.assign(new Error(message), code === undefined ? {} : { code });
  const isReady = target.host.startsWith('/')
    ? `pg_isready -h ${target.host}`
    : `pg_isready -h ${target.host} -p ${target.port}`;
  const safeToRetry = context.idempotent ? '; retrying it is safe' : '';
  const changed =
    context.effect === 'none'
      ? `Nothing was changed: ${operation} did not take effect`
      : `Whether ${operation} took effect is unknown (the connection failed after it was sent)${safeToRetry}`;
  type More = { code?: 'STATE_LOCK_TIMEOUT' | 'STATE_INVALID_INPUT'; field?: string };
  const fail = (reason: StateErrorReason, happened: string, fix: string, more: More = {}) => {
    const details = { effect: context.effect, ...(code === undefined ? {} : { errno: code }) };
    if (more.field !== undefined) Object.assign(details, { field: more.field });
    const spec = { path: where, reason, happened, changed, fix, cause, details };
    return stateError(more.code ?? 'STATE_UNAVAILABLE', spec);
  };

  const setting = urlSetting(target.source);
  const refusal = refusalOf(error);
  if (refusal?.kind === 'login') {
    const given = target.passwordFrom === 'the URL' ? `the password in ${setting}` : target.passwordFrom;
    const check =
      target.passwordFrom === 'no password'
        ? `No password was given (none in ${setting}, PGPASSWORD or a pgpass file): add one`
        : `Check ${given}`;
    return fail(
      'auth',
      `PostgreSQL at ${where} refused the login of user ${target.user} (${message})`,
      `${check}, the user name, and the server's pg_hba.conf (behind PgBouncer: its auth_file too)`,
    );
  }
  if (refusal?.kind === 'parameter') {
    const source = parameterSource(refusal.name);
    const allow = `let the pooler accept it (PgBouncer: ignore_startup_parameters = ${refusal.name}, which drops it)`;
    return fail(
      'refused-parameter',
      `The server at ${where} was reached and refused the startup parameter ${refusal.name}${source?.from ?? ''}: ` +
        `a connection pooler such as PgBouncer accepts only the parameters it can track (${message})`,
      source === null ? capitalize(allow) : `${source.fix}, or ${allow}`,
      { field: refusal.name },
    );
  }
  if (refusal?.kind === 'database') {
    // A database that is not there is a store that is not there: a slip in the URL, exit 2.
    return fail(
      'missing',
      `The server at ${where} was reached and has no database ${target.database} (${message})`,
      `Correct the database in ${setting} (behind PgBouncer it must be a [databases] entry of pgbouncer.ini), or create it`,
      { code: 'STATE_INVALID_INPUT', field: 'database' },
    );
  }
  if (code === '55P03') {
    return fail(
      'lock-timeout',
      `${capitalize(operation)} waited too long for a row lock held by another session at ${where}`,
      'Retry; if it persists, look for a long transaction (SELECT * FROM pg_stat_activity)',
      { code: 'STATE_LOCK_TIMEOUT' },
    );
  }
  if (code === '57014' || /Query read timeout|timeout exceeded when trying to connect|ETIMEDOUT/i.test(raw)) {
    return fail(
      'timeout',
      `PostgreSQL at ${where} did not answer in time while ${operation} (${message})`,
      `Check that the server is up and reachable (${isReady}), then retry`,
    );
  }
  if (
    /certificate|self[- ]signed|SSL|TLS|unable to verify|altname/i.test(raw) ||
    (code !== undefined && /^(ERR_TLS|CERT_|DEPTH_ZERO|UNABLE_TO|SELF_SIGNED)/.test(code))
  ) {
    return fail(
      'tls',
      `The TLS connection to PostgreSQL at ${where} failed: the server could not be verified (${message})`,
      'Give the CA that signed the server certificate with sslrootcert=/path/ca.pem in the URL, ' +
        'or use sslmode=disable only on a trusted network',
    );
  }
  if (isConnectionFailure(error)) {
    return fail(
      'unreachable',
      `PostgreSQL at ${where} cannot be reached while ${operation} (${message})`,
      `Check that the server is up and reachable (${isReady}), then retry`,
    );
  }
  return fail(
    'server',
    `PostgreSQL at ${where} failed ${operation} (${code ?? 'error'}: ${message})`,
    'Check the server log and the permissions of the store user, then retry',
  );
}

/**
 * Where a refused startup parameter came from, when it can be left out. The store itself sends
 * only user, database and application_name; the driver adds `options` from PGOPTIONS and
 * `replication` from PGREPLICATION, as libpq does.
 */
function parameterSource(name: string): { from: string; fix: string } | null {
  const variable = ({ options: 'PGOPTIONS', replication: 'PGREPLICATION' } as Record<string, string>)[name];
  if (variable === undefined || !process.env[variable]) return null;
  return { from: ` (from ${variable} in the environment)`, fix: `Unset ${variable} in the environment of booty` };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
