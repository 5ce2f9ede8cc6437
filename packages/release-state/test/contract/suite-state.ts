// The store contract suite, continued: the release state. It starts as the skeleton, keeps the
// fields it does not know, and its read-modify-writes run one at a time across handles. Run by
// `describeStoreContract` (suite.ts) for every backend.
import { SHA, type SuiteContext } from './harness';

export function describeStateContract(context: SuiteContext): void {
  const { reopen } = context;
  const h = () => context.h;

  describe('readState and updateState', () => {
    it('starts as the skeleton: every field null', async () => {
      expect(await h().store.readState()).toMatchObject({
        production_sha_current: null,
        production_sha_previous: null,
        last_deploy_attempt_sha: null,
        last_deploy_time: null,
        last_deploy_result: null,
        last_health_check: null,
      });
    });

    it('writes the next state, keeps unknown fields, and another handle reads it', async () => {
      const next = await h().store.updateState((s) => ({
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
      expect(await h().store.readState()).toMatchObject({
        last_deploy_attempt_sha: SHA(8),
        operator_notes: [{ sha: SHA(7) }],
      });
    });

    it('passes a throwing callback through and writes nothing', async () => {
      const boom = new Error('boom');
      await expect(h().store.updateState(() => Promise.reject(boom))).rejects.toBe(boom);
      expect((await h().store.readState()).production_sha_current).toBeNull();
    });

    it('runs concurrent read-modify-writes from two handles one at a time', async () => {
      const other = await reopen();
      await h().store.updateState((s) => ({ ...s, counter: 0 }));
      await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          (i % 2 === 0 ? h().store : other).updateState(async (s) => ({ ...s, counter: (s['counter'] as number) + 1 })),
        ),
      );
      expect((await h().store.readState())['counter']).toBe(16);
    });
  });
}
