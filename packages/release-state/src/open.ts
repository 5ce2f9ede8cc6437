// `openReleaseStore`: one entry point, two backends. It takes what `resolveStoreLocation`
// returns as it is (`{ kind: 'file', stateDir }` or `{ kind: 'postgres', url }`, `kind` optional),
// plus the backend's own options (shared/options.ts).
import { openFileStore } from './file/store';
import type { ReleaseStore } from './shared/contract';
import { stateError } from './shared/errors';
import type { FileStoreOptions, OpenPostgresStoreOptions } from './shared/options';
import { redactUrl } from './shared/redact';

/**
 * What `openReleaseStore` takes: a file store's options (`{ stateDir, ... }`) or a PostgreSQL
 * store's (`{ url, ... }`), `kind` optional: what `resolveStoreLocation` returns fits as it is.
 */
export type OpenReleaseStoreOptions = FileStoreOptions | OpenPostgresStoreOptions;

/**
 * Opens the store a location names: the file store for `{ stateDir }` (created with mode 0700
 * and a `release.json` skeleton on first use, unless `create: false`), the PostgreSQL store for
 * `{ url }` (its tables created or upgraded). Opening an existing file store writes nothing.
 *
 * @param options - the location (`{ stateDir }` or `{ url }`, as `resolveStoreLocation` returns
 *   it) and that backend's options, each with its default: the package README's tables
 * @returns the store; call `close()` when done (a PostgreSQL pool keeps the process alive)
 * @throws {@link StateError} STATE_INVALID_INPUT (a bad option, `url` and `stateDir` both, a
 *   missing directory with `create: false`), STATE_UNSAFE (a directory others can write or own,
 *   a symlink where a state file belongs), STATE_WRITE and STATE_READ (the file system refused),
 *   STATE_UNAVAILABLE (PostgreSQL cannot be reached, refused the login, or `pg` is not
 *   installed), STATE_CORRUPT (a schema newer than this library), STATE_LOCK_TIMEOUT (migrations
 *   waited too long for another process)
 */
export async function openReleaseStore(options: OpenReleaseStoreOptions): Promise<ReleaseStore> {
  const given: Partial<Record<'kind' | 'url' | 'stateDir', unknown>> =
    typeof options === 'object' && options !== null ? options : {};
  const kind = given.kind ?? (given.url !== undefined ? 'postgres' : 'file');
  const refuse = (what: string, field: string) =>
    stateError('STATE_INVALID_INPUT', {
      path: typeof given.url === 'string' ? redactUrl(given.url) : '(options)',
      reason: 'bad-option',
      happened: `openReleaseStore ${what}`,
      changed: 'Nothing was opened or changed',
      fix: 'Give either { url: "postgres://…" } or { stateDir } (see resolveStoreLocation)',
      details: { field },
    });
  if (kind !== 'file' && kind !== 'postgres') throw refuse('takes kind "file" or "postgres"', 'kind');
  if (given.url !== undefined && given.stateDir !== undefined) {
    throw refuse('was given both url and stateDir: they name two different stores', 'url');
  }
  if (kind === 'file') {
    if (given.url !== undefined) throw refuse('was given kind "file" with a url', 'url');
    return openFileStore(options as FileStoreOptions);
  }
  if (typeof given.url !== 'string' || !/^postgres(?:ql)?:\/\//i.test(given.url)) {
    throw refuse('takes a postgres:// or postgresql:// URL', 'url');
  }
  // Loaded here, not at the top: the file store (booty governor status) never initialises the
  // PostgreSQL backend's modules.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openPostgresStore } = require('./postgres/store') as typeof import('./postgres/store');
  return openPostgresStore(options as OpenPostgresStoreOptions);
}
