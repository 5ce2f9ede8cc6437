// The operator's commands on PostgreSQL, through the built binary, against a real throwaway
// server (release-state's test/support/pg-server.ts). With CI=true a missing server fails.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describeWithPg, PG_PASSWORD } from '../../release-state/test/support/pg-server';
import { usePostgres } from '../../release-state/test/support/use-postgres';
import { booty, cleanEnv, expectNoStackTrace, tempDir, type RunResult } from './booty';
import { contentsOf, REPO, richFileStore, sha, snapshotDir, withLibraryStore } from './state-fixture';

describeWithPg('booty state … on PostgreSQL', () => {
  const pg = usePostgres();
  let serial = 0;

  /** A fresh, empty store of this test's own (one schema each). */
  const freshStore = () => {
    const schema = `cli_${process.pid}_${++serial}`;
    return { schema, url: pg.server.url({ schema }) };
  };
  /** The password never appears in anything booty prints. */
  const secretFree = (result: RunResult) => {
    expect(result.stdout).not.toContain(PG_PASSWORD);
    expect(result.stderr).not.toContain(PG_PASSWORD);
    expectNoStackTrace(result);
    return result;
  };
  const run = async (args: string[]) => secretFree(await booty(args, { env: cleanEnv(), timeoutMs: 30_000 }));

  test('check names a corrupt release row and a damaged claim row; reset repairs each, keeps them, refuses when healthy', async () => {
    const { schema, url } = freshStore();
    await withLibraryStore(url, async (store) => {
      for (const n of [1, 2, 3]) await store.deliveries.claim({ repo: REPO, headSha: sha(n), deliveryId: `delivery-${n}` });
    });
    await pg.admin.query(`UPDATE "${schema}".release_state SET body = '{"production_sha_current": '`);
    await pg.admin.query(`UPDATE "${schema}".deliveries SET delivery_id = E'bad\\x01id' WHERE key = $1`, [`${REPO}:${sha(2)}`]);

    // Everything the store holds, to prove that check changes nothing.
    const rows = async () => {
      const tables = ['release_state', 'release_state_damaged', 'deliveries', 'deliveries_damaged'];
      return Promise.all(tables.map(async (table) => (await pg.admin.query(`SELECT * FROM "${schema}".${table} ORDER BY 1`)).rows));
    };
    const before = await rows();
    const check = await run(['state', 'check', '--store-url', url, '--json']);
    expect(check.status).toBe(1);
    const report = JSON.parse(check.stdout);
    expect(report).toMatchObject({ ok: true, healthy: false, store: { kind: 'postgres' }, deliveries: 2 });
    expect(report.store.location).not.toContain(PG_PASSWORD);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ part: 'release', repair: 'booty state reset release' }),
        expect.objectContaining({ part: 'deliveries', target: expect.stringContaining(`${REPO}:${sha(2)}`), repair: 'booty state reset deliveries' }),
      ]),
    );
    expect(report.problems).toHaveLength(2);
    const human = await run(['state', 'check', '--store-url', url]);
    expect(human.status).toBe(1);
    expect(human.stdout).toContain('booty state reset release');
    expect(human.stdout).toContain(`${REPO}:${sha(2)}`);
    expect(await rows()).toEqual(before);

    const release = await run(['state', 'reset', 'release', '--store-url', url, '--json']);
    expect(release.status).toBe(0);
    expect(JSON.parse(release.stdout)).toMatchObject({ ok: true, part: 'release', repaired: 1 });
    const deliveries = await run(['state', 'reset', 'deliveries', '--store-url', url, '--json']);
    expect(deliveries.status).toBe(0);
    expect(JSON.parse(deliveries.stdout)).toMatchObject({ ok: true, part: 'deliveries', repaired: 1 });

    // The damaged bytes were kept, beside the store.
    const keptRelease = await pg.admin.query(`SELECT body FROM "${schema}".release_state_damaged`);
    expect(keptRelease.rows.map((row: { body: string }) => row.body)).toEqual(['{"production_sha_current": ']);
    const keptClaim = await pg.admin.query(`SELECT key, delivery_id FROM "${schema}".deliveries_damaged`);
    expect(keptClaim.rows).toEqual([{ key: `${REPO}:${sha(2)}`, delivery_id: 'bad\u0001id' }]);

    expect((await run(['state', 'check', '--store-url', url])).status).toBe(0);
    await withLibraryStore(url, async (store) => {
      expect(await store.deliveries.has({ repo: REPO, headSha: sha(1) })).toBe(true);
      expect(await store.deliveries.has({ repo: REPO, headSha: sha(3) })).toBe(true);
    });
    for (const part of ['release', 'deliveries']) {
      const refused = await run(['state', 'reset', part, '--store-url', url]);
      expect(refused.status).toBe(2);
    }
  });

  test('a forgotten claim can be claimed again (RELEASE_GOVERNOR_STORE_URL picks the store)', async () => {
    const { url } = freshStore();
    await withLibraryStore(url, async (store) => {
      await store.deliveries.claim({ repo: REPO, headSha: sha(7), deliveryId: 'held-delivery' });
    });
    const env = cleanEnv({ RELEASE_GOVERNOR_STORE_URL: url });
    const listed = secretFree(await booty(['state', 'claims', '--json'], { env, timeoutMs: 30_000 }));
    expect(JSON.parse(listed.stdout).claims).toEqual([expect.objectContaining({ repo: REPO, headSha: sha(7), deliveryId: 'held-delivery', standing: 'final' })]);
    const forgot = secretFree(await booty(['state', 'claim', 'forget', REPO, sha(7)], { env, timeoutMs: 30_000 }));
    expect(forgot.status).toBe(0);
    await withLibraryStore(url, async (store) => {
      expect((await store.deliveries.claim({ repo: REPO, headSha: sha(7), deliveryId: 'after-approval' })).claimed).toBe(true);
    });
  });

  test('copy file → PostgreSQL → file keeps every claim and release.json; a non-empty target needs --replace', async () => {
    const source = await richFileStore();
    const before = snapshotDir(source);
    const { url } = freshStore();

    const up = await run(['state', 'copy', '--state-dir', source, '--to', url, '--json']);
    expect(up.status).toBe(0);
    const from = { kind: 'file', location: source };
    const to = { kind: 'postgres' };
    expect(JSON.parse(up.stdout)).toMatchObject({ ok: true, from, to, deliveries: 3, repositories: 1 });
    const back = path.join(tempDir(), 'back');
    const down = await run(['state', 'copy', '--from', url, '--to', back]);
    expect(down.stderr).toBe('');
    expect(down.status).toBe(0);

    const original = await contentsOf(source);
    expect(await contentsOf(url)).toEqual(original);
    expect(await contentsOf(back)).toEqual(original);
    expect(snapshotDir(source)).toEqual(before);

    const refused = await run(['state', 'copy', '--state-dir', source, '--to', url]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--replace');
    expect((await run(['state', 'copy', '--state-dir', source, '--to', url, '--replace'])).status).toBe(0);
    expect(await contentsOf(url)).toEqual(original);
  });

  test('governor status --store-url: the PostgreSQL store, its damaged rows counted apart', async () => {
    const { schema, url } = freshStore();
    await withLibraryStore(url, async (store) => {
      for (const n of [1, 2]) await store.deliveries.claim({ repo: REPO, headSha: sha(n), deliveryId: `delivery-${n}` });
    });
    await pg.admin.query(`UPDATE "${schema}".deliveries SET delivery_id = E'bad\\x01id' WHERE key = $1`, [`${REPO}:${sha(2)}`]);
    const dir = tempDir();
    writeFileSync(path.join(dir, '.booty.yml'), 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n');
    const json = secretFree(await booty(['governor', 'status', '--store-url', url, '--json'], { cwd: dir, env: cleanEnv(), timeoutMs: 30_000 }));
    expect(json.status).toBe(0);
    const status = JSON.parse(json.stdout);
    expect(status).toMatchObject({ enabled: true, store: { kind: 'postgres' }, stateDir: null, deliveries: { entries: 1, damaged: 1 } });
    expect(status.store.location).toContain(`schema=${schema}`);
    const human = secretFree(await booty(['governor', 'status', '--store-url', url], { cwd: dir, env: cleanEnv(), timeoutMs: 30_000 }));
    expect(human.stdout).toMatch(/^ {2}store: +postgres postgres:\/\/booty_admin@127\.0\.0\.1:\d+\/postgres\?schema=/m);
    expect(human.stdout).toMatch(/^ {2}deliveries recorded: +1 \(1 damaged: run `booty state check`\)$/m);
  });

  test('prune and claim show work on PostgreSQL too', async () => {
    const { schema, url } = freshStore();
    await withLibraryStore(url, async (store) => {
      for (const n of [1, 2]) await store.deliveries.claim({ repo: REPO, headSha: sha(n), deliveryId: `delivery-${n}` });
    });
    await pg.admin.query(`UPDATE "${schema}".deliveries SET recorded_at = now() - interval '365 days' WHERE key = $1`, [`${REPO}:${sha(1)}`]);
    const pruned = await run(['state', 'prune', '--store-url', url, '--json']);
    expect(pruned.status).toBe(0);
    expect(JSON.parse(pruned.stdout)).toMatchObject({ ok: true, removed: 1, kept: 1 });
    const shown = await run(['state', 'claim', 'show', REPO, sha(2), '--store-url', url]);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(/^ {2}delivery +delivery-2$/m);
    expect((await run(['state', 'claim', 'show', REPO, sha(1), '--store-url', url])).status).toBe(1);
  });
});
