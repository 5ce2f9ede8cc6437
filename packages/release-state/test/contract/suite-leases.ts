// The store contract suite, continued: leases. A running lease holds against other deliveries,
// an ended one is taken over by exactly one caller, a completed claim is final, and `complete` is
// refused to anyone but the current holder. Short real leases on the real clock. Run by
// `describeStoreContract` (suite.ts) for every backend.
import type { ClaimResult } from '../../src/shared/contract-deliveries';
import { failure } from '../expect-state-error';
import { KEY, type SuiteContext } from './harness';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const LEASE_MS = 400;

export function describeLeaseContract(context: SuiteContext): void {
  const { claim, reopen } = context;
  const h = () => context.h;

  describe('leases', () => {
    it('a lease holds against early claims, then exactly one racing caller takes it over', async () => {
      const before = Date.now();
      const first = await claim(1, 'holder', { leaseMs: LEASE_MS });
      expect(first.claimed).toBe(true);
      expect(first.record.attempt).toBe(1);
      const ends = Date.parse(first.record.leaseExpiresAt ?? '');
      expect(ends).toBeGreaterThanOrEqual(before + LEASE_MS - 5);
      expect(ends).toBeLessThanOrEqual(Date.now() + LEASE_MS + 5);
      const early = await claim(1, 'early', { leaseMs: LEASE_MS });
      expect(early).toEqual({ claimed: false, redelivery: false, takeover: false, record: first.record });

      await sleep(LEASE_MS + 100);
      const other = await reopen();
      const racers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          claim(1, `racer-${i}`, { leaseMs: 60_000 }, i % 2 === 0 ? h().store : other),
        ),
      );
      const winners = racers.filter((r) => r.claimed);
      expect(winners).toHaveLength(1);
      const winner = winners[0] as ClaimResult;
      expect(winner.takeover).toBe(true);
      expect(winner.record.attempt).toBe(2);
      expect(winner.record.deliveryId).toMatch(/^racer-/);
      for (const r of racers.filter((x) => !x.claimed)) {
        expect(r.takeover).toBe(false);
        expect(r.record).toEqual(winner.record);
      }
      expect(await h().store.deliveries.get(KEY(1))).toEqual(winner.record);

      const lost = await failure(
        h().store.deliveries.complete({ ...KEY(1), deliveryId: 'holder', outcome: 'allowed' }),
      );
      expect(lost.code).toBe('STATE_LEASE_LOST');
      const done = await other.deliveries.complete({
        ...KEY(1),
        deliveryId: winner.record.deliveryId,
        attempt: 2,
        outcome: 'allowed',
      });
      expect(done).toMatchObject({
        attempt: 2,
        leaseExpiresAt: null,
        outcome: 'allowed',
        completedAt: expect.any(String),
      });
      expect(await h().store.deliveries.count()).toBe(1);
    });

    it('a completed claim is final: no takeover after the lease time has passed', async () => {
      const first = await claim(1, 'holder', { leaseMs: LEASE_MS / 2 });
      const done = await h().store.deliveries.complete({ ...KEY(1), deliveryId: 'holder', outcome: 'held' });
      expect(done).toEqual({
        ...first.record,
        leaseExpiresAt: null,
        completedAt: expect.any(String),
        outcome: 'held',
      });
      await sleep(LEASE_MS / 2 + 100);
      const later = await Promise.all([claim(1, 'a', { leaseMs: LEASE_MS }), claim(1, 'b')]);
      for (const r of later) expect(r).toEqual({ claimed: false, redelivery: false, takeover: false, record: done });
      // Completing again (a retry whose reply was lost) returns the final record unchanged.
      expect(await h().store.deliveries.complete({ ...KEY(1), deliveryId: 'holder', outcome: 'other' })).toEqual(done);
    });

    it('without leaseMs a claim is final, and complete still records the outcome', async () => {
      const first = await claim(1, 'final');
      expect(first.record.leaseExpiresAt).toBeNull();
      await sleep(50);
      expect((await claim(1, 'again', { leaseMs: 10 })).claimed).toBe(false);
      const done = await h().store.deliveries.complete({ ...KEY(1), deliveryId: 'final' });
      expect(done).toMatchObject({ deliveryId: 'final', attempt: 1, completedAt: expect.any(String), outcome: null });
    });

    it('complete by a delivery that never held the claim, with a stale attempt, or for no claim is STATE_LEASE_LOST', async () => {
      await claim(1, 'holder', { leaseMs: 60_000 });
      expect((await failure(h().store.deliveries.complete({ ...KEY(1), deliveryId: 'stranger' }))).code).toBe(
        'STATE_LEASE_LOST',
      );
      expect((await failure(h().store.deliveries.complete({ ...KEY(1), deliveryId: 'holder', attempt: 2 }))).code).toBe(
        'STATE_LEASE_LOST',
      );
      expect((await failure(h().store.deliveries.complete({ ...KEY(9), deliveryId: 'holder' }))).code).toBe(
        'STATE_LEASE_LOST',
      );
      expect(await h().store.deliveries.get(KEY(1))).toMatchObject({ deliveryId: 'holder', completedAt: null });
    });

    it('the holder may still complete after its lease ended when nobody took over', async () => {
      await claim(1, 'slow', { leaseMs: 50 });
      await sleep(120);
      const completed = await h().store.deliveries.complete({
        ...KEY(1),
        deliveryId: 'slow',
        attempt: 1,
        outcome: 'allowed',
      });
      expect(completed).toMatchObject({ attempt: 1, outcome: 'allowed' });
      expect((await claim(1, 'next', { leaseMs: 50 })).claimed).toBe(false);
    });

    it('the same delivery retried after its own lease ended takes over, with the next attempt', async () => {
      await claim(1, 'same', { leaseMs: 50 });
      await sleep(120);
      const retry = await claim(1, 'same', { leaseMs: 60_000 });
      expect(retry).toMatchObject({ claimed: true, takeover: true, record: { deliveryId: 'same', attempt: 2 } });
    });
  });
}
