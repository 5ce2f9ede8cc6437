// The store contract suite, continued: one key rule (owner and name without case, shared/input.ts),
// entries an earlier version kept under another spelling, and forgetting a claim (`release`): a
// running lease is refused unless forced, and a forgotten key stays forgotten in a copy of the
// stored data. Run by `describeStoreContract` (suite.ts) for every backend.
import type { ClaimResult, DeliveryRecord } from '../../src/shared/contract-deliveries';
import { failure } from '../expect-state-error';
import { KEY, SHA, type SuiteContext } from './harness';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function describeKeyContract(context: SuiteContext): void {
  const { claim, reopen, copy, another } = context;
  const h = () => context.h;

  describe('one key rule: owner and name differing only in case are one repository', () => {
    it('a claim of OCTO-ORG/APP at a claimed commit is no second win; every call finds it in any case', async () => {
      const first = await claim(1, 'first', { leaseMs: 60_000 });
      expect(first.record.key).toBe(`octo-org/app:${SHA(1)}`);
      const upper = { repo: 'OCTO-ORG/APP', headSha: SHA(1) };
      expect(await h().store.deliveries.claim({ ...upper, deliveryId: 'second' })).toEqual({
        claimed: false,
        redelivery: false,
        takeover: false,
        record: first.record,
      });
      expect(await h().store.deliveries.get(upper)).toEqual(first.record);
      expect(await h().store.deliveries.has({ repo: 'Octo-Org/App', headSha: SHA(1) })).toBe(true);
      expect(await h().store.deliveries.list({ repo: 'Octo-Org/APP' })).toEqual([first.record]);
      const done = await h().store.deliveries.complete({ ...upper, deliveryId: 'first', outcome: 'held' });
      expect(done).toMatchObject({ key: first.record.key, outcome: 'held' });
      expect(await h().store.deliveries.release({ repo: 'octo-ORG/app', headSha: SHA(1) })).toBe(true);
      expect(await h().store.deliveries.count()).toBe(0);
    });

    it('racing claims in two spellings on two handles make one winner', async () => {
      const other = await reopen();
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 === 0 ? h().store : other).deliveries.claim({
            repo: i % 3 === 0 ? 'Octo-Org/App' : 'octo-org/app',
            headSha: SHA(7),
            deliveryId: `d-${i}`,
          }),
        ),
      );
      expect(results.filter((r) => r.claimed)).toHaveLength(1);
      expect(await h().store.deliveries.count()).toBe(1);
    });

    it('an entry an earlier version stored under another spelling keeps working', async () => {
      const old: DeliveryRecord = {
        key: `Octo-Org/App:${SHA(5)}`,
        deliveryId: 'old',
        recordedAt: new Date(Date.now() - 60 * 60 * 1000).toISOString(),
        attempt: 1,
        leaseExpiresAt: null,
        completedAt: null,
        outcome: null,
      };
      await h().damage.seed([old, { ...old, key: `octo-org/other:${SHA(6)}`, deliveryId: 'other' }]);
      // Read before any write (a reader changes nothing), then claimed in other spellings.
      expect(await h().store.deliveries.get(KEY(5))).toEqual(old);
      expect(await h().store.deliveries.list({ repo: 'OCTO-ORG/APP' })).toEqual([old]);
      expect(await claim(5, 'new')).toEqual({ claimed: false, redelivery: false, takeover: false, record: old });
      const spelledAsBefore = { repo: 'Octo-Org/App', headSha: SHA(5) };
      const redelivered = await h().store.deliveries.claim({ ...spelledAsBefore, deliveryId: 'old' });
      expect(redelivered).toMatchObject({ claimed: false, redelivery: true });
      expect(await h().store.deliveries.get({ repo: 'OCTO-ORG/APP', headSha: SHA(5) })).toEqual(old);
      expect(await h().store.deliveries.count()).toBe(2);
      expect(await h().store.deliveries.release({ repo: 'OCTO-ORG/APP', headSha: SHA(5) })).toBe(true);
      expect((await claim(5, 'afresh')).claimed).toBe(true);
    });
  });

  describe('forget (release)', () => {
    it('refuses a claim whose lease is running, naming the holder and the lease end, unless forced', async () => {
      const held = await claim(1, 'worker-7', { leaseMs: 60_000 });
      const refused = await failure(h().store.deliveries.release(KEY(1)));
      expect(refused.code).toBe('STATE_LEASE_HELD');
      const holder = { deliveryId: 'worker-7', attempt: 1, leaseExpiresAt: held.record.leaseExpiresAt };
      expect(refused.details).toMatchObject({ reason: 'lease-held', ...holder });
      expect(refused.message).toContain('"worker-7"');
      expect(refused.message).toContain(held.record.leaseExpiresAt as string);
      expect(refused.message).toContain(`booty state claim forget octo-org/app ${SHA(1)} --force`);
      expect(await h().store.deliveries.get(KEY(1))).toEqual(held.record);

      expect(await h().store.deliveries.release({ ...KEY(1), force: true })).toBe(true);
      const late = await failure(h().store.deliveries.complete({ ...KEY(1), deliveryId: 'worker-7' }));
      expect(late.code).toBe('STATE_LEASE_LOST');
      expect((await claim(1, 'afresh')).claimed).toBe(true);
    });

    it('forgets an ended lease, a completed claim and a final one without force', async () => {
      await claim(1, 'died', { leaseMs: 50 });
      await claim(2, 'done', { leaseMs: 60_000 });
      await h().store.deliveries.complete({ ...KEY(2), deliveryId: 'done' });
      await claim(3, 'final');
      await sleep(120);
      for (const n of [1, 2, 3]) expect(await h().store.deliveries.release(KEY(n))).toBe(true);
      expect(await h().store.deliveries.count()).toBe(0);
    });

    it('refuses a force that is not true or false, forgetting nothing', async () => {
      await claim(1, 'final');
      const error = await failure(h().store.deliveries.release({ ...KEY(1), force: 'yes' as never }));
      expect(error.code).toBe('STATE_INVALID_INPUT');
      expect(error.details.field).toBe('force');
      expect(await h().store.deliveries.has(KEY(1))).toBe(true);
    });

    it('a forgotten claim stays forgotten in a copy of the data (cp -a, a restore) and in a snapshot', async () => {
      await claim(1, 'first');
      await claim(2, 'second');
      // A pass writes whatever copies the backend keeps (the file store's delivery_ids.json).
      await h().store.deliveries.prune();
      expect(await h().store.deliveries.release(KEY(1))).toBe(true);
      const copied = await copy();
      expect(await copied.deliveries.get(KEY(1))).toBeNull();
      expect(await copied.deliveries.count()).toBe(1);
      const redelivered: ClaimResult = await copied.deliveries.claim({ ...KEY(1), deliveryId: 'first' });
      expect(redelivered).toMatchObject({ claimed: true, record: { attempt: 1 } });
      expect(await copied.deliveries.has(KEY(2))).toBe(true);

      const target = await another();
      await target.store.restore(await h().store.snapshot());
      expect(await target.store.deliveries.has(KEY(1))).toBe(false);
      expect(await target.store.deliveries.has(KEY(2))).toBe(true);
    });
  });
}
