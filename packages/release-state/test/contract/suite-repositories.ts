// The store contract suite, continued: a release state per repository, for an App that serves
// several. `readState({ repo })` / `updateState(fn, { repo })` keep each repository's own state
// (owner and name without case), beside the store's own state (release.json, which a
// single-repository deployment and the Python implementation keep using, untouched by them);
// `repositories()` lists them; check, reset, snapshot, restore and copyStore cover them. Run by
// `describeStoreContract` (suite.ts) for every backend.
import { copyStore } from '../../src/copy';
import type { ReleaseState } from '../../src/shared/release-state';
import { failure } from '../expect-state-error';
import { KEY, SHA, type SuiteContext } from './harness';

export function describeRepositoryContract(context: SuiteContext): void {
  const { claim, reopen, another } = context;
  const h = () => context.h;
  /** The state once commit `n` is in production. */
  const producing =
    (n: number) =>
    (state: ReleaseState): ReleaseState => ({
      ...state,
      production_sha_current: SHA(n),
      last_deploy_result: 'success',
    });
  const empty = { production_sha_current: null, last_deploy_result: null };

  describe('a release state per repository', () => {
    it('each repository has its own state, in any case; the store’s own state is untouched', async () => {
      expect(await h().store.repositories()).toEqual([]);
      expect(await h().store.readState({ repo: 'octo-org/web' })).toMatchObject(empty);
      const web = await h().store.updateState(producing(1), { repo: 'Octo-Org/Web' });
      expect(web).toMatchObject({ production_sha_current: SHA(1), last_deploy_result: 'success' });
      await h().store.updateState((s) => ({ ...producing(2)(s), tenant_notes: ['kept'] }), { repo: 'octo-org/api' });
      expect(await h().store.readState({ repo: 'OCTO-ORG/WEB' })).toEqual(web);
      const api = await h().store.readState({ repo: 'octo-org/api' });
      expect(api).toMatchObject({ production_sha_current: SHA(2), tenant_notes: ['kept'] });
      expect((await h().store.readState()).production_sha_current).toBeNull();
      expect(await h().store.repositories()).toEqual(['octo-org/api', 'octo-org/web']);
      const other = await reopen();
      expect(await other.readState({ repo: 'octo-org/web' })).toEqual(web);
      expect(await other.repositories()).toEqual(['octo-org/api', 'octo-org/web']);
    });

    it('an update that leaves a new repository’s state empty records nothing for it', async () => {
      expect(await h().store.updateState((s) => s, { repo: 'octo-org/web' })).toMatchObject(empty);
      expect(await h().store.repositories()).toEqual([]);
    });

    it('runs concurrent read-modify-writes of one repository from two handles one at a time', async () => {
      const other = await reopen();
      const repo = 'octo-org/web';
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 === 0 ? h().store : other).updateState(
            async (s) => ({ ...s, counter: ((s['counter'] as number | undefined) ?? 0) + 1 }),
            { repo: i % 3 === 0 ? 'Octo-Org/Web' : repo },
          ),
        ),
      );
      expect((await h().store.readState({ repo }))['counter']).toBe(12);
      expect((await h().store.readState())['counter']).toBeUndefined();
    });

    it('a write fenced by a claim goes to the repository named, completing the claim with it', async () => {
      await claim(1, 'holder', { leaseMs: 60_000, repo: 'octo-org/web' });
      const claimOf = { ...KEY(1, 'octo-org/web'), deliveryId: 'holder', attempt: 1 };
      const options = { repo: 'octo-org/web', claim: claimOf, complete: { outcome: 'allowed' } };
      await h().store.updateState(producing(1), options);
      expect((await h().store.readState({ repo: 'octo-org/web' })).production_sha_current).toBe(SHA(1));
      expect((await h().store.readState()).production_sha_current).toBeNull();
      expect(await h().store.deliveries.get(KEY(1, 'octo-org/web'))).toMatchObject({ outcome: 'allowed' });
    });

    it('refuses a repository that is not owner/name, reading and writing nothing', async () => {
      for (const repo of ['octo', 'octo/web/x', '../web', '']) {
        const read = await failure(h().store.readState({ repo }));
        expect([read.code, read.details.field]).toEqual(['STATE_INVALID_INPUT', 'repo']);
        expect((await failure(h().store.updateState(producing(1), { repo }))).code).toBe('STATE_INVALID_INPUT');
      }
      expect(await h().store.repositories()).toEqual([]);
    });

    it('check names a damaged repository state; reset release repairs only it, keeping its bytes', async () => {
      await h().store.updateState(producing(1), { repo: 'octo-org/web' });
      await h().store.updateState(producing(2), { repo: 'octo-org/api' });
      await h().store.updateState(producing(3));
      await h().damage.corruptRelease('octo-org/web');
      const read = await failure(h().store.readState({ repo: 'octo-org/web' }));
      const naming = expect.stringContaining('booty state reset release');
      expect([read.code, read.message]).toEqual(['STATE_CORRUPT', naming]);
      expect((await failure(h().store.updateState(producing(4), { repo: 'octo-org/web' }))).code).toBe('STATE_CORRUPT');
      expect((await failure(h().store.snapshot())).code).toBe('STATE_CORRUPT');
      const report = await h().store.check();
      expect(report.healthy).toBe(false);
      expect(report.problems).toEqual([
        {
          part: 'release',
          target: expect.stringContaining('web'),
          reason: expect.any(String),
          message: expect.any(String),
          repair: 'booty state reset release',
        },
      ]);
      const result = await h().store.reset('release');
      expect(result).toEqual({ part: 'release', keptAt: [expect.any(String)], repaired: 1 });
      expect((await h().store.check()).healthy).toBe(true);
      expect((await h().store.readState({ repo: 'octo-org/web' })).production_sha_current).toBeNull();
      expect((await h().store.readState({ repo: 'octo-org/api' })).production_sha_current).toBe(SHA(2));
      expect((await h().store.readState()).production_sha_current).toBe(SHA(3));
      expect((await failure(h().store.reset('release'))).details.reason).toBe('nothing-to-reset');
    });

    it('snapshot, restore and copyStore carry every repository’s state; a target with one is not empty', async () => {
      await h().store.updateState(producing(1), { repo: 'octo-org/web' });
      const api = { repo: 'octo-org/api' };
      await h().store.updateState((s) => ({ ...producing(2)(s), tenant_notes: { kept: true } }), api);
      const snapshot = await h().store.snapshot();
      expect(snapshot.repositories).toEqual([
        {
          repo: 'octo-org/api',
          state: expect.objectContaining({ production_sha_current: SHA(2), tenant_notes: { kept: true } }),
        },
        { repo: 'octo-org/web', state: expect.objectContaining({ production_sha_current: SHA(1) }) },
      ]);
      const target = await another();
      const to = { kind: target.store.kind, location: target.store.location };
      expect(await copyStore(h().store, target.store)).toEqual({ deliveries: 0, repositories: 2, to });
      expect(await target.store.snapshot()).toEqual(snapshot);

      // A store whose only data is a repository's state is not empty.
      const occupied = await another();
      await occupied.store.updateState(producing(9), { repo: 'someone/else' });
      expect((await failure(copyStore(h().store, occupied.store))).details.reason).toBe('target-not-empty');
      expect((await occupied.store.readState({ repo: 'someone/else' })).production_sha_current).toBe(SHA(9));
      // replace makes it exactly the snapshot: the repository the snapshot lacks is gone.
      await copyStore(h().store, occupied.store, { replace: true });
      expect(await occupied.store.repositories()).toEqual(['octo-org/api', 'octo-org/web']);
      expect((await occupied.store.readState({ repo: 'someone/else' })).production_sha_current).toBeNull();
      // A snapshot of an earlier version (no repositories) restores as none.
      const earlier = await another();
      await earlier.store.restore({ state: snapshot.state, deliveries: snapshot.deliveries });
      expect(await earlier.store.repositories()).toEqual([]);
    });

    it('a copy counts repository states as data: a source of only them is not empty; an empty one needs force', async () => {
      // The source holds nothing but a repository's state: with replace, it may replace a target's data.
      await h().store.updateState(producing(1), { repo: 'octo-org/web' });
      const target = await another();
      await claim(5, 'in-the-way', {}, target.store);
      await copyStore(h().store, target.store, { replace: true });
      expect(await target.store.deliveries.count()).toBe(0);
      expect((await target.store.readState({ repo: 'octo-org/web' })).production_sha_current).toBe(SHA(1));
      // A target whose only data is a repository's state holds data: an empty source needs force.
      const empty = await another();
      const refused = await failure(copyStore(empty.store, target.store, { replace: true }));
      expect([refused.code, refused.details.reason]).toEqual(['STATE_INVALID_INPUT', 'empty-source']);
      expect(await target.store.repositories()).toEqual(['octo-org/web']);
      await copyStore(empty.store, target.store, { replace: true, force: true });
      expect(await target.store.repositories()).toEqual([]);
    });

    it('restore refuses a snapshot with a bad or twice-named repository, writing nothing', async () => {
      const target = await another();
      const snapshot = await h().store.snapshot();
      const state = snapshot.state;
      for (const repositories of [
        [{ repo: 'not a repo', state }],
        [
          { repo: 'octo/web', state },
          { repo: 'Octo/Web', state },
        ],
        [{ repo: 'octo/web', state: 'nope' }],
      ]) {
        const error = await failure(target.store.restore({ ...snapshot, repositories } as never));
        expect(error.code).toBe('STATE_INVALID_INPUT');
        expect(error.details.field).toMatch(/^repositories\[\d\]/);
      }
      expect(await target.store.repositories()).toEqual([]);
    });
  });
}
