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
import type { ClaimResult, ReleaseStore } from '../../src/shared/contract';
import { failure } from '../expect-state-error';
import { defaultLimit, KEY, REPO, SHA, type ContractFactory, type ContractHarness } from './harness';
import { describeFenceContract } from './suite-fence';
import { describeKeyContract } from './suite-keys';
import { describePruningContract } from './suite-pruning';
import { describeRepairContract } from './suite-repair';
import { describeRepositoryContract } from './suite-repositories';

export type { ContractDamage, ContractFactory, ContractHarness } from './harness';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const LEASE_MS = 400;
const DAY = 24 * 60 * 60 * 1000;

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

    describe('identity', () => {
      it('says which backend and where, without secrets', () => {
        expect(['file', 'postgres']).toContain(h.store.kind);
        expect(typeof h.store.location).toBe('string');
        expect(h.store.location).not.toBe('');
        expect(h.store.location).not.toMatch(/:[^/:@]+@/);
      });
    });

    describe('claim, has, get, count', () => {
      it('records the first claim; later claims get the winner, redeliveries are told apart', async () => {
        const first = await claim(1, 'guid-1');
        expect(first).toEqual({
          claimed: true,
          redelivery: false,
          takeover: false,
          record: {
            key: `${REPO}:${SHA(1)}`,
            deliveryId: 'guid-1',
            recordedAt: expect.any(String),
            attempt: 1,
            leaseExpiresAt: null,
            completedAt: null,
            outcome: null,
          },
        });
        expect(Number.isNaN(Date.parse(first.record.recordedAt ?? ''))).toBe(false);
        expect(await claim(1, 'guid-1')).toEqual({
          claimed: false,
          redelivery: true,
          takeover: false,
          record: first.record,
        });
        expect(await claim(1, 'guid-2')).toEqual({
          claimed: false,
          redelivery: false,
          takeover: false,
          record: first.record,
        });
        expect(await h.store.deliveries.get(KEY(1))).toEqual(first.record);
        expect(await h.store.deliveries.has(KEY(1))).toBe(true);
        expect(await h.store.deliveries.has(KEY(2))).toBe(false);
        expect(await h.store.deliveries.get(KEY(2))).toBeNull();
        expect(await h.store.deliveries.count()).toBe(1);
      });

      it('folds an upper-case SHA to one key', async () => {
        await h.store.deliveries.claim({ repo: REPO, headSha: SHA(0xabc).toUpperCase(), deliveryId: 'g' });
        expect(await h.store.deliveries.has(KEY(0xabc))).toBe(true);
        expect((await claim(0xabc, 'h')).claimed).toBe(false);
      });

      it('gives exactly one winner per key among racing callers on two handles', async () => {
        const other = await reopen();
        const results = await Promise.all(
          Array.from({ length: 24 }, (_, i) => claim(i % 3, `d-${i}`, {}, i % 2 === 0 ? h.store : other)),
        );
        for (const n of [0, 1, 2]) {
          const forKey = results.filter((r) => r.record.key === `${REPO}:${SHA(n)}`);
          expect(forKey.filter((r) => r.claimed)).toHaveLength(1);
          const winner = forKey.find((r) => r.claimed)?.record;
          for (const r of forKey) expect(r.record).toEqual(winner);
        }
        expect(await other.deliveries.count()).toBe(3);
      });

      it('a claim made through one handle is seen through another', async () => {
        const other = await reopen();
        await claim(5, 'seen');
        expect(await other.deliveries.get(KEY(5))).toMatchObject({ deliveryId: 'seen', attempt: 1 });
        expect((await claim(5, 'late', {}, other)).claimed).toBe(false);
      });
    });

    describe('bad input', () => {
      it.each([
        [{ repo: 'octo', headSha: SHA(1), deliveryId: 'g' }, 'repo'],
        [{ repo: 'octo/app/x', headSha: SHA(1), deliveryId: 'g' }, 'repo'],
        [{ repo: 'octo/app', headSha: 'abc1234', deliveryId: 'g' }, 'headSha'],
        [{ repo: 'octo/app', headSha: SHA(1), deliveryId: '' }, 'deliveryId'],
        [{ repo: 'octo/app', headSha: SHA(1), deliveryId: 'a\nb' }, 'deliveryId'],
        [{ repo: 'octo/app', headSha: SHA(1), deliveryId: 'x'.repeat(201) }, 'deliveryId'],
        [{ repo: 'octo/app', headSha: SHA(1), deliveryId: 'g', leaseMs: 0 }, 'leaseMs'],
        [{ repo: 'octo/app', headSha: SHA(1), deliveryId: 'g', leaseMs: 1.5 }, 'leaseMs'],
        [{ repo: 'octo/app', headSha: SHA(1), deliveryId: 'g', leaseMs: 8 * DAY }, 'leaseMs'],
        [{ repo: 'octo/app', headSha: SHA(1), deliveryId: 'g', leaseMs: '100' }, 'leaseMs'],
      ])('claim refuses %j as STATE_INVALID_INPUT naming %s, and records nothing', async (input, field) => {
        const error = await failure(h.store.deliveries.claim(input as never));
        expect(error.code).toBe('STATE_INVALID_INPUT');
        expect(error.details.field).toBe(field);
        expect(await h.store.deliveries.count()).toBe(0);
      });

      it('refuses bad keys in has/get/release/complete and a bad outcome, changing nothing', async () => {
        await claim(1, 'g');
        for (const call of [
          () => h.store.deliveries.has({ repo: 'nope', headSha: SHA(1) }),
          () => h.store.deliveries.get({ repo: REPO, headSha: 'short' }),
          () => h.store.deliveries.release({ repo: REPO, headSha: 'short' }),
          () => h.store.deliveries.complete({ ...KEY(1), deliveryId: 'g', outcome: 'ok\u001b[2J' }),
          () => h.store.deliveries.complete({ ...KEY(1), deliveryId: 'g', outcome: 'x'.repeat(201) }),
          () => h.store.deliveries.complete({ ...KEY(1), deliveryId: 'g', attempt: 0 }),
          () => h.store.deliveries.list({ limit: 0 }),
          () => h.store.deliveries.list({ repo: 'not a repo' }),
        ]) {
          expect((await failure(call())).code).toBe('STATE_INVALID_INPUT');
        }
        expect(await h.store.deliveries.get(KEY(1))).toMatchObject({ completedAt: null, outcome: null });
      });

      it('refuses an updateState that is not a function, or returns no state', async () => {
        expect((await failure(h.store.updateState(undefined as never))).code).toBe('STATE_INVALID_INPUT');
        expect((await failure(h.store.updateState(() => 42 as never))).code).toBe('STATE_INVALID_INPUT');
        const refused = await failure(h.store.updateState((s) => ({ ...s, production_sha_current: 'main' })));
        expect(refused.details.field).toBe('production_sha_current');
        expect((await h.store.readState()).production_sha_current).toBeNull();
      });

      it('refuses a reset of an unknown part', async () => {
        expect((await failure(h.store.reset('everything' as never))).code).toBe('STATE_INVALID_INPUT');
      });
    });

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
            claim(1, `racer-${i}`, { leaseMs: 60_000 }, i % 2 === 0 ? h.store : other),
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
        expect(await h.store.deliveries.get(KEY(1))).toEqual(winner.record);

        const lost = await failure(
          h.store.deliveries.complete({ ...KEY(1), deliveryId: 'holder', outcome: 'allowed' }),
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
        expect(await h.store.deliveries.count()).toBe(1);
      });

      it('a completed claim is final: no takeover after the lease time has passed', async () => {
        const first = await claim(1, 'holder', { leaseMs: LEASE_MS / 2 });
        const done = await h.store.deliveries.complete({ ...KEY(1), deliveryId: 'holder', outcome: 'held' });
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
        expect(await h.store.deliveries.complete({ ...KEY(1), deliveryId: 'holder', outcome: 'other' })).toEqual(done);
      });

      it('without leaseMs a claim is final, and complete still records the outcome', async () => {
        const first = await claim(1, 'final');
        expect(first.record.leaseExpiresAt).toBeNull();
        await sleep(50);
        expect((await claim(1, 'again', { leaseMs: 10 })).claimed).toBe(false);
        const done = await h.store.deliveries.complete({ ...KEY(1), deliveryId: 'final' });
        expect(done).toMatchObject({ deliveryId: 'final', attempt: 1, completedAt: expect.any(String), outcome: null });
      });

      it('complete by a delivery that never held the claim, with a stale attempt, or for no claim is STATE_LEASE_LOST', async () => {
        await claim(1, 'holder', { leaseMs: 60_000 });
        expect((await failure(h.store.deliveries.complete({ ...KEY(1), deliveryId: 'stranger' }))).code).toBe(
          'STATE_LEASE_LOST',
        );
        expect((await failure(h.store.deliveries.complete({ ...KEY(1), deliveryId: 'holder', attempt: 2 }))).code).toBe(
          'STATE_LEASE_LOST',
        );
        expect((await failure(h.store.deliveries.complete({ ...KEY(9), deliveryId: 'holder' }))).code).toBe(
          'STATE_LEASE_LOST',
        );
        expect(await h.store.deliveries.get(KEY(1))).toMatchObject({ deliveryId: 'holder', completedAt: null });
      });

      it('the holder may still complete after its lease ended when nobody took over', async () => {
        await claim(1, 'slow', { leaseMs: 50 });
        await sleep(120);
        const completed = await h.store.deliveries.complete({
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

    describe('release', () => {
      it('forgets a claim on purpose, so the next delivery is evaluated afresh', async () => {
        await claim(1, 'first');
        await claim(2, 'keep');
        expect(await h.store.deliveries.release(KEY(1))).toBe(true);
        expect(await h.store.deliveries.has(KEY(1))).toBe(false);
        expect(await h.store.deliveries.release(KEY(1))).toBe(false);
        const again = await claim(1, 'second');
        expect(again).toMatchObject({ claimed: true, takeover: false, record: { deliveryId: 'second', attempt: 1 } });
        expect(await h.store.deliveries.has(KEY(2))).toBe(true);
        expect(await h.store.deliveries.count()).toBe(2);
      });
    });

    describe('list and tally', () => {
      it('lists newest first, filters by repository (any case) and limits', async () => {
        await claim(1, 'one');
        await sleep(15);
        await claim(2, 'two', { repo: 'other/repo' });
        await sleep(15);
        await claim(3, 'three', { leaseMs: 60_000 });
        const all = await h.store.deliveries.list();
        expect(all.map((r) => r.deliveryId)).toEqual(['three', 'two', 'one']);
        expect(all[0]).toMatchObject({
          attempt: 1,
          leaseExpiresAt: expect.any(String),
          completedAt: null,
          outcome: null,
        });
        expect((await h.store.deliveries.list({ repo: 'OCTO-ORG/App' })).map((r) => r.deliveryId)).toEqual([
          'three',
          'one',
        ]);
        expect((await h.store.deliveries.list({ limit: 2 })).map((r) => r.deliveryId)).toEqual(['three', 'two']);
        expect(await h.store.deliveries.list({ repo: 'nobody/here' })).toEqual([]);
      });

      it('tallies healthy and damaged entries, never counting a damaged one as a delivery', async () => {
        expect(await h.store.deliveries.tally()).toEqual({ entries: 0, damaged: 0, limit: defaultLimit(h, 0) });
        for (const n of [1, 2, 3]) await claim(n, `d${n}`);
        expect(await h.store.deliveries.tally()).toEqual({ entries: 3, damaged: 0, limit: defaultLimit(h, 3) });
        await h.damage.corruptDelivery(KEY(2));
        expect(await h.store.deliveries.tally()).toEqual({ entries: 2, damaged: 1, limit: defaultLimit(h, 2) });
        expect(await h.store.deliveries.count()).toBe(2);
      });
    });

    describe('prune', () => {
      it('removes claims older than the retention by their recorded time, keeps the rest', async () => {
        for (const n of [1, 2, 3]) await claim(n, `d${n}`);
        expect(await h.store.deliveries.prune()).toEqual({ removed: 0, kept: 3, limit: defaultLimit(h, 3) });
        await h.damage.backdate(KEY(2), 40 * DAY);
        expect(await h.store.deliveries.prune()).toEqual({ removed: 1, kept: 2, limit: defaultLimit(h, 2) });
        expect(await h.store.deliveries.has(KEY(2))).toBe(false);
        expect(await h.store.deliveries.has(KEY(1))).toBe(true);
        expect((await claim(2, 'fresh')).claimed).toBe(true);
      });
    });

    describe('readState and updateState', () => {
      it('starts as the skeleton: every field null', async () => {
        expect(await h.store.readState()).toMatchObject({
          production_sha_current: null,
          production_sha_previous: null,
          last_deploy_attempt_sha: null,
          last_deploy_time: null,
          last_deploy_result: null,
          last_health_check: null,
        });
      });

      it('writes the next state, keeps unknown fields, and another handle reads it', async () => {
        const next = await h.store.updateState((s) => ({
          ...s,
          production_sha_current: SHA(7),
          last_deploy_result: 'success',
          operator_notes: [{ sha: SHA(7) }],
        }));
        expect(next).toMatchObject({
          production_sha_current: SHA(7),
          last_deploy_result: 'success',
          operator_notes: [{ sha: SHA(7) }],
        });
        const other = await reopen();
        expect(await other.readState()).toEqual(next);
        await other.updateState((s) => ({ ...s, last_deploy_attempt_sha: SHA(8) }));
        expect(await h.store.readState()).toMatchObject({
          last_deploy_attempt_sha: SHA(8),
          operator_notes: [{ sha: SHA(7) }],
        });
      });

      it('passes a throwing callback through and writes nothing', async () => {
        const boom = new Error('boom');
        await expect(h.store.updateState(() => Promise.reject(boom))).rejects.toBe(boom);
        expect((await h.store.readState()).production_sha_current).toBeNull();
      });

      it('runs concurrent read-modify-writes from two handles one at a time', async () => {
        const other = await reopen();
        await h.store.updateState((s) => ({ ...s, counter: 0 }));
        await Promise.all(
          Array.from({ length: 16 }, (_, i) =>
            (i % 2 === 0 ? h.store : other).updateState(async (s) => ({ ...s, counter: (s['counter'] as number) + 1 })),
          ),
        );
        expect((await h.store.readState())['counter']).toBe(16);
      });
    });

    const context = {
      get h() {
        return h;
      },
      another,
      reopen,
      copy,
      claim,
    };
    describePruningContract(context);
    describeKeyContract(context);
    describeRepairContract(context);
    describeFenceContract(context);
    describeRepositoryContract(context);
  });
}
