// The PostgreSQL URL: parsed here once, into what the driver needs and what may be shown. Pure:
// nothing is read, resolved or contacted, so resolveStoreLocation runs every check before a
// store is opened. Refused: a URL whose user info is ambiguous (a password with an unencoded
// `@`, `/`, `?` or `#` would be split into a host, a path or parameters, and a fragment of it
// printed or looked up as a host name), any name or value with a control character once
// decoded, and any parameter not listed in URL_PARAMETERS (a typo such as `sslmod=require` would
// otherwise silently mean "no TLS"). The files the URL names (certificates, key) are read when
// the store opens (tls-files.ts).
import { isIP } from 'node:net';
import { stateError, type StateError } from '../shared/errors';
import { redactUrl } from '../shared/redact';
import { excerptValue, hasControlCharacter } from '../shared/text';

export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

export interface PgTarget {
  /** The URL without its password (what `store.location` shows). */
  location: string;
  /** How the caller named the URL (`--store-url`, `RELEASE_GOVERNOR_STORE_URL`, ...); messages say what to correct. */
  source: string | undefined;
  host: string;
  port: number;
  user: string | undefined;
  database: string | undefined;
  /** From the URL; undefined lets the store use PGPASSWORD or the pgpass file. */
  password: string | undefined;
  sslMode: SslMode;
  /** The files of sslrootcert (`system`: the system's CAs), sslcert and sslkey, as given. */
  sslFiles: { sslrootcert?: string; sslcert?: string; sslkey?: string };
  /** The schema that holds the store's tables. */
  schema: string;
  applicationName: string;
  /** connect_timeout in the URL, in milliseconds. */
  connectTimeoutMs: number | undefined;
}

/** The URL parameters this store understands; the README documents each. */
const URL_PARAMETERS = [
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'schema',
  'connect_timeout',
  'application_name',
  'host',
] as const;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const SSL_MODES: readonly string[] = ['disable', 'require', 'verify-ca', 'verify-full'];
const SCHEME = /^postgres(?:ql)?:\/\//i;

/** The example every URL error's fix ends with. */
const EXAMPLE = 'postgres://booty@db.example.com:5432/booty?sslmode=verify-full';

/**
 * Parses a postgres:// or postgresql:// URL; every error quotes the URL without its password and
 * names `source`, the option or variable the URL came from.
 */
export function parsePostgresUrl(url: string, source?: string): PgTarget {
  const shown = redactUrl(url);
  const refuse = (what: string, field: string, fix?: string) => urlError(shown, source, what, field, fix);
  if (url === '') throw refuse('it is empty', 'url');
  // The excerpt of a URL with a line break describes it instead of quoting it (shared/text.ts).
  if (/[\n\r]/.test(url))
    throw refuse('it spans lines (is a quote left open where it was set, in a .env file?)', 'url');
  if (hasControlCharacter(url)) throw refuse('it contains a control character', 'url');
  const scheme = SCHEME.exec(url);
  if (scheme === null) throw refuse('it is not a postgres:// or postgresql:// URL', 'url');
  checkUserInfo(url.slice(scheme[0].length), refuse);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The parser's error is not kept: its message and input carry the password.
    throw refuse('it does not parse as a URL', 'url');
  }
  const decode = (text: string, field: string): string => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(text);
    } catch {
      throw refuse(`its ${field} has a bad %-escape`, field, `percent-encode the ${field} (a % itself is %25)`);
    }
    // Checked after decoding: %0A is a line break however it is spelt.
    if (hasControlCharacter(decoded)) throw refuse(`its ${field} holds a control character once decoded`, field);
    return decoded;
  };
  const params = new Map<string, string>();
  for (const [name, value] of parsed.searchParams) {
    if (hasControlCharacter(name)) throw refuse('a parameter name holds a control character once decoded', 'url');
    if (!(URL_PARAMETERS as readonly string[]).includes(name)) {
      throw refuse(
        `it has the parameter ${JSON.stringify(name.slice(0, 40))}, which this store does not know (known: ${URL_PARAMETERS.join(', ')})`,
        name,
      );
    }
    if (params.has(name)) throw refuse(`it gives ${name} twice`, name);
    if (hasControlCharacter(value)) throw refuse(`its ${name} holds a control character once decoded`, name);
    params.set(name, value);
  }
  const host =
    params.get('host') ??
    decode(parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname, 'host');
  if (host === '') throw refuse('it names no host (postgres://user@host:5432/database)', 'host');
  const port = parsed.port === '' ? 5432 : Number(parsed.port);
  if (!(port >= 1 && port <= 65535)) throw refuse(`its port ${parsed.port} is not from 1 to 65535`, 'port');
  const database = parsed.pathname.length > 1 ? decode(parsed.pathname.slice(1), 'database') : undefined;
  if (database !== undefined && database.includes('/')) throw refuse('its path must be one database name', 'database');

  const sslParam = params.get('sslmode');
  if (sslParam !== undefined && !SSL_MODES.includes(sslParam)) {
    const why = 'prefer and allow are refused: they fall back to plain text without saying so';
    throw refuse(
      `it has sslmode=${JSON.stringify(sslParam.slice(0, 20))}; this store takes ${SSL_MODES.join(', ')} (${why})`,
      'sslmode',
    );
  }
  // Loopback and unix sockets need no TLS; any other host gets a verified TLS connection unless
  // the URL says sslmode=disable.
  const sslMode = (sslParam ?? (isLoopback(host) ? 'disable' : 'verify-full')) as SslMode;
  const sslFiles: PgTarget['sslFiles'] = {};
  for (const name of ['sslrootcert', 'sslcert', 'sslkey'] as const) {
    const file = params.get(name);
    if (file === undefined) continue;
    if (file === '') throw refuse(`its ${name} is empty`, name);
    sslFiles[name] = file;
  }
  if ((sslFiles.sslcert === undefined) !== (sslFiles.sslkey === undefined)) {
    throw refuse(
      'it gives only one of sslcert and sslkey; a client certificate needs both',
      sslFiles.sslcert === undefined ? 'sslcert' : 'sslkey',
    );
  }
  const schema = params.get('schema') ?? 'booty';
  if (!SCHEMA_NAME.test(schema))
    throw refuse(`its schema=${JSON.stringify(schema.slice(0, 70))} is not a plain lower-case SQL name`, 'schema');
  const timeout = params.get('connect_timeout');
  let connectTimeoutMs: number | undefined;
  if (timeout !== undefined) {
    if (!/^\d{1,5}$/.test(timeout) || Number(timeout) < 1) {
      throw refuse(
        `its connect_timeout=${JSON.stringify(timeout.slice(0, 20))} is not a whole number of seconds`,
        'connect_timeout',
      );
    }
    connectTimeoutMs = Number(timeout) * 1000;
  }
  return {
    location: shown,
    source,
    host,
    port,
    user: parsed.username === '' ? undefined : decode(parsed.username, 'user name'),
    database,
    password: parsed.password === '' ? undefined : decode(parsed.password, 'password'),
    sslMode,
    sslFiles,
    schema,
    applicationName: params.get('application_name') ?? 'booty',
    connectTimeoutMs,
  };
}

