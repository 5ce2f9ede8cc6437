// The store contract suite, continued: what a claim's holder does while it works, on every
// backend. Renewing its lease (`deliveries.extend`), listing claims by where they stand (what a
// sweeper looks for), and the release state written under the claim (`updateState(fn, { claim,
// complete })`): made only by the current holder, under the claim's lock (a takeover waits for it),
// and with `complete` all or nothing with the completion. Run by `describeStoreContract` (suite.ts).
import type { ClaimStanding, FencedClaim } from '../../src/shared/contract-deliveries';
import type { ReleaseState } from '../../src/shared/release-state';
import { failure } from '../expect-state-error';
import { KEY, REPO, SHA, type SuiteContext } from './harness';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function describeFenceContract(context: SuiteContext): void {
  const { claim, reopen } = context;
  const h = () => context.h;
  const fence = (n: number, deliveryId: string, attempt: number): FencedClaim => ({ ...KEY(n), deliveryId, attempt });
  /** The state of a deploy of commit `n` under way. */
  const deploying =
    (n: number) =>
    (state: ReleaseState): ReleaseState => ({
      ...state,
      last_deploy_attempt_sha: SHA(n),
      last_deploy_result: 'pending',
    });
  const extend = (claimed: FencedClaim, leaseMs: number) => h().store.deliveries.extend({ ...claimed, leaseMs });

  describe('renewing a lease (extend)', () => {
    it('moves the holder’s lease end to leaseMs from now, so it holds past its first end', async () => {
      const first = await claim(1, 'holder', { leaseMs: 300 });
      const before = Date.now();
      const renewed = await h().store.deliveries.extend({ ...fence(1, 'holder', 1), leaseMs: 60_000 });
      expect(renewed).toEqual({ ...first.record, leaseExpiresAt: expect.any(String) });
      const ends = Date.parse(renewed.leaseExpiresAt ?? '');
      expect(ends).toBeGreaterThanOrEqual(before + 60_000 - 5);
      expect(ends).toBeLessThanOrEqual(Date.now() + 60_000 + 5);
      expect(await h().store.deliveries.get(KEY(1))).toEqual(renewed);
      await sleep(400);
      // Past the first end: without the renewal this claim would take it over.
      expect(await claim(1, 'late', { leaseMs: 300 })).toMatchObject({ claimed: false, record: renewed });
      // Shorter is allowed too (the lease ends leaseMs from now): then it can be taken over.
      await h().store.deliveries.extend({ ...fence(1, 'holder', 1), leaseMs: 1 });
      await sleep(20);
      const taken = await claim(1, 'late', { leaseMs: 300 });
      expect(taken).toMatchObject({ claimed: true, takeover: true, record: { attempt: 2 } });
    });

    it('works after the lease ended while nobody took it over, as complete does', async () => {
      await claim(1, 'slow', { leaseMs: 50 });
      await sleep(120);
      const renewed = await h().store.deliveries.extend({ ...fence(1, 'slow', 1), leaseMs: 60_000 });
      expect(Date.parse(renewed.leaseExpiresAt ?? '')).toBeGreaterThan(Date.now() + 50_000);
      expect((await claim(1, 'next', { leaseMs: 50 })).claimed).toBe(false);
    });

    it('is STATE_LEASE_LOST, changing nothing, once taken over, completed, released, or another’s', async () => {
      await claim(1, 'old', { leaseMs: 50 });
      await sleep(120);
      const taken = await claim(1, 'new', { leaseMs: 60_000 });
      const lost = await failure(h().store.deliveries.extend({ ...fence(1, 'old', 1), leaseMs: 60_000 }));
      expect(lost.code).toBe('STATE_LEASE_LOST');
      expect(lost.message).toContain('attempt 2');
      expect(lost.message).toContain(`booty state claim show ${REPO} ${SHA(1)}`);
      expect(lost.details).toMatchObject({ deliveryId: 'new', attempt: 2 });
      // The same delivery id at a stale attempt (GitHub redelivered it to the taker) is no holder either.
      expect((await failure(extend(fence(1, 'new', 1), 60_000))).code).toBe('STATE_LEASE_LOST');
      expect(await h().store.deliveries.get(KEY(1))).toEqual(taken.record);

      await h().store.deliveries.complete({ ...fence(1, 'new', 2), outcome: 'allowed' });
      const done = await h().store.deliveries.get(KEY(1));
      const completed = await failure(h().store.deliveries.extend({ ...fence(1, 'new', 2), leaseMs: 60_000 }));
      expect([completed.code, completed.message]).toEqual(['STATE_LEASE_LOST', expect.stringContaining('completed')]);
      expect(await h().store.deliveries.get(KEY(1))).toEqual(done);

      await claim(2, 'gone', { leaseMs: 60_000 });
      await h().store.deliveries.release({ ...KEY(2), force: true });
      expect((await failure(extend(fence(2, 'gone', 1), 1000))).code).toBe('STATE_LEASE_LOST');
      expect(await h().store.deliveries.has(KEY(2))).toBe(false);
    });

    it('refuses a final claim (it has no lease) and bad input as STATE_INVALID_INPUT naming the field', async () => {
      await claim(1, 'final');
      const final = await failure(h().store.deliveries.extend({ ...fence(1, 'final', 1), leaseMs: 1000 }));
      expect([final.code, final.details.field]).toEqual(['STATE_INVALID_INPUT', 'leaseMs']);
      expect(await h().store.deliveries.get(KEY(1))).toMatchObject({ leaseExpiresAt: null });
      await claim(2, 'held', { leaseMs: 60_000 });
      for (const [input, field] of [
        [{ ...KEY(2), deliveryId: 'held', leaseMs: 1000 }, 'attempt'],
        [{ ...fence(2, 'held', 1) }, 'leaseMs'],
        [{ ...fence(2, 'held', 1), leaseMs: 0 }, 'leaseMs'],
        [{ ...fence(2, 'held', 0), leaseMs: 1000 }, 'attempt'],
        [{ ...fence(2, '', 1), leaseMs: 1000 }, 'deliveryId'],
      ] as const) {
        const error = await failure(h().store.deliveries.extend(input as never));
        expect([error.code, error.details.field]).toEqual(['STATE_INVALID_INPUT', field]);
      }
    });
  });

  describe('claims by standing', () => {
    it('lists leased, expired, completed and final claims apart, with the repository filter', async () => {
      await claim(1, 'expired', { leaseMs: 50 });
      await claim(2, 'leased', { leaseMs: 60_000 });
      await claim(3, 'completed', { leaseMs: 60_000 });
      await h().store.deliveries.complete({ ...fence(3, 'completed', 1) });
      await claim(4, 'final');
      await claim(5, 'elsewhere', { leaseMs: 50, repo: 'other/repo' });
      await sleep(120);
      const ids = async (standing: ClaimStanding, repo?: string) => {
        const listed = await h().store.deliveries.list({ standing, ...(repo === undefined ? {} : { repo }) });
        return listed.map((r) => r.deliveryId).sort();
      };
      expect(await ids('expired')).toEqual(['elsewhere', 'expired']);
      expect(await ids('expired', 'Octo-Org/App')).toEqual(['expired']);
      expect(await ids('leased')).toEqual(['leased']);
      expect(await ids('completed')).toEqual(['completed']);
      expect(await ids('final')).toEqual(['final']);
      // An expired claim taken over is leased again; a renewed one stays leased.
      await claim(1, 'sweeper', { leaseMs: 60_000 });
      expect(await ids('expired')).toEqual(['elsewhere']);
      expect(await ids('leased')).toEqual(['leased', 'sweeper']);
      expect((await h().store.deliveries.list()).length).toBe(5);
    });

    it('refuses a standing it does not know', async () => {
      const error = await failure(h().store.deliveries.list({ standing: 'running' as never }));
      expect([error.code, error.details.field]).toEqual(['STATE_INVALID_INPUT', 'standing']);
    });
  });

  describe('the release state written under the claim (fenced)', () => {
    it('the holder writes; the claim stays its, leased', async () => {
      const won = await claim(1, 'holder', { leaseMs: 60_000 });
      const state = await h().store.updateState(deploying(1), { claim: fence(1, 'holder', 1) });
      expect(state).toMatchObject({ last_deploy_attempt_sha: SHA(1), last_deploy_result: 'pending' });
      expect(await h().store.readState()).toEqual(state);
      expect(await h().store.deliveries.get(KEY(1))).toEqual(won.record);
    });

    it('with complete, writes and completes together; called again it changes nothing, fn not called', async () => {
      await claim(1, 'holder', { leaseMs: 60_000 });
      const options = { claim: fence(1, 'holder', 1), complete: { outcome: 'allowed' } };
      const state = await h().store.updateState(deploying(1), options);
      expect(state.last_deploy_attempt_sha).toBe(SHA(1));
      const done = await h().store.deliveries.get(KEY(1));
      const completedAt = expect.any(String);
      expect(done).toMatchObject({ deliveryId: 'holder', attempt: 1, outcome: 'allowed', leaseExpiresAt: null });
      expect(done?.completedAt).toEqual(completedAt);
      // Another handle (a second worker) sees both.
      const other = await reopen();
      expect(await other.readState()).toEqual(state);
      let called = 0;
      const again = await other.updateState(
        (s) => {
          called++;
          return { ...s, last_deploy_attempt_sha: SHA(2) };
        },
        { claim: fence(1, 'holder', 1), complete: { outcome: 'other' } },
      );
      expect([called, again]).toEqual([0, state]);
      expect(await h().store.deliveries.get(KEY(1))).toEqual(done);
      expect((await claim(1, 'late', { leaseMs: 50 })).claimed).toBe(false);
    });

    it('a holder whose lease was taken over gets STATE_LEASE_LOST: fn is not called, nothing is written', async () => {
      await claim(1, 'paused', { leaseMs: 50 });
      await sleep(120);
      const taker = await claim(1, 'paused', { leaseMs: 60_000 });
      expect(taker.record.attempt).toBe(2);
      let called = 0;
      const write = (s: ReleaseState) => {
        called++;
        return deploying(1)(s);
      };
      const stale = fence(1, 'paused', 1);
      for (const options of [{ claim: stale }, { claim: stale, complete: { outcome: 'allowed' } }]) {
        const lost = await failure(h().store.updateState(write, options));
        expect([lost.code, lost.details.attempt]).toEqual(['STATE_LEASE_LOST', 2]);
        expect(lost.message).toContain('attempt 2');
      }
      expect(called).toBe(0);
      expect((await h().store.readState()).last_deploy_attempt_sha).toBeNull();
      expect(await h().store.deliveries.get(KEY(1))).toEqual(taker.record);
      // The taker writes.
      await h().store.updateState(write, { claim: fence(1, 'paused', 2), complete: { outcome: 'allowed' } });
      expect([called, (await h().store.readState()).last_deploy_attempt_sha]).toEqual([1, SHA(1)]);
    });

    it('is STATE_LEASE_LOST for a released claim, another’s, and a completed one without complete', async () => {
      await claim(1, 'gone', { leaseMs: 60_000 });
      await h().store.deliveries.release({ ...KEY(1), force: true });
      await claim(2, 'theirs', { leaseMs: 60_000 });
      await claim(3, 'done', { leaseMs: 60_000 });
      await h().store.deliveries.complete({ ...fence(3, 'done', 1), outcome: 'held' });
      for (const claimed of [fence(1, 'gone', 1), fence(2, 'mine', 1), fence(3, 'done', 1)]) {
        expect((await failure(h().store.updateState(deploying(9), { claim: claimed }))).code).toBe('STATE_LEASE_LOST');
      }
      const completing = h().store.updateState(deploying(9), { claim: fence(2, 'mine', 1), complete: {} });
      expect((await failure(completing)).code).toBe('STATE_LEASE_LOST');
      expect((await h().store.readState()).last_deploy_attempt_sha).toBeNull();
      expect(await h().store.deliveries.get(KEY(2))).toMatchObject({ deliveryId: 'theirs', completedAt: null });
    });

    it('a callback that throws leaves both the state and the claim as they were', async () => {
      const won = await claim(1, 'holder', { leaseMs: 60_000 });
      const boom = new Error('boom');
      const options = { claim: fence(1, 'holder', 1), complete: { outcome: 'x' } };
      const failing = h().store.updateState(() => Promise.reject(boom), options);
      await expect(failing).rejects.toBe(boom);
      expect((await h().store.readState()).last_deploy_attempt_sha).toBeNull();
      expect(await h().store.deliveries.get(KEY(1))).toEqual(won.record);
      const refused = h().store.updateState((s) => ({ ...s, production_sha_current: 'main' }), options);
      expect((await failure(refused)).details.field).toBe('production_sha_current');
      expect(await h().store.deliveries.get(KEY(1))).toEqual(won.record);
    });

    it('a takeover waits for a write in progress: the holder completes, the late claim finds it done', async () => {
      await claim(1, 'holder', { leaseMs: 300 });
      let inside!: () => void;
      const entered = new Promise<void>((resolve) => (inside = resolve));
      const writing = h().store.updateState(
        async (s) => {
          inside();
          // The lease ends while the write is in its critical section.
          await sleep(700);
          return deploying(1)(s);
        },
        { claim: fence(1, 'holder', 1), complete: { outcome: 'allowed' } },
      );
      await entered;
      await sleep(400);
      const other = await reopen();
      const late = await claim(1, 'taker', { leaseMs: 60_000 }, other);
      await writing;
      const record = { deliveryId: 'holder', attempt: 1, outcome: 'allowed' };
      expect(late).toMatchObject({ claimed: false, takeover: false, record });
      expect((await h().store.readState()).last_deploy_attempt_sha).toBe(SHA(1));
    });

    it('refuses bad options as STATE_INVALID_INPUT naming the field, writing nothing', async () => {
      await claim(1, 'holder', { leaseMs: 60_000 });
      for (const [options, field] of [
        [{ complete: { outcome: 'allowed' } }, 'complete'],
        [{ claim: { ...KEY(1), deliveryId: 'holder' } }, 'claim.attempt'],
        [{ claim: { ...fence(1, 'holder', 1), headSha: 'abc' } }, 'claim.headSha'],
        [{ claim: fence(1, 'holder', 1), complete: { outcome: 'a\nb' } }, 'complete.outcome'],
        [{ claim: 'octo-org/app' }, 'claim'],
        [{ repo: 'not a repo' }, 'repo'],
      ] as const) {
        const error = await failure(h().store.updateState(deploying(1), options as never));
        expect([error.code, error.details.field]).toEqual(['STATE_INVALID_INPUT', field]);
      }
      expect((await h().store.readState()).last_deploy_attempt_sha).toBeNull();
      expect(await h().store.deliveries.get(KEY(1))).toMatchObject({ completedAt: null });
    });
  });
}
