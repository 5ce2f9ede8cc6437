// Moving between backends: a file store into PostgreSQL when a deployment grows to several
// hosts, and back (a backup). Works for any two ReleaseStores through snapshot and restore, so
// every claim field, release.json and each repository's state (unknown fields included) survive
// the trip. Into either of this package's backends the copy is all or nothing
// (file/copy-into.ts, postgres/store.ts): a copy that fails or is stopped leaves the target as it was.
import { copyIntoDirectory } from './file/copy-into';
import { nodeFs } from './file/fs-seam';
import { copyIntoOf } from './shared/copy-hooks';
import type { ReleaseStore, StoreKind } from './shared/contract';
import { checkFileOptions } from './shared/options';
import { redactUrl } from './shared/redact';
import type { StoreLocation } from './location';

/** What `copyStore` takes besides the two stores. */
export interface CopyStoreOptions {
  /** Overwrite a target that already holds deliveries or a release state (default: refuse). */
  replace?: boolean | undefined;
  /** With `replace`: let a source that holds nothing empty a target that holds data (default: refuse). */
  force?: boolean | undefined;
  /** Stops the copy; stopped before its switch, it leaves the target as it was (STATE_WRITE, reason `interrupted`). */
  signal?: AbortSignal | undefined;
  /** For a PostgreSQL target given as a location: where PGPASSWORD, PGPASSFILE, ... are read (default: `process.env`). */
  env?: NodeJS.ProcessEnv | undefined;
}

/** What `copyStore` did. */
export interface CopyStoreResult {
  /** How many claims were copied. */
  deliveries: number;
  /** How many repositories' own release states were copied (besides the store's own). */
  repositories: number;
  /** The target, as `store.kind` and `store.location` would say it. */
  to: { kind: StoreKind; location: string };
}

/**
 * Copies everything `from` holds into `to`: an open store, or a location (what
 * `resolveStoreLocation` returns), which is then created by the copy if missing, and never
 * before it is complete. Refuses, writing nothing: a damaged `from` (STATE_CORRUPT; run `booty
 * state check` there first); a `to` that is `from` itself however it is spelt, or that lies
 * inside a store or holds files no store has (STATE_INVALID_INPUT, reasons `same-store`,
 * `inside-store`, `not-a-store`); a `to` that holds data, unless `replace` (`target-not-empty`);
 * an empty `from` over a `to` that holds data, unless `force` too (`empty-source`). Claims made on
 * `from` while the copy runs are not carried over: stop the workers first.
 *
 * @param from - the store to copy; only read
 * @param to - the store to write, or where it is to be (a `StoreLocation`)
 * @param options - `replace`: overwrite a target that holds data; `force`: with `replace`, let an
 *   empty `from` do it; `signal`: stop the copy; `env`: for a PostgreSQL location, where PG*
 *   variables are read (default `process.env`)
 * @throws {@link StateError} STATE_CORRUPT (damage in `from`), STATE_INVALID_INPUT (`same-store`,
 *   `inside-store`, `not-a-store`, `target-not-empty`, `empty-source`, a closed store), STATE_WRITE
 *   (reason `interrupted` when stopped), and what reading `from` or writing `to` throws
 *   (STATE_READ, STATE_UNAVAILABLE, STATE_LOCK_TIMEOUT)
 */
export async function copyStore(
  from: ReleaseStore,
  to: ReleaseStore | StoreLocation,
  options: CopyStoreOptions = {},
): Promise<CopyStoreResult> {
  const snapshot = await from.snapshot();
  const counts = { deliveries: snapshot.deliveries.length, repositories: snapshot.repositories?.length ?? 0 };
  const { signal } = options;
  const copy = { replace: options.replace === true, force: options.force === true, source: from, signal };
  if (!isLocation(to)) {
    const into = copyIntoOf(to);
    if (into !== undefined) await into(snapshot, copy);
    else await to.restore(snapshot, { replace: copy.replace });
    return { ...counts, to: { kind: to.kind, location: to.location } };
  }
  if (to.kind === 'file') {
    const settings = checkFileOptions({ stateDir: to.stateDir, source: to.source });
    await copyIntoDirectory(settings, nodeFs, snapshot, copy);
    return { ...counts, to: { kind: 'file', location: settings.stateDir } };
  }
  // Loaded here: a file-store user never initialises the PostgreSQL backend's modules.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openPostgresStore } = require('./postgres/store') as typeof import('./postgres/store');
  const target = await openPostgresStore({ url: to.url, source: to.source, env: options.env }, { copyTarget: true });
  try {
    const into = copyIntoOf(target);
    await (into as NonNullable<typeof into>)(snapshot, copy);
  } finally {
    await target.close();
  }
  return { ...counts, to: { kind: 'postgres', location: redactUrl(to.url) } };
}

function isLocation(to: ReleaseStore | StoreLocation): to is StoreLocation {
  return !('snapshot' in to);
}
