// The PostgreSQL URL: parsed here once, into what the driver needs and what may be shown.
// Only the parameters listed in URL_PARAMETERS are accepted: an unknown one is a typo that
// would otherwise be ignored (e.g. `sslmod=require` silently meaning "no TLS").
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { stateError, type StateError } from '../shared/errors';
import { redactUrl } from '../shared/redact';

export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

export interface PgTarget {
  /** The URL without its password (what `store.location` shows). */
  location: string;
  host: string;
  port: number;
  user: string | undefined;
  database: string | undefined;
  /** From the URL; undefined lets the driver use PGPASSWORD or the pgpass file. */
  password: string | undefined;
  sslMode: SslMode;
  /** PEM of the CA to trust (sslrootcert); undefined: the system's CAs. */
  ca: string | undefined;
  /** The schema that holds the store's tables. */
  schema: string;
  applicationName: string;
  /** connect_timeout in the URL, in milliseconds. */
  connectTimeoutMs: number | undefined;
}

/** The URL parameters this store understands; the README documents each. */
const URL_PARAMETERS = ['sslmode', 'sslrootcert', 'schema', 'connect_timeout', 'application_name', 'host'] as const;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const SSL_MODES: readonly string[] = ['disable', 'require', 'verify-ca', 'verify-full'];

/** Parses a postgres:// or postgresql:// URL; every error quotes the URL without its password. */
export function parsePostgresUrl(url: string): PgTarget {
  const shown = redactUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw urlError(shown, 'it is not a valid URL', 'url');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw urlError(shown, `its scheme is ${JSON.stringify(parsed.protocol.slice(0, 20))}, expected postgres: or postgresql:`, 'url');
  }
  const params = parsed.searchParams;
  for (const name of params.keys()) {
    if (!(URL_PARAMETERS as readonly string[]).includes(name)) {
      throw urlError(shown, `it has the parameter ${JSON.stringify(name.slice(0, 40))}, which this store does not know (known: ${URL_PARAMETERS.join(', ')})`, name);
    }
  }
  const decode = (text: string, field: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw urlError(shown, `its ${field} has a bad %-escape`, field);
    }
  };
  const socketDir = params.get('host');
  const host = socketDir ?? (parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname);
  if (host === '') throw urlError(shown, 'it names no host (postgres://user@host:5432/database)', 'host');
  const port = parsed.port === '' ? 5432 : Number(parsed.port);
  const database = parsed.pathname.length > 1 ? decode(parsed.pathname.slice(1), 'database') : undefined;
  if (database !== undefined && database.includes('/')) throw urlError(shown, 'its path must be one database name', 'database');

  const isLocal = host.startsWith('/') || host === 'localhost' || host === '::1' || /^127\./.test(host);
  const sslParam = params.get('sslmode');
  if (sslParam !== null && !SSL_MODES.includes(sslParam)) {
    throw urlError(
      shown,
      `it has sslmode=${JSON.stringify(sslParam.slice(0, 20))}; this store takes ${SSL_MODES.join(', ')} (prefer and allow are refused: they fall back to plain text without saying so)`,
      'sslmode',
    );
  }
  // Loopback and unix sockets need no TLS; any other host gets a verified TLS connection unless
  // the URL says sslmode=disable.
  const sslMode = (sslParam ?? (isLocal ? 'disable' : 'verify-full')) as SslMode;
  const rootCert = params.get('sslrootcert');
  let ca: string | undefined;
  if (rootCert !== null && rootCert !== 'system') {
    try {
      ca = readFileSync(rootCert, 'utf8');
    } catch (error) {
      throw urlError(shown, `its sslrootcert ${JSON.stringify(rootCert.slice(0, 200))} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'sslrootcert');
    }
  }
  const schema = params.get('schema') ?? 'booty';
  if (!SCHEMA_NAME.test(schema)) throw urlError(shown, `its schema=${JSON.stringify(schema.slice(0, 70))} is not a plain lower-case SQL name`, 'schema');
  const timeout = params.get('connect_timeout');
  let connectTimeoutMs: number | undefined;
  if (timeout !== null) {
    if (!/^\d{1,5}$/.test(timeout) || Number(timeout) < 1) throw urlError(shown, `its connect_timeout=${JSON.stringify(timeout.slice(0, 20))} is not a whole number of seconds`, 'connect_timeout');
    connectTimeoutMs = Number(timeout) * 1000;
  }
  return {
    location: shown,
    host,
    port,
    user: parsed.username === '' ? undefined : decode(parsed.username, 'user name'),
    database,
    password: parsed.password === '' ? undefined : decode(parsed.password, 'password'),
    sslMode,
    ca,
    schema,
    applicationName: params.get('application_name') ?? 'booty',
    connectTimeoutMs,
  };
}

/** TLS options for the driver: every mode but `disable` verifies the certificate chain. */
export function tlsOptions(target: PgTarget): false | { rejectUnauthorized: true; ca?: string; servername?: string; checkServerIdentity?: () => undefined } {
  if (target.sslMode === 'disable') return false;
  const options: { rejectUnauthorized: true; ca?: string; servername?: string; checkServerIdentity?: () => undefined } = { rejectUnauthorized: true };
  if (target.ca !== undefined) options.ca = target.ca;
  if (isIP(target.host) === 0 && !target.host.startsWith('/')) options.servername = target.host;
  // verify-ca: the chain must lead to a trusted CA, the name may differ (as in libpq).
  if (target.sslMode === 'verify-ca') options.checkServerIdentity = () => undefined;
  return options;
}

function urlError(shown: string, what: string, field: string): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: shown,
    reason: 'bad-option',
    happened: `The store URL ${shown} cannot be used: ${what}`,
    changed: 'Nothing was opened or changed',
    fix: 'Correct RELEASE_GOVERNOR_STORE_URL (or --store-url), for example postgres://booty@db.example.com:5432/booty?sslmode=verify-full',
    details: { field },
  });
}
