// `openReleaseStore`: one entry point, two backends. It takes what `resolveStoreLocation`
// returns as it is (`{ kind: 'file', stateDir }` or `{ kind: 'postgres', url }`, `kind` optional),
// plus the backend's own options (shared/options.ts).
import { openFileStore } from './file/store';
import type { ReleaseStore } from './shared/contract';
import { stateError } from './shared/errors';
import type { FileStoreOptions, OpenPostgresStoreOptions } from './shared/options';
import { redactUrl } from './shared/redact';

export type OpenReleaseStoreOptions = FileStoreOptions | OpenPostgresStoreOptions;

export async function openReleaseStore(options: OpenReleaseStoreOptions): Promise<ReleaseStore> {
  const given: Partial<Record<'kind' | 'url' | 'stateDir', unknown>> = typeof options === 'object' && options !== null ? options : {};
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
