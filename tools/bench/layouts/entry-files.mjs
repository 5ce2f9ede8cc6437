// The layout @booty/release-state ships: one file per key under deliveries/, claimed with an
// atomic link(). Measured through the package itself (dist/).
import * as path from 'node:path';
import { requireDist, writeSeedEntries } from './common.mjs';

const { openFileStore } = requireDist('file/store');
const { entryName, serializeEntry } = requireDist('file/ledger/entry');

export const name = 'entry-files (chosen)';
export const description = 'one file per key, created by link(): no lock on the claim path';
/** The layout @booty/release-state ships: the targets apply to it. */
export const chosen = true;

// No prune pass inside the measured claims: passes run at most hourly and are measured apart.
const INTERNALS = { pruneIntervalMs: 24 * 60 * 60 * 1000, pruneEveryClaims: Number.MAX_SAFE_INTEGER };
const OPTIONS = { maxDeliveries: 10_000_000 };

/** Fills a fresh state directory with n entries, written directly (setup, not measured). */
export async function populate(stateDir, n) {
  await openFileStore({ stateDir, ...OPTIONS }, INTERNALS);
  // With the bookkeeping as after a prune pass: nothing to import, next pass not due.
  writeSeedEntries(path.join(stateDir, 'deliveries'), n, { entryName, serializeEntry });
}

export async function open(stateDir) {
  const store = await openFileStore({ stateDir, ...OPTIONS }, INTERNALS);
  return {
    claim: (repo, headSha, deliveryId) => store.deliveries.claim({ repo, headSha, deliveryId }),
    count: () => store.deliveries.count(),
    /** A full prune pass (amortised: runs at most hourly). */
    prune: () => store.deliveries.prune(),
    close: async () => {},
  };
}
