// The store contract suite: every behaviour of `ReleaseStore` (src/shared/contract.ts), run against each
// backend. A backend is done when it passes all of it.
//
// Factory: `describeStoreContract(name, open)`. Each test calls `open()` for a fresh, empty store
// of its own (open() may be called twice in one test: the second store is another empty store, a
// copy target). `open()` resolves to:
//   store     an open store, empty (release state is the skeleton, no deliveries);
//   reopen()  another, independent handle on the same data (as a second process would open it);
//             the suite closes what it opens;
//   damage    backend-specific hooks that change the stored data behind the store's back:
//             corruptRelease(repo?)   the release state (a repository's) no longer parses (readState: STATE_CORRUPT);
//             corruptDelivery(key)    the stored claim of that key no longer parses;
//             backdate(key, ageMs)    the claim's recorded times move `ageMs` into the past (prune);
//   cleanup() closes `store` and removes everything the factory made (also after a failure).
// Leases are tested with short real leases (a few hundred ms) on the real clock.
//
// This file opens and closes the stores; the tests are in its parts, suite-*.ts, each a concern.
import type { ReleaseStore } from '../../src/shared/contract';
import type { ClaimResult } from '../../src/shared/contract-deliveries';
import { KEY, type ContractFactory, type ContractHarness } from './harness';
import { describeClaimContract } from './suite-claims';
import { describeFenceContract } from './suite-fence';
import { describeKeyContract } from './suite-keys';
import { describeLeaseContract } from './suite-leases';
import { describeLedgerContract } from './suite-ledger';
import { describePruningContract } from './suite-pruning';
import { describeRepairContract } from './suite-repair';
import { describeRepositoryContract } from './suite-repositories';
import { describeStateContract } from './suite-state';

export type { ContractDamage, ContractFactory, ContractHarness } from './harness';

export function describeStoreContract(name: string, open: ContractFactory): void {
  describe(`store contract: ${name}`, () => {
    let h: ContractHarness;
    const extra: ContractHarness[] = [];
    const handles: ReleaseStore[] = [];
    const reopen = async () => {
      const store = await h.reopen();
      handles.push(store);
      return store;
    };
    const copy = async () => {
      const store = await h.copy();
      handles.push(store);
      return store;
    };
    const another = async () => {
      const harness = await open();
      extra.push(harness);
      return harness;
    };
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => {
      for (const store of handles.splice(0)) await store.close().catch(() => undefined);
      for (const harness of extra.splice(0)) await harness.cleanup();
      await h.cleanup();
    });

    const claim = (
      n: number,
      deliveryId: string,
      more: { leaseMs?: number; repo?: string } = {},
      store = h.store,
    ): Promise<ClaimResult> =>
      store.deliveries.claim({
        ...KEY(n, more.repo),
        deliveryId,
        ...(more.leaseMs === undefined ? {} : { leaseMs: more.leaseMs }),
      });

    // Every part of the suite, in this order, inside this describe block (suite-*.ts).
    const context = {
      get h() {
        return h;
      },
      another,
      reopen,
      copy,
      claim,
    };
    describeClaimContract(context);
    describeLeaseContract(context);
    describeLedgerContract(context);
    describeStateContract(context);
    describePruningContract(context);
    describeKeyContract(context);
    describeRepairContract(context);
    describeFenceContract(context);
    describeRepositoryContract(context);
  });
}
