// Pruning on PostgreSQL: the count limit keeps the newest claims; one worker prunes at a time
// (pg_try_advisory_xact_lock) and the others skip instead of waiting; claims never wait for it.
import { openReleaseStore } from '../../src/open';
import { describeWithPg } from '../support/pg-server';
import { usePostgres } from '../support/use-postgres';

const SHA = (n: number) => n.toString(16).padStart(40, '0');

describeWithPg('PostgreSQL store pruning', () => {
  const pg = usePostgres();

  it('keeps the newest maxDeliveries claims', async () => {
    const store = await openReleaseStore({ url: pg.server.url({ schema: 'count_limit' }), maxDeliveries: 5 });
    try {
      for (let n = 1; n <= 8; n++) {
        await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(n), deliveryId: `d${n}` });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(await store.deliveries.prune()).toEqual({ removed: 3, kept: 5 });
      expect((await store.deliveries.list()).map((r) => r.deliveryId)).toEqual(['d8', 'd7', 'd6', 'd5', 'd4']);
    } finally {
      await store.close();
    }
  });

  it('while another worker prunes, prune skips at once and claims go on', async () => {
    const schema = 'one_pruner';
    const store = await openReleaseStore({ url: pg.server.url({ schema }), maxDeliveries: 1 });
    const other = await pg.admin.connect();
    try {
      await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(1), deliveryId: 'd1' });
      await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(2), deliveryId: 'd2' });
      // Another worker is in the middle of its prune pass: it holds the prune lock.
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`booty-prune:${schema}`]);
      const started = Date.now();
      expect(await store.deliveries.prune()).toEqual({ removed: 0, kept: 2 });
      expect((await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(3), deliveryId: 'd3' })).claimed).toBe(true);
      expect(Date.now() - started).toBeLessThan(3_000);
      await other.query('COMMIT');
      expect(await store.deliveries.prune()).toEqual({ removed: 2, kept: 1 });
    } finally {
      other.release();
      await store.close();
    }
  });
});
