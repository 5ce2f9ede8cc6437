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
  stateDir = pathOption('--state-dir', 'DIR', 'File store directory (default: RELEASE_GOVERNOR_STATE_DIR, else $HOME/.booty/state)');
  storeUrl = stringOption('--store-url', 'URL', 'PostgreSQL store, postgres://USER@HOST/DB (default: RELEASE_GOVERNOR_STORE_URL)');
  json = Option.Boolean('--json', false, { description: 'Print one JSON object on stdout instead of text' });

  protected override get jsonOutput(): boolean {
    return this.json;
  }

  /** `--state-dir` and `--store-url` as given. */
  protected storeChoice(): StoreChoice {
    if (this.storeUrl === '') throw new UsageError('--store-url needs a postgres:// URL (or leave it out to use RELEASE_GOVERNOR_STORE_URL)');
    return {
      ...(this.stateDir === undefined ? {} : { stateDir: this.stateDir }),
      ...(this.storeUrl === undefined ? {} : { url: this.storeUrl }),
    };
  }

  /**
   * Opens the store the options point at, runs `work`, and always closes it (a PostgreSQL pool
   * must not keep the process alive). Inspection and repair never create a store: a file store
   * whose directory does not exist is a usage error naming it (the library's, exit 2), so a
   * mistyped path is not mistaken for an empty, healthy store.
   */
  protected async withStore<T>(work: (store: ReleaseStore) => Promise<T>): Promise<T> {
    const store = await openExisting(this.storeChoice(), this.context);
    return useAndClose(store, work);
  }
}

/** Where `choice` points (the library's one rule): a relative --state-dir is from `cwd`, then the environment's chain. */
export async function locate(choice: StoreChoice, where: { env: NodeJS.ProcessEnv; cwd: string }): Promise<StoreLocation> {
  const { resolveStoreLocation } = await import('@booty/release-state');
  return resolveStoreLocation({ ...choice, env: where.env, cwd: where.cwd });
}

/** Opens the store for `choice`, refusing a file store that is not there yet. */
export async function openExisting(choice: StoreChoice, where: { env: NodeJS.ProcessEnv; cwd: string }): Promise<ReleaseStore> {
  const { openReleaseStore } = await import('@booty/release-state');
  const location = await locate(choice, where);
  // create: false: a mistyped path is an error, and inspecting writes nothing (not even the skeleton).
  return openReleaseStore(location.kind === 'file' ? { ...location, create: false } : location);
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
export function storeJson(store: ReleaseStore): { kind: string; location: string } {
  return { kind: store.kind, location: store.location };
}

/** The store in words (`file store /var/lib/booty/state`); escape it before printing. */
export function storeLabel(store: ReleaseStore): string {
  return `${store.kind === 'postgres' ? 'PostgreSQL' : 'file'} store ${store.location}`;
}