/**
 * Refuses user info that a reader could split more than one way. The authority ends at the first
 * `/`, `?` or `#`: an `@` after that point means the password (or user name) held one of them
 * unencoded, and a second `@` inside it means the password held an `@`. Either way a part of the
 * password would be taken for the host, the database or a parameter.
 */
function checkUserInfo(afterScheme: string, refuse: (what: string, field: string, fix?: string) => StateError): void {
  const end = afterScheme.search(/[/?#]/);
  const authority = end < 0 ? afterScheme : afterScheme.slice(0, end);
  const rest = end < 0 ? '' : afterScheme.slice(end);
  const ats = authority.split('@').length - 1;
  if (ats === 0 && !rest.includes('@')) return;
  if (ats > 1 || rest.includes('@')) {
    const fix =
      'percent-encode the password (and the user name): @ as %40, / as %2F, ? as %3F, # as %23, % as %25 ' +
      `(node -p 'encodeURIComponent(process.argv[1])' 'the-password' prints it encoded)`;
    throw refuse(
      ats > 1
        ? 'its user info holds more than one @, so where the password ends is ambiguous'
        : 'it has an @ after the host part, which happens when the password holds an unencoded /, ? or #, ' +
            'so where the password ends is ambiguous',
      'password',
      fix,
    );
  }
}

/**
 * Whether TLS can be left out by default: a unix socket (a directory path), an address of the
 * loopback network (127.0.0.0/8, ::1, and IPv4 127/8 written as an IPv6 address), or the name
 * `localhost`, which resolvers answer from the loopback network (RFC 6761, section 6.3). Decided
 * on the address as written, never on how a name begins: `127.example.com` is a name like any
 * other and gets verify-full.
 */
export function isLoopback(host: string): boolean {
  if (host.startsWith('/')) return true;
  if (/^localhost\.?$/i.test(host)) return true;
  const version = isIP(host);
  if (version === 4) return host.startsWith('127.');
  if (version !== 6) return false;
  // The URL parser writes an IPv6 address in its shortest form: ::1, or ::ffff:7fXX:XXXX.
  const canonical = new URL(`http://[${host}]`).hostname;
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}

/** What to correct, as the message says it: the option or variable the URL came from. */
export function urlSetting(source: string | undefined): string {
  return source ?? 'the store URL';
}

function urlError(shown: string, source: string | undefined, what: string, field: string, fix?: string): StateError {
  const setting = urlSetting(source);
  const quoted = excerptValue(shown, 160);
  return stateError('STATE_INVALID_INPUT', {
    path: quoted,
    reason: 'bad-url',
    happened: `The store URL ${source === undefined ? '' : `in ${source} `}${quoted} cannot be used: ${what}`,
    changed: 'Nothing was opened, contacted or changed',
    fix: `Fix: ${fix === undefined ? '' : `${fix}; `}correct ${setting}, for example ${EXAMPLE}`,
    details: { field },
  });
}
