// Pruning on PostgreSQL: no count limit (the option is refused), one worker prunes at a time
// (pg_try_advisory_xact_lock) and the others skip instead of waiting, and a claim that makes a
// pass due starts it in the background and returns without waiting for it.
import { openReleaseStore } from '../../src/open';
import { failure } from '../expect-state-error';
import { describeWithPg } from '../support/pg-server';
import { usePostgres } from '../support/use-postgres';

const SHA = (n: number) => n.toString(16).padStart(40, '0');
const DAY = 24 * 60 * 60 * 1000;

describeWithPg('PostgreSQL store pruning', () => {
  const pg = usePostgres();
  const backdate = (schema: string, days: number) =>
    pg.admin.query(`UPDATE "${schema}".deliveries SET recorded_at = recorded_at - $1 * interval '1 ms'`, [days * DAY]);

  it('has no count limit: maxDeliveries is refused, saying why', async () => {
    const options = { url: pg.server.url({ schema: 'no_count_limit' }), maxDeliveries: 5 };
    const error = await failure(openReleaseStore(options as never));
    expect(error.code).toBe('STATE_INVALID_INPUT');
    expect(error.details).toMatchObject({ reason: 'bad-option', field: 'maxDeliveries' });
    expect(error.message).toContain('PostgreSQL, which has no count limit');
  });

  it('while another worker prunes, prune skips at once and claims go on', async () => {
    const schema = 'one_pruner';
    const store = await openReleaseStore({ url: pg.server.url({ schema }) });
    const other = await pg.admin.connect();
    try {
      await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(1), deliveryId: 'd1' });
      await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(2), deliveryId: 'd2' });
      await backdate(schema, 40);
      // Another worker is in the middle of its prune pass: it holds the prune lock.
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`booty-prune:${schema}`]);
      expect(await store.deliveries.prune()).toEqual({ removed: 0, kept: 2, limit: null });
      expect((await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(3), deliveryId: 'd3' })).claimed).toBe(
        true,
      );
      await other.query('COMMIT');
      expect(await store.deliveries.prune()).toEqual({ removed: 2, kept: 1, limit: null });
    } finally {
      other.release();
      await store.close();
    }
  });

  it('a claim that makes a pass due starts it in the background and does not wait for it', async () => {
    const schema = 'background_pass';
    const store = await openReleaseStore({ url: pg.server.url({ schema }) });
    const blocker = await pg.admin.connect();
    try {
      await store.deliveries.claim({ repo: 'octo/old', headSha: SHA(0), deliveryId: 'old' });
      await backdate(schema, 40);
      // The pass's DELETE will wait for this row lock (up to the store's lock timeout).
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM "${schema}".deliveries FOR UPDATE`);
      // A pass is due after 1,000 claims of this process (the old claim was the first).
      for (let n = 1; n < 1_000; n++) {
        await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(n), deliveryId: `d${n}` });
      }
      // The 1,000th claim has returned; its pass is still waiting on the lock above.
      const waiting = async () => {
        const found = await pg.admin.query(
          "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM%' " +
            "AND application_name = 'booty'",
        );
        return (found.rowCount ?? 0) > 0;
      };
      let seen = false;
      for (let tries = 0; tries < 100 && !seen; tries++) {
        seen = await waiting();
        if (!seen) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(seen).toBe(true);
      const old = () => pg.admin.query(`SELECT 1 FROM "${schema}".deliveries WHERE key LIKE 'octo/old:%'`);
      expect((await old()).rowCount).toBe(1);
      await blocker.query('COMMIT');
      // close() waits for the pass.
      await store.close();
      expect((await old()).rowCount).toBe(0);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      blocker.release();
      await store.close();
    }
  }, 60_000);
});
