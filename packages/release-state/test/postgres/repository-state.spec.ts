// A release state per repository on PostgreSQL (migration 3, src/postgres/release-rows.ts): a
// database an earlier version wrote (release_state with its one row, id = 1) keeps its state as
// the store's own when this version opens it, and repositories get rows of their own beside it.
// The table's constraint holds the repository rule against any writer, not only this library.
import { openReleaseStore } from '../../src/open';
import { describeWithPg } from '../support/pg-server';
import { usePostgres } from '../support/use-postgres';
import { backToVersion2 } from './schema-versions';

const SHA = (n: number) => n.toString(16).padStart(40, '0');

describeWithPg('PostgreSQL: release state per repository (migration 3)', () => {
  const pg = usePostgres();

  it('opening a version-2 store keeps its state as the store’s own; repositories get rows beside it', async () => {
    const schema = 'before_repositories';
    const url = pg.server.url({ schema });
    await (await openReleaseStore({ url })).close();
    const t = `"${schema}".release_state`;
    // Back to schema version 2, as the earlier version left it: one row, id = 1, holding a state.
    await backToVersion2(pg.admin, schema);
    const produced = `'"production_sha_current": "${SHA(7)}"'`;
    await pg.admin.query(`UPDATE ${t} SET body = replace(body, '"production_sha_current": null', ${produced})`);
    const store = await openReleaseStore({ url });
    try {
      expect((await store.readState()).production_sha_current).toBe(SHA(7));
      expect(await store.repositories()).toEqual([]);
      await store.updateState((s) => ({ ...s, production_sha_current: SHA(8) }), { repo: 'Octo/Web' });
      expect((await store.readState({ repo: 'octo/web' })).production_sha_current).toBe(SHA(8));
      expect((await store.readState()).production_sha_current).toBe(SHA(7));
      const found = await pg.admin.query(`SELECT repo FROM ${t} ORDER BY repo`);
      expect(found.rows).toEqual([{ repo: '' }, { repo: 'octo/web' }]);
      const versions = await pg.admin.query(`SELECT max(version) AS v FROM "${schema}".schema_migrations`);
      expect(versions.rows[0]?.v).toBe(3);
      // Every writer keeps the rule: a repository is stored as its lower-case identity.
      const spelled = pg.admin.query(`INSERT INTO ${t} (repo, body) VALUES ('Octo/Api', '{}')`);
      await expect(spelled).rejects.toMatchObject({ code: '23514' });
    } finally {
      await store.close();
    }
  });
});
