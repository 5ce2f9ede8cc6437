// The store contract suite, continued: the recorded claims as a whole. Forgetting one on purpose
// (`release`), listing and tallying them, and pruning them by their recorded time. Run by
// `describeStoreContract` (suite.ts) for every backend.
import { defaultLimit, KEY, type SuiteContext } from './harness';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const DAY = 24 * 60 * 60 * 1000;

export function describeLedgerContract(context: SuiteContext): void {
  const { claim } = context;
  const h = () => context.h;

  describe('release', () => {
    it('forgets a claim on purpose, so the next delivery is evaluated afresh', async () => {
      await claim(1, 'first');
      await claim(2, 'keep');
      expect(await h().store.deliveries.release(KEY(1))).toBe(true);
      expect(await h().store.deliveries.has(KEY(1))).toBe(false);
      expect(await h().store.deliveries.release(KEY(1))).toBe(false);
      const again = await claim(1, 'second');
      expect(again).toMatchObject({ claimed: true, takeover: false, record: { deliveryId: 'second', attempt: 1 } });
      expect(await h().store.deliveries.has(KEY(2))).toBe(true);
      expect(await h().store.deliveries.count()).toBe(2);
    });
  });

  describe('list and tally', () => {
    it('lists newest first, filters by repository (any case) and limits', async () => {
      await claim(1, 'one');
      await sleep(15);
      await claim(2, 'two', { repo: 'other/repo' });
      await sleep(15);
      await claim(3, 'three', { leaseMs: 60_000 });
      const all = await h().store.deliveries.list();
      expect(all.map((r) => r.deliveryId)).toEqual(['three', 'two', 'one']);
      expect(all[0]).toMatchObject({
        attempt: 1,
        leaseExpiresAt: expect.any(String),
        completedAt: null,
        outcome: null,
      });
      expect((await h().store.deliveries.list({ repo: 'OCTO-ORG/App' })).map((r) => r.deliveryId)).toEqual([
        'three',
        'one',
      ]);
      expect((await h().store.deliveries.list({ limit: 2 })).map((r) => r.deliveryId)).toEqual(['three', 'two']);
      expect(await h().store.deliveries.list({ repo: 'nobody/here' })).toEqual([]);
    });

    it('tallies healthy and damaged entries, never counting a damaged one as a delivery', async () => {
      expect(await h().store.deliveries.tally()).toEqual({ entries: 0, damaged: 0, limit: defaultLimit(h(), 0) });
      for (const n of [1, 2, 3]) await claim(n, `d${n}`);
      expect(await h().store.deliveries.tally()).toEqual({ entries: 3, damaged: 0, limit: defaultLimit(h(), 3) });
      await h().damage.corruptDelivery(KEY(2));
      expect(await h().store.deliveries.tally()).toEqual({ entries: 2, damaged: 1, limit: defaultLimit(h(), 2) });
      expect(await h().store.deliveries.count()).toBe(2);
    });
  });

  describe('prune', () => {
    it('removes claims older than the retention by their recorded time, keeps the rest', async () => {
      for (const n of [1, 2, 3]) await claim(n, `d${n}`);
      expect(await h().store.deliveries.prune()).toEqual({ removed: 0, kept: 3, limit: defaultLimit(h(), 3) });
      await h().damage.backdate(KEY(2), 40 * DAY);
      expect(await h().store.deliveries.prune()).toEqual({ removed: 1, kept: 2, limit: defaultLimit(h(), 2) });
      expect(await h().store.deliveries.has(KEY(2))).toBe(false);
      expect(await h().store.deliveries.has(KEY(1))).toBe(true);
      expect((await claim(2, 'fresh')).claimed).toBe(true);
    });
  });
}
