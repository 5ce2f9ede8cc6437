// The operator's commands on PostgreSQL, through the built binary, against a real throwaway
// server (release-state's test/support/pg-server.ts). With CI=true a missing server fails.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describeWithPg, PG_PASSWORD } from '../../release-state/test/support/pg-server';
import { usePostgres } from '../../release-state/test/support/use-postgres';
import { BIN, booty, cleanEnv, expectNoStackTrace, tempDir, type RunResult } from './booty';
import {
  contentsOf,
  fileStoreWithClaims,
  REPO,
  richFileStore,
  sha,
  snapshotDir,
  storeOfSize,
  withLibraryStore,
} from './state-fixture';

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
      for (const n of [1, 2, 3])
        await store.deliveries.claim({ repo: REPO, headSha: sha(n), deliveryId: `delivery-${n}` });
    });
    await pg.admin.query(`UPDATE "${schema}".release_state SET body = '{"production_sha_current": '`);
    await pg.admin.query(`UPDATE "${schema}".deliveries SET delivery_id = E'bad\\x01id' WHERE key = $1`, [
      `${REPO}:${sha(2)}`,
    ]);

    // Everything the store holds, to prove that check changes nothing.
    const rows = async () => {
      const tables = ['release_state', 'release_state_damaged', 'deliveries', 'deliveries_damaged'];
      return Promise.all(
        tables.map(async (table) => (await pg.admin.query(`SELECT * FROM "${schema}".${table} ORDER BY 1`)).rows),
      );
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
        expect.objectContaining({
          part: 'deliveries',
          target: expect.stringContaining(`${REPO}:${sha(2)}`),
          repair: 'booty state reset deliveries',
        }),
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
    expect(JSON.parse(listed.stdout).claims).toEqual([
      expect.objectContaining({ repo: REPO, headSha: sha(7), deliveryId: 'held-delivery', standing: 'final' }),
    ]);
    const forgot = secretFree(await booty(['state', 'claim', 'forget', REPO, sha(7)], { env, timeoutMs: 30_000 }));
    expect(forgot.status).toBe(0);
    await withLibraryStore(url, async (store) => {
      expect(
        (await store.deliveries.claim({ repo: REPO, headSha: sha(7), deliveryId: 'after-approval' })).claimed,
      ).toBe(true);
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
      for (const n of [1, 2])
        await store.deliveries.claim({ repo: REPO, headSha: sha(n), deliveryId: `delivery-${n}` });
    });
    await pg.admin.query(`UPDATE "${schema}".deliveries SET delivery_id = E'bad\\x01id' WHERE key = $1`, [
      `${REPO}:${sha(2)}`,
    ]);
    const dir = tempDir();
    writeFileSync(
      path.join(dir, '.booty.yml'),
      'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n',
    );
    const json = secretFree(
      await booty(['governor', 'status', '--store-url', url, '--json'], {
        cwd: dir,
        env: cleanEnv(),
        timeoutMs: 30_000,
      }),
    );
    expect(json.status).toBe(0);
    const status = JSON.parse(json.stdout);
    expect(status).toMatchObject({
      enabled: true,
      store: { kind: 'postgres' },
      stateDir: null,
      deliveries: { entries: 1, damaged: 1 },
    });
    expect(status.store.location).toContain(`schema=${schema}`);
    const human = secretFree(
      await booty(['governor', 'status', '--store-url', url], { cwd: dir, env: cleanEnv(), timeoutMs: 30_000 }),
    );
    expect(human.stdout).toMatch(/^ {2}store: +postgres postgres:\/\/booty_admin@127\.0\.0\.1:\d+\/postgres\?schema=/m);
    expect(human.stdout).toMatch(/^ {2}deliveries recorded: +1 \(1 damaged: run `booty state check`\)$/m);
  });

  test('prune and claim show work on PostgreSQL too', async () => {
    const { schema, url } = freshStore();
    await withLibraryStore(url, async (store) => {
      for (const n of [1, 2])
        await store.deliveries.claim({ repo: REPO, headSha: sha(n), deliveryId: `delivery-${n}` });
    });
    await pg.admin.query(`UPDATE "${schema}".deliveries SET recorded_at = now() - interval '365 days' WHERE key = $1`, [
      `${REPO}:${sha(1)}`,
    ]);
    const pruned = await run(['state', 'prune', '--store-url', url, '--json']);
    expect(pruned.status).toBe(0);
    expect(JSON.parse(pruned.stdout)).toMatchObject({ ok: true, removed: 1, kept: 1 });
    const shown = await run(['state', 'claim', 'show', REPO, sha(2), '--store-url', url]);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(/^ {2}delivery +delivery-2$/m);
    expect((await run(['state', 'claim', 'show', REPO, sha(1), '--store-url', url])).status).toBe(1);
  });

  /** Every schema of the database, and every row of every booty table in it: what "nothing changed" means here. */
  const databasePicture = async () => {
    const schemas = (await pg.admin.query(`SELECT nspname FROM pg_namespace ORDER BY 1`)).rows.map(
      (row: { nspname: string }) => row.nspname,
    );
    const tables = (
      await pg.admin.query(
        `SELECT schemaname, tablename FROM pg_tables WHERE tablename IN ('release_state', 'deliveries') ORDER BY 1, 2`,
      )
    ).rows as { schemaname: string; tablename: string }[];
    const rows = await Promise.all(
      tables.map(
        async ({ schemaname, tablename }) =>
          (await pg.admin.query(`SELECT * FROM "${schemaname}".${tablename} ORDER BY 1`)).rows,
      ),
    );
    return { schemas, rows };
  };

  test('a mistyped ?schema= is a store that does not exist: every state command and a copy from it exit 2, create nothing', async () => {
    const { url } = freshStore();
    await withLibraryStore(url, async (store) =>
      store.deliveries.claim({ repo: REPO, headSha: sha(1), deliveryId: 'real' }),
    );
    const typo = url.replace(/schema=([a-z0-9_]+)/, 'schema=$1x');
    const backup = await fileStoreWithClaims(2);
    const before = { database: await databasePicture(), backup: snapshotDir(backup) };
    const commands = [
      ['state', 'check'],
      ['state', 'claims'],
      ['state', 'claim', 'show', REPO, sha(1)],
      ['state', 'claim', 'forget', REPO, sha(1)],
      ['state', 'prune'],
      ['state', 'reset', 'deliveries'],
    ];
    for (const args of commands) {
      for (const json of [false, true]) {
        const result = await run([...args, '--store-url', typo, ...(json ? ['--json'] : [])]);
        expect({ args, status: result.status }).toEqual({ args, status: 2 });
        const message = json ? JSON.parse(result.stdout).error.message : result.stderr;
        expect(message).toContain('There is no store at');
        expect(message).toContain('--store-url');
      }
    }
    const copy = await run(['state', 'copy', '--from', typo, '--to', backup, '--replace']);
    expect(copy.status).toBe(2);
    expect(copy.stderr).toContain('Check schema= and the database in --from');
    expect({ database: await databasePicture(), backup: snapshotDir(backup) }).toEqual(before);
  });

  test('the same database and schema by another spelling of the URL is the source itself: refused, nothing changed', async () => {
    const { schema, url } = freshStore();
    await withLibraryStore(url, async (store) =>
      store.deliveries.claim({ repo: REPO, headSha: sha(1), deliveryId: 'only-copy' }),
    );
    const port = new URL(url).port;
    const password = encodeURIComponent(PG_PASSWORD);
    const spellings = [
      `postgresql://booty_admin:${password}@localhost:${port}/postgres?schema=${schema}`,
      `postgres://booty_admin:${password}@127.0.0.1:${port}/postgres?application_name=backup&schema=${schema}&sslmode=disable`,
    ];
    const before = await databasePicture();
    for (const to of spellings) {
      const result = await run(['state', 'copy', '--from', url, '--to', to, '--replace', '--force']);
      expect({ to, status: result.status }).toEqual({ to, status: 2 });
      expect(result.stderr).toContain('is the source store itself');
    }
    expect(await databasePicture()).toEqual(before);
  });

  test('a copy into PostgreSQL stopped by Ctrl-C, SIGHUP or kill -9 leaves the target as it was (one transaction)', async () => {
    const source = await storeOfSize(20_000, 'new');
    const { url } = freshStore();
    await withLibraryStore(url, async (store) =>
      store.deliveries.claim({ repo: REPO, headSha: sha(1), deliveryId: 'old' }),
    );
    const fresh = freshStore();
    const before = await databasePicture();
    for (const [to, signal] of [
      [url, 'SIGINT'],
      [url, 'SIGHUP'],
      [url, 'SIGKILL'],
      [fresh.url, 'SIGINT'],
      [fresh.url, 'SIGKILL'],
    ] as const) {
      const child = spawn(process.execPath, [BIN, 'state', 'copy', '--from', source, '--to', to, '--replace'], {
        env: cleanEnv(),
        stdio: 'ignore',
      });
      const exited = new Promise<{ status: number | null; signal: string | null }>((resolve) =>
        child.on('close', (status, by) => resolve({ status, signal: by })),
      );
      // Stopped while its transaction is open on the server.
      const busy =
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'booty' ` +
        `AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`;
      while ((await pg.admin.query<{ n: number }>(busy)).rows[0]?.n === 0)
        await new Promise((resolve) => setTimeout(resolve, 5));
      child.kill(signal);
      const exit = await exited;
      expect({ signal, exit }).toEqual({
        signal,
        exit:
          signal === 'SIGKILL' ? { status: null, signal } : { status: signal === 'SIGINT' ? 130 : 129, signal: null },
      });
      // The server rolls back an interrupted transaction (at once, or when it sees the connection gone).
      const idle = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'booty' AND pid <> pg_backend_pid()`;
      while ((await pg.admin.query<{ n: number }>(idle)).rows[0]?.n !== 0)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect({ to, signal, database: await databasePicture() }).toEqual({ to, signal, database: before });
    }
  }, 180_000);
});
