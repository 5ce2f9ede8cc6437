import { Option, UsageError } from 'clipanion';
import type { ReleaseStore, StoreLocation } from '@booty/release-state';
import { BootyCommand, pathOption, stringOption } from './context';

/** Which store to open, as the operator typed it (the library resolves it: one rule). */
export interface StoreChoice {
  stateDir?: string;
  url?: string;
}

/**
 * Options shared by every command that works on the store (`booty state …`, `governor status`):
 * `--state-dir`, `--store-url` and `--json`, and the one way they become an open store.
 * The rule for which store wins is the library's (`resolveStoreLocation`); this only passes on
 * what the operator typed.
 */
export abstract class StoreCommand extends BootyCommand {
  stateDir = pathOption(
    '--state-dir',
    'DIR',
    'File store directory (default: RELEASE_GOVERNOR_STATE_DIR, else $HOME/.booty/state)',
  );
  storeUrl = stringOption(
    '--store-url',
    'URL',
    'PostgreSQL store, postgres://USER@HOST/DB (default: RELEASE_GOVERNOR_STORE_URL)',
  );
  json = Option.Boolean('--json', false, { description: 'Print one JSON object on stdout instead of text' });

  protected override get jsonOutput(): boolean {
    return this.json;
  }

  /** `--state-dir` and `--store-url` as given. */
  protected storeChoice(): StoreChoice {
    if (this.storeUrl === '')
      throw new UsageError('--store-url needs a postgres:// URL (or leave it out to use RELEASE_GOVERNOR_STORE_URL)');
    return {
      ...(this.stateDir === undefined ? {} : { stateDir: this.stateDir }),
      ...(this.storeUrl === undefined ? {} : { url: this.storeUrl }),
    };
  }

  /**
   * Opens the store the options point at, runs `work`, and always closes it (a PostgreSQL pool
   * must not keep the process alive). Inspection and repair never create or migrate a store
   * (`openExisting`).
   */
  protected async withStore<T>(work: (store: ReleaseStore) => Promise<T>): Promise<T> {
    const store = await openExisting(this.storeChoice(), this.context);
    return useAndClose(store, work);
  }
}

/** Where the options are read from, and (for `--from`/`--to`) what the command line called them. */
export interface Where {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The option names messages use for the URL and the directory (default --store-url, --state-dir). */
  names?: { url?: string; stateDir?: string };
}

/** Where `choice` points (the library's one rule): a relative --state-dir is from `cwd`, then the environment's chain. */
export async function locate(choice: StoreChoice, where: Where): Promise<StoreLocation> {
  const { resolveStoreLocation } = await import('@booty/release-state');
  return resolveStoreLocation({ ...choice, env: where.env, cwd: where.cwd, names: where.names });
}

/**
 * Opens the store for `choice` as it is: never created, never migrated. A file store directory or
 * a PostgreSQL schema that is not there is the library's error naming it (exit 2): a mistyped
 * path or `?schema=` is not an empty, healthy store, and inspecting writes nothing.
 */
export async function openExisting(choice: StoreChoice, where: Where): Promise<ReleaseStore> {
  const { openReleaseStore } = await import('@booty/release-state');
  const location = await locate(choice, where);
  if (location.kind === 'file') return openReleaseStore({ ...location, create: false });
  return openReleaseStore({ ...location, create: false, env: where.env });
}

/** Runs `work` on `store` and closes it whatever happens; `work`'s own failure is the one reported. */
export async function useAndClose<T>(store: ReleaseStore, work: (store: ReleaseStore) => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work(store);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  await store.close();
  return result;
}

/** The store as --json shows it. */
export function storeJson(store: Pick<ReleaseStore, 'kind' | 'location'>): { kind: string; location: string } {
  return { kind: store.kind, location: store.location };
}

/** The store in words (`file store /var/lib/booty/state`); escape it before printing. */
export function storeLabel(store: Pick<ReleaseStore, 'kind' | 'location'>): string {
  return `${store.kind === 'postgres' ? 'PostgreSQL' : 'file'} store ${store.location}`;
}
