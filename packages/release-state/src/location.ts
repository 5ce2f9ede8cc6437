// Where the store lives: a state directory (the file store) or a PostgreSQL URL. One decision,
// made here, so that every host given the same settings opens the same store.
import { stateError } from './shared/errors';
import { redactUrl } from './shared/redact';
import { excerptValue, hasControlCharacter } from './shared/text';
import { resolveStateDir, STATE_DIR_ENV } from './state-dir';

/** The environment variable that chooses a PostgreSQL store (it is not a config key). */
export const STORE_URL_ENV = 'RELEASE_GOVERNOR_STORE_URL';

/** Which store to open, as `resolveStoreLocation` decides it and `openReleaseStore` takes it. */
export type StoreLocation = { kind: 'file'; stateDir: string } | { kind: 'postgres'; url: string };

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
}

/**
 * The store to open: the `url` or `stateDir` option, else `RELEASE_GOVERNOR_STORE_URL`, else the
 * state-directory chain of `resolveStateDir`. Settings that name two stores at one level (both
 * options, or both variables) are refused: hosts configured differently would split the state
 * without a word. Opens and creates nothing.
 *
 * @param options - `url` or `stateDir` (not both), `env` (default `process.env`), `cwd` (for a
 *   relative `stateDir`; default `process.cwd()`)
 * @throws {@link StateError} STATE_INVALID_INPUT, with `details.reason`: `contradictory` (two
 *   stores named at one level), `bad-url` (not a `postgres://` or `postgresql://` URL, quoted
 *   without its password), and every refusal of `resolveStateDir`
 */
export function resolveStoreLocation(options: ResolveStoreLocationOptions = {}): StoreLocation {
  const env = options.env ?? process.env;
  const cwd = options.cwd;
  if (options.url !== undefined && options.stateDir !== undefined) {
    throw contradiction('the url option (--store-url)', 'the stateDir option (--state-dir)', redactUrl(options.url));
  }
  if (options.url !== undefined) return { kind: 'postgres', url: checkUrl(options.url, 'the url option (--store-url)') };
  if (options.stateDir !== undefined) return { kind: 'file', stateDir: resolveStateDir({ stateDir: options.stateDir, env, cwd }) };
  const url = env[STORE_URL_ENV];
  // Empty variables count as unset, as for RELEASE_GOVERNOR_STATE_DIR.
  if (url !== undefined && url !== '') {
    const dir = env[STATE_DIR_ENV];
    if (dir !== undefined && dir !== '') throw contradiction(STORE_URL_ENV, STATE_DIR_ENV, redactUrl(url));
    return { kind: 'postgres', url: checkUrl(url, STORE_URL_ENV) };
  }
  return { kind: 'file', stateDir: resolveStateDir({ env, cwd }) };
}

function checkUrl(url: string, source: string): string {
  const shown = redactUrl(url);
  const refuse = (what: string) =>
    stateError('STATE_INVALID_INPUT', {
      path: excerptValue(shown),
      reason: 'bad-url',
      happened: `${source} ${excerptValue(shown)} ${what}`,
      changed: 'Nothing was opened or changed',
      fix:
        `Fix: set ${source === STORE_URL_ENV ? STORE_URL_ENV : '--store-url'} to a URL such as ` +
        'postgres://booty@db.example.com:5432/booty, or unset it to use the file store',
      details: { field: source === STORE_URL_ENV ? STORE_URL_ENV : 'url' },
    });
  if (url === '') throw refuse('is empty');
  if (hasControlCharacter(url)) throw refuse('contains a control character');
  if (!/^postgres(?:ql)?:\/\//i.test(url)) throw refuse('is not a postgres:// or postgresql:// URL');
  // The parse error itself is not kept: its message and input carry the password.
  if (!URL.canParse(url)) throw refuse('does not parse as a URL');
  return url;
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
