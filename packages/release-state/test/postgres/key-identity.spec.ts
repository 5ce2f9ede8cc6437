// One key rule on PostgreSQL (migration 2): a database an earlier version wrote may hold two
// spellings of one key, each a winner. Opening it with this version keeps one row per key (the
// final or completed one, else the earlier), moves the others to deliveries_damaged, and makes
// lower(key) unique, so every spelling finds the one claim.
import { openReleaseStore } from '../../src/open';
import { describeWithPg } from '../support/pg-server';
import { usePostgres } from '../support/use-postgres';
import { backToVersion2 } from './schema-versions';

const SHA = (n: number) => n.toString(16).padStart(40, '0');

describeWithPg('PostgreSQL: one key rule for rows an earlier version wrote', () => {
  const pg = usePostgres();

  it('opening migrates two spellings of one key to one row, keeping the other aside', async () => {
    const schema = 'spellings';
    const url = pg.server.url({ schema });
    await (await openReleaseStore({ url })).close();
    // Back to schema version 1, as the earlier version left it, with the rows it let in.
    await backToVersion2(pg.admin, schema);
    await pg.admin.query(`DROP INDEX "${schema}".deliveries_key_identity, "${schema}".deliveries_age`);
    await pg.admin.query(`DELETE FROM "${schema}".schema_migrations WHERE version = 2`);
    const insert = `INSERT INTO "${schema}".deliveries
                      (key, delivery_id, recorded_at, attempt, lease_expires_at, completed_at, outcome)
                    VALUES ($1, $2, now() - $3 * interval '1 minute', 1, $4, $5, $6)`;
    const later = new Date(Date.now() + 60 * 60 * 1000);
    await pg.admin.query(insert, [`octo/app:${SHA(1)}`, 'leased-first', 30, later, null, null]);
    await pg.admin.query(insert, [`Octo/App:${SHA(1)}`, 'completed-later', 20, null, new Date(), 'allowed']);
    await pg.admin.query(insert, [`OCTO/APP:${SHA(2)}`, 'only', 10, null, null, null]);

    const store = await openReleaseStore({ url });
    try {
      const kept = await store.deliveries.get({ repo: 'octo/app', headSha: SHA(1) });
      expect(kept).toMatchObject({ key: `Octo/App:${SHA(1)}`, deliveryId: 'completed-later', outcome: 'allowed' });
      const aside = await pg.admin.query(`SELECT key, delivery_id FROM "${schema}".deliveries_damaged`);
      expect(aside.rows).toEqual([{ key: `octo/app:${SHA(1)}`, delivery_id: 'leased-first' }]);
      expect(await store.deliveries.count()).toBe(2);
      for (const repo of ['octo/app', 'OCTO/APP', 'Octo/App']) {
        const again = await store.deliveries.claim({ repo, headSha: SHA(2), deliveryId: `again-${repo}` });
        expect(again.claimed).toBe(false);
      }
      const only = await store.deliveries.get({ repo: 'octo/APP', headSha: SHA(2) });
      expect(only).toMatchObject({ key: `OCTO/APP:${SHA(2)}`, deliveryId: 'only' });
      // The index holds the rule against any writer, not only this library.
      const sql = `INSERT INTO "${schema}".deliveries (key, delivery_id) VALUES ($1, 'x')`;
      const duplicate = pg.admin.query(sql, [`oCTO/aPP:${SHA(2)}`]);
      await expect(duplicate).rejects.toMatchObject({ code: '23505' });
    } finally {
      await store.close();
    }
  });
});
