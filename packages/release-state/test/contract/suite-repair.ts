// The store contract suite, continued: damage, check and reset; snapshot, restore and copyStore;
// close. Run by `describeStoreContract` (suite.ts) inside its describe block, for every backend.
import { copyStore } from '../../src/copy';
import type { DeliveryRecord } from '../../src/shared/contract-deliveries';
import { failure } from '../expect-state-error';
import { defaultLimit, KEY, SHA, type SuiteContext } from './harness';

export function describeRepairContract(context: SuiteContext): void {
  const { another, claim } = context;
  /** What check() says of a healthy store holding `deliveries` young claims. */
  const healthy = (deliveries: number) => ({
    healthy: true,
    problems: [],
    deliveries,
    limit: defaultLimit(context.h, deliveries),
  });
  // The running test's store: the suite opens a fresh one for each test.
  const h = {
    get store() {
      return context.h.store;
    },
    get damage() {
      return context.h.damage;
    },
    reopen: () => context.h.reopen(),
  };

  describe('corrupt data, check and reset', () => {
    it('check on a healthy store finds nothing, and reset refuses', async () => {
      await claim(1, 'd1');
      expect(await h.store.check()).toEqual(healthy(1));
      for (const part of ['release', 'deliveries'] as const) {
        const error = await failure(h.store.reset(part));
        expect(error.code).toBe('STATE_INVALID_INPUT');
        expect(error.details.reason).toBe('nothing-to-reset');
      }
      expect(await h.store.deliveries.count()).toBe(1);
    });

    it('damaged release state: reads fail naming the repair, check names it, reset repairs it', async () => {
      await claim(1, 'd1');
      await h.damage.corruptRelease();
      const read = await failure(h.store.readState());
      expect(read.code).toBe('STATE_CORRUPT');
      expect(read.message).toContain('booty state reset release');
      expect(read.message).not.toContain('store.reset');
      expect((await failure(h.store.updateState((s) => s))).code).toBe('STATE_CORRUPT');
      expect((await failure(h.store.snapshot())).code).toBe('STATE_CORRUPT');

      const report = await h.store.check();
      expect(report.healthy).toBe(false);
      expect(report.deliveries).toBe(1);
      const anything = expect.any(String);
      const expected = {
        part: 'release',
        target: anything,
        reason: anything,
        message: anything,
        repair: 'booty state reset release',
      };
      expect(report.problems).toEqual([expected]);
      expect(await h.store.check()).toEqual(report);
      expect((await failure(h.store.reset('deliveries'))).details.reason).toBe('nothing-to-reset');

      const result = await h.store.reset('release');
      expect(result).toEqual({ part: 'release', keptAt: [expect.any(String)], repaired: 1 });
      expect((await h.store.readState()).production_sha_current).toBeNull();
      expect(await h.store.check()).toEqual(healthy(1));
      expect(await h.store.deliveries.has(KEY(1))).toBe(true);
    });

    it('a damaged claim: its key fails naming the repair, check names it, reset moves only it aside', async () => {
      for (const n of [1, 2, 3]) await claim(n, `d${n}`);
      await h.store.updateState((s) => ({ ...s, production_sha_current: SHA(1) }));
      await h.damage.corruptDelivery(KEY(2));
      const got = await failure(h.store.deliveries.get(KEY(2)));
      expect(got.code).toBe('STATE_CORRUPT');
      expect(got.message).toContain('booty state reset deliveries');
      expect(got.message).not.toContain('store.reset');
      expect((await failure(claim(2, 'again'))).code).toBe('STATE_CORRUPT');
      // Forgetting it on purpose would lose what is left of it: only the reset keeps it.
      const forgot = await failure(h.store.deliveries.release(KEY(2)));
      expect(forgot.code).toBe('STATE_CORRUPT');
      expect(forgot.message).toContain('booty state reset deliveries');
      expect(await h.store.deliveries.has(KEY(1))).toBe(true);

      const report = await h.store.check();
      expect(report).toMatchObject({ healthy: false, deliveries: 2 });
      expect(report.problems).toHaveLength(1);
      expect(report.problems[0]).toMatchObject({ part: 'deliveries', repair: 'booty state reset deliveries' });
      expect(report.problems[0]?.target).toContain(SHA(2).slice(0, 12));

      const result = await h.store.reset('deliveries');
      expect(result.part).toBe('deliveries');
      expect(result.repaired).toBe(1);
      expect(result.keptAt.length).toBeGreaterThan(0);
      expect(await h.store.check()).toEqual(healthy(2));
      expect((await h.store.readState()).production_sha_current).toBe(SHA(1));
      expect(await h.store.deliveries.has(KEY(1))).toBe(true);
      expect(await h.store.deliveries.has(KEY(3))).toBe(true);
      expect((await claim(2, 'again')).claimed).toBe(true);
    });
  });

  describe('snapshot, restore and copyStore', () => {
    const populate = async () => {
      await claim(1, 'plain');
      await claim(2, 'leased', { leaseMs: 60_000 });
      await claim(3, 'done', { leaseMs: 60_000 });
      await h.store.deliveries.complete({ ...KEY(3), deliveryId: 'done', outcome: 'allowed' });
      await h.store.updateState((s) => ({
        ...s,
        production_sha_current: SHA(9),
        last_deploy_result: 'success',
        operator_notes: [{ sha: SHA(9), note: 'kept' }],
      }));
    };
    const byKey = (records: DeliveryRecord[]) => [...records].sort((a, b) => (a.key < b.key ? -1 : 1));

    it('a snapshot restored into an empty store keeps every claim field and the release state', async () => {
      await populate();
      const snap = await h.store.snapshot();
      expect(snap.deliveries).toHaveLength(3);
      expect(snap.state['operator_notes']).toEqual([{ sha: SHA(9), note: 'kept' }]);
      const target = await another();
      await target.store.restore(snap);
      const copied = await target.store.snapshot();
      expect(copied.state).toEqual(snap.state);
      expect(byKey(copied.deliveries)).toEqual(byKey(snap.deliveries));
      expect((await target.store.deliveries.claim({ ...KEY(2), deliveryId: 'x' })).claimed).toBe(false);
      const completed = await target.store.deliveries.complete({ ...KEY(2), deliveryId: 'leased', outcome: 'held' });
      expect(completed).toMatchObject({ outcome: 'held' });
    });

    it('restore refuses a non-empty target unless replace, and replace leaves exactly the snapshot', async () => {
      await populate();
      const snap = await h.store.snapshot();
      const target = await another();
      await target.store.deliveries.claim({ ...KEY(50), deliveryId: 'in-the-way' });
      const refused = await failure(target.store.restore(snap));
      expect(refused.code).toBe('STATE_INVALID_INPUT');
      expect(refused.details.reason).toBe('target-not-empty');
      expect(await target.store.deliveries.count()).toBe(1);
      await target.store.restore(snap, { replace: true });
      expect(await target.store.deliveries.has(KEY(50))).toBe(false);
      expect(byKey((await target.store.snapshot()).deliveries)).toEqual(byKey(snap.deliveries));

      const stateOnly = await another();
      await stateOnly.store.updateState((s) => ({ ...s, production_sha_previous: SHA(4) }));
      expect((await failure(stateOnly.store.restore(snap))).details.reason).toBe('target-not-empty');
    });

    it('copyStore copies everything and refuses a non-empty target unless replace', async () => {
      await populate();
      const target = await another();
      await copyStore(h.store, target.store);
      expect(byKey((await target.store.snapshot()).deliveries)).toEqual(byKey((await h.store.snapshot()).deliveries));
      expect((await failure(copyStore(h.store, target.store))).details.reason).toBe('target-not-empty');
      await copyStore(h.store, target.store, { replace: true });
      expect(await target.store.readState()).toEqual(await h.store.readState());
    });
  });

  describe('close', () => {
    it('closing twice is fine; any call afterwards is STATE_INVALID_INPUT', async () => {
      const other = await h.reopen();
      await other.close();
      await other.close();
      const calls = [
        () => other.readState(),
        () => other.deliveries.claim({ ...KEY(1), deliveryId: 'g' }),
        () => other.deliveries.count(),
        () => other.check(),
      ];
      for (const call of calls) {
        expect((await failure(call())).code).toBe('STATE_INVALID_INPUT');
      }
      expect(await h.store.deliveries.count()).toBe(0);
    });
  });
}
