// `openReleaseStore`: one entry point, two backends. `{ stateDir }` opens the file store (one
// host, nothing to run); `{ url }` with a postgres:// or postgresql:// URL opens the PostgreSQL
// store (several hosts). Takes what `resolveStoreLocation` returns as it is.
import type { ReleaseStore } from './shared/contract';
import { stateError } from './shared/errors';
import { redactUrl } from './location';
import type { OpenPostgresStoreOptions } from './postgres/store';
import { openFileStore, type OpenReleaseStoreOptions as FileStoreOptions } from './file/store';

export type OpenReleaseStoreOptions =
  | (FileStoreOptions & { kind?: 'file' | undefined; url?: undefined })
  | (OpenPostgresStoreOptions & { kind?: 'postgres' | undefined; stateDir?: undefined });

export function openReleaseStore(options: OpenReleaseStoreOptions): Promise<ReleaseStore> {
  if (typeof options === 'object' && options !== null && options.url !== undefined) {
    const { url } = options;
    const refuse = (what: string) =>
      stateError('STATE_INVALID_INPUT', {
        path: typeof url === 'string' ? redactUrl(url) : '(options)',
        reason: 'bad-option',
        happened: `openReleaseStore ${what}`,
        changed: 'Nothing was opened or changed',
        fix: 'Give either { url: "postgres://…" } or { stateDir } (see resolveStoreLocation)',
        details: { field: 'url' },
      });
    if (options.stateDir !== undefined) return Promise.reject(refuse('was given both url and stateDir: they name two different stores'));
    if (typeof url !== 'string' || !/^postgres(?:ql)?:\/\//i.test(url)) return Promise.reject(refuse('takes a postgres:// or postgresql:// URL'));
    // Loaded here, not at the top: the file store (booty governor status) never initialises the
    // PostgreSQL backend's modules.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { openPostgresStore } = require('./postgres/store') as typeof import('./postgres/store');
    return openPostgresStore(options);
  }
  return openFileStore(options as FileStoreOptions);
}
