// The store contract suite, continued: what a store says it is, the first claim of a key and
// every later one (has, get, count, across handles), and the input every call refuses. Run by
// `describeStoreContract` (suite.ts) for every backend.
import { failure } from '../expect-state-error';
import { KEY, REPO, SHA, type SuiteContext } from './harness';

const DAY = 24 * 60 * 60 * 1000;

export function describeClaimContract(context: SuiteContext): void {
  const { claim, reopen } = context;
  const h = () => context.h;

  describe('identity', () => {
    it('says which backend and where, without secrets', () => {
      expect(['file', 'postgres']).toContain(h().store.kind);
      expect(typeof h().store.location).toBe('string');
      expect(h().store.location).not.toBe('');
      expect(h().store.location).not.toMatch(/:[^/:@]+@/);
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
      expect(await h().store.deliveries.get(KEY(1))).toEqual(first.record);
      expect(await h().store.deliveries.has(KEY(1))).toBe(true);
      expect(await h().store.deliveries.has(KEY(2))).toBe(false);
      expect(await h().store.deliveries.get(KEY(2))).toBeNull();
      expect(await h().store.deliveries.count()).toBe(1);
    });

    it('folds an upper-case SHA to one key', async () => {
      await h().store.deliveries.claim({ repo: REPO, headSha: SHA(0xabc).toUpperCase(), deliveryId: 'g' });
      expect(await h().store.deliveries.has(KEY(0xabc))).toBe(true);
      expect((await claim(0xabc, 'h')).claimed).toBe(false);
    });

    it('gives exactly one winner per key among racing callers on two handles', async () => {
      const other = await reopen();
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => claim(i % 3, `d-${i}`, {}, i % 2 === 0 ? h().store : other)),
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
      const error = await failure(h().store.deliveries.claim(input as never));
      expect(error.code).toBe('STATE_INVALID_INPUT');
      expect(error.details.field).toBe(field);
      expect(await h().store.deliveries.count()).toBe(0);
    });

    it('refuses bad keys in has/get/release/complete and a bad outcome, changing nothing', async () => {
      await claim(1, 'g');
      for (const call of [
        () => h().store.deliveries.has({ repo: 'nope', headSha: SHA(1) }),
        () => h().store.deliveries.get({ repo: REPO, headSha: 'short' }),
        () => h().store.deliveries.release({ repo: REPO, headSha: 'short' }),
        () => h().store.deliveries.complete({ ...KEY(1), deliveryId: 'g', outcome: 'ok\u001b[2J' }),
        () => h().store.deliveries.complete({ ...KEY(1), deliveryId: 'g', outcome: 'x'.repeat(201) }),
        () => h().store.deliveries.complete({ ...KEY(1), deliveryId: 'g', attempt: 0 }),
        () => h().store.deliveries.list({ limit: 0 }),
        () => h().store.deliveries.list({ repo: 'not a repo' }),
      ]) {
        expect((await failure(call())).code).toBe('STATE_INVALID_INPUT');
      }
      expect(await h().store.deliveries.get(KEY(1))).toMatchObject({ completedAt: null, outcome: null });
    });

    it('refuses an updateState that is not a function, or returns no state', async () => {
      expect((await failure(h().store.updateState(undefined as never))).code).toBe('STATE_INVALID_INPUT');
      expect((await failure(h().store.updateState(() => 42 as never))).code).toBe('STATE_INVALID_INPUT');
      const refused = await failure(h().store.updateState((s) => ({ ...s, production_sha_current: 'main' })));
      expect(refused.details.field).toBe('production_sha_current');
      expect((await h().store.readState()).production_sha_current).toBeNull();
    });

    it('refuses a reset of an unknown part', async () => {
      expect((await failure(h().store.reset('everything' as never))).code).toBe('STATE_INVALID_INPUT');
    });
  });
}
