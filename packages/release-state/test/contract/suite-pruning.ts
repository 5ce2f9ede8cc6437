// The store contract suite, continued: the ledger's bounds (shared/retention.ts). No entry younger
// than the redelivery window is pruned whatever the count, nor a claim whose lease is running, nor
// a damaged entry. Run by `describeStoreContract` (suite.ts) for every backend.
import type { ReleaseStore } from '../../src/shared/contract';
import type { DeliveryRecord } from '../../src/shared/contract-deliveries';
import { defaultLimit, KEY, REPO, SHA, type SuiteContext } from './harness';

const DAY = 24 * 60 * 60 * 1000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function describePruningContract(context: SuiteContext): void {
  const { claim, reopen } = context;
  const h = () => context.h;

  describe('pruning bounds', () => {
    it('a burst of 30,000 distinct claims, then 300 redeliveries of the oldest: none is claimed again', async () => {
      // The burst is a bulk fixture (what is tested is pruning, not 30,000 claims); the
      // redeliveries are real claims. With default options the count limit (the file store's
      // 10,000) is far exceeded, and every entry is minutes old: inside the redelivery window.
      const burst = 30_000;
      const start = Date.now() - 10 * 60 * 1000;
      const records: DeliveryRecord[] = Array.from({ length: burst }, (_, n) => ({
        key: `${REPO}:${SHA(n)}`,
        deliveryId: `burst-${n}`,
        recordedAt: new Date(start + n * 20).toISOString(),
        attempt: 1,
        leaseExpiresAt: null,
        completedAt: null,
        outcome: null,
      }));
      await h().damage.seed(records);
      const redeliverOldest = async (store: ReleaseStore) => {
        let claimedAgain = 0;
        for (let n = 0; n < 300; n++) {
          const result = await store.deliveries.claim({ ...KEY(n), deliveryId: `burst-${n}` });
          if (result.claimed || !result.redelivery) claimedAgain++;
        }
        return claimedAgain;
      };
      const worker = await reopen();
      expect(await redeliverOldest(worker)).toBe(0);
      // A new claim: where a pass is due (the file store's bookkeeping says so), it starts one in
      // the background; close() waits for it.
      expect((await claim(burst, 'fresh', {}, worker)).claimed).toBe(true);
      await worker.close();
      const limit = defaultLimit(h(), burst + 1);
      expect(await h().store.deliveries.prune()).toEqual({ removed: 0, kept: burst + 1, limit });
      expect(await redeliverOldest(h().store)).toBe(0);
      expect(await h().store.deliveries.tally()).toEqual({ entries: burst + 1, damaged: 0, limit });
      if (limit !== null) expect(limit.exceeded).toBe(true);
    }, 120_000);

    it('never prunes a running lease: a claim taken over at day 29.99 survives a day-30.01 pass', async () => {
      expect((await claim(1, 'first', { leaseMs: 50 })).claimed).toBe(true);
      await sleep(120);
      const taken = await claim(1, 'second', { leaseMs: 60_000 });
      expect(taken).toMatchObject({ claimed: true, takeover: true, record: { attempt: 2 } });
      // First recorded 30.01 days ago; the new lease still runs.
      await h().damage.backdate(KEY(1), 30.01 * DAY);
      expect(await h().store.deliveries.prune()).toMatchObject({ removed: 0, kept: 1 });
      expect((await claim(1, 'third')).claimed).toBe(false);
      const done = await h().store.deliveries.complete({ ...KEY(1), deliveryId: 'second', attempt: 2, outcome: 'ok' });
      expect(done).toMatchObject({ attempt: 2, outcome: 'ok' });
      // Completed, it ages from its completion: still kept.
      expect(await h().store.deliveries.prune()).toMatchObject({ removed: 0, kept: 1 });

      // An ended lease of the same age is an old claim like any other: pruned.
      expect((await claim(2, 'died', { leaseMs: 50 })).claimed).toBe(true);
      await sleep(120);
      await h().damage.backdate(KEY(2), 30.01 * DAY);
      expect(await h().store.deliveries.prune()).toMatchObject({ removed: 1, kept: 1 });
      expect(await h().store.deliveries.has(KEY(2))).toBe(false);
    });

    it('never prunes a damaged entry: it stays for booty state check and reset', async () => {
      for (const n of [1, 2]) await claim(n, `d${n}`);
      for (const n of [1, 2]) await h().damage.backdate(KEY(n), 40 * DAY);
      await h().damage.corruptDelivery(KEY(2));
      expect(await h().store.deliveries.prune()).toMatchObject({ removed: 1, kept: 0 });
      const report = await h().store.check();
      expect(report.problems).toHaveLength(1);
      expect(report.problems[0]?.target).toContain(SHA(2).slice(0, 12));
      expect(await h().store.reset('deliveries')).toMatchObject({ part: 'deliveries', repaired: 1 });
    });
  });
}
