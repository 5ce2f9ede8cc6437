// Where the store lives: a state directory (the file store) or a PostgreSQL URL. One decision,
// made here, so that every host given the same settings opens the same store.
import { parsePostgresUrl } from './postgres/url';
import { stateError } from './shared/errors';
import { redactUrl } from './shared/redact';
import { excerptValue } from './shared/text';
import { DEFAULT_STATE_DIR_SOURCE, resolveStateDir, STATE_DIR_ENV } from './state-dir';

/** The environment variable that chooses a PostgreSQL store (it is not a config key). */
export const STORE_URL_ENV = 'RELEASE_GOVERNOR_STORE_URL';

/**
 * Where the store is, and `source`: the option or variable that said so (`--state-dir`,
 * `RELEASE_GOVERNOR_STORE_URL`, ...), which every message about the store names as the thing to
 * correct. `openReleaseStore` takes this object as it is.
 */
export type StoreLocation =
  { kind: 'file'; stateDir: string; source?: string } | { kind: 'postgres'; url: string; source?: string };

/** What `resolveStoreLocation` takes; every option may be left out. */
export interface ResolveStoreLocationOptions {
  /** A state directory (the file store); cannot be given together with `url`. */
  stateDir?: string | undefined;
  /** A `postgres://` or `postgresql://` URL; cannot be given together with `stateDir`. */
  url?: string | undefined;
  /** Default: `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** For a relative `stateDir`. Default: `process.cwd()`. */
  cwd?: string | undefined;
  /**
   * How messages name the `url` and `stateDir` options: the command line's own words (`--to`),
   * so that an error names what the user typed. Default: `--store-url` and `--state-dir`.
   */
  names?: { url?: string | undefined; stateDir?: string | undefined } | undefined;
}

/**
 * The store to open: the `url` or `stateDir` option, else `RELEASE_GOVERNOR_STORE_URL`, else the
 * state-directory chain of `resolveStateDir`. Settings that name two stores at one level (both
 * options, or both variables) are refused: hosts configured differently would split the state
 * without a word. A URL is checked in full here (postgres/url.ts), before anything is read,
 * resolved or contacted. Opens and creates nothing.
 *
 * @param options - `url` or `stateDir` (not both), `env` (default `process.env`), `cwd` (for a
 *   relative `stateDir`; default `process.cwd()`)
 * @throws {@link StateError} STATE_INVALID_INPUT, with `details.reason`: `contradictory` (two
 *   stores named at one level), `bad-url` (not a `postgres://` or `postgresql://` URL, or one
 *   whose user info is ambiguous or holds control characters, quoted without its password), and
 *   every refusal of `resolveStateDir`
 */
export function resolveStoreLocation(options: ResolveStoreLocationOptions = {}): StoreLocation {
  const env = options.env ?? process.env;
  const cwd = options.cwd;
  const urlName = options.names?.url ?? '--store-url';
  const dirName = options.names?.stateDir ?? '--state-dir';
  if (options.url !== undefined && options.stateDir !== undefined) {
    throw contradiction(urlName, dirName, redactUrl(options.url));
  }
  if (options.url !== undefined) return postgres(options.url, urlName);
  if (options.stateDir !== undefined) {
    return {
      kind: 'file',
      stateDir: resolveStateDir({ stateDir: options.stateDir, env, cwd, source: dirName }),
      source: dirName,
    };
  }
  const url = env[STORE_URL_ENV];
  // Empty variables count as unset, as for RELEASE_GOVERNOR_STATE_DIR.
  if (url !== undefined && url !== '') {
    const dir = env[STATE_DIR_ENV];
    if (dir !== undefined && dir !== '') throw contradiction(STORE_URL_ENV, STATE_DIR_ENV, redactUrl(url));
    return postgres(url, STORE_URL_ENV);
  }
  const fromEnv = env[STATE_DIR_ENV] !== undefined && env[STATE_DIR_ENV] !== '';
  return {
    kind: 'file',
    stateDir: resolveStateDir({ env, cwd }),
    source: fromEnv ? STATE_DIR_ENV : DEFAULT_STATE_DIR_SOURCE,
  };
}

/** A postgres location, its URL checked in full (a bad one is STATE_INVALID_INPUT naming `source`). */
function postgres(url: string, source: string): StoreLocation {
  parsePostgresUrl(url, source);
  return { kind: 'postgres', url, source };
}

function contradiction(first: string, second: string, url: string): Error {
  return stateError('STATE_INVALID_INPUT', {
    path: `${first} + ${second}`,
    reason: 'contradictory',
    happened:
      `Both ${first} (${excerptValue(url)}) and ${second} are set: they name two different stores, ` +
      'and hosts set up either way would keep separate state',
    changed: 'Nothing was opened or changed',
    fix: `Fix: keep one of them: unset ${second} to use PostgreSQL, or unset ${first} to use the state directory`,
  });
}
