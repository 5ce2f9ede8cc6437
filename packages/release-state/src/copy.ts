// Moving between backends: a file store into PostgreSQL when a deployment grows to several
// hosts, and back (a backup). Works for any two ReleaseStores through snapshot/restore, so every
// claim field and release.json (unknown fields included) survive the trip.
import type { ReleaseStore } from './shared/contract';

/** What `copyStore` takes besides the two stores. */
export interface CopyStoreOptions {
  /** Overwrite a target that already holds deliveries or a release state (default: refuse). */
  replace?: boolean | undefined;
}

/** What `copyStore` did. */
export interface CopyStoreResult {
  /** How many claims were copied. */
  deliveries: number;
}

/**
 * Copies everything `from` holds into `to`. Refuses (STATE_CORRUPT) when `from` has damage (run
 * `booty state check` there first) and (STATE_INVALID_INPUT, reason `target-not-empty`) when `to`
 * is not empty, unless `replace`; either way nothing is written then. Claims made on `from` while
 * the copy runs are not carried over: stop the workers first.
 *
 * @param from - the store to copy; only read
 * @param to - the store to write
 * @param options - `replace`: overwrite a target that is not empty (default false)
 * @throws {@link StateError} STATE_CORRUPT (damage in `from`), STATE_INVALID_INPUT (`to` not
 *   empty without `replace`, a closed store), and what reading `from` or writing `to` throws
 *   (STATE_READ, STATE_WRITE, STATE_UNAVAILABLE, STATE_LOCK_TIMEOUT)
 */
export async function copyStore(from: ReleaseStore, to: ReleaseStore, options: CopyStoreOptions = {}): Promise<CopyStoreResult> {
  const snapshot = await from.snapshot();
  await to.restore(snapshot, { replace: options.replace === true });
  return { deliveries: snapshot.deliveries.length };
}
