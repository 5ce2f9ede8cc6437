// Moving between backends: a file store into PostgreSQL when a deployment grows to several
// hosts, and back (a backup). Works for any two ReleaseStores through snapshot/restore, so every
// claim field, release.json and each repository's state (unknown fields included) survive the trip.
import type { ReleaseStore } from './shared/contract';

export interface CopyStoreOptions {
  /** Overwrite a target that already holds deliveries or a release state (default: refuse). */
  replace?: boolean | undefined;
}

export interface CopyStoreResult {
  /** How many claims were copied. */
  deliveries: number;
  /** How many repositories' own release states were copied (besides the store's own). */
  repositories: number;
}

/**
 * Copies everything `from` holds into `to`. Refuses (STATE_CORRUPT) when `from` has damage (run
 * `booty state check` there first) and (STATE_INVALID_INPUT, reason `target-not-empty`) when `to`
 * is not empty, unless `replace`; either way nothing is written then. Claims made on `from` while
 * the copy runs are not carried over: stop the workers first.
 */
export async function copyStore(from: ReleaseStore, to: ReleaseStore, options: CopyStoreOptions = {}): Promise<CopyStoreResult> {
  const snapshot = await from.snapshot();
  await to.restore(snapshot, { replace: options.replace === true });
  return { deliveries: snapshot.deliveries.length, repositories: snapshot.repositories?.length ?? 0 };
}
