// The built `booty` on PostgreSQL reached through PgBouncer in transaction mode (default
// settings), as managed PostgreSQL is reached: RELEASE_GOVERNOR_STORE_URL names PgBouncer, not
// the server (release-state's test/support/pgbouncer.ts). With CI=true a missing pgbouncer fails.
import { PG_PASSWORD } from '../../release-state/test/support/pg-server';
import { describeWithPgBouncer, usePgBouncer } from '../../release-state/test/support/pgbouncer';
import { usePostgres } from '../../release-state/test/support/use-postgres';
import { booty, cleanEnv, expectNoStackTrace, workspace, type RunResult } from './booty';
import { REPO, sha, withLibraryStore } from './state-fixture';

const ENABLED = 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n';
const WRONG = 'Wr0ng-Passw0rd-77';

describeWithPgBouncer('booty through PgBouncer in transaction mode', () => {
  const pg = usePostgres();
  const pool = usePgBouncer(() => pg.server, 'transaction');
  let serial = 0;
  const freshUrl = () => {
    const schema = `cli_bouncer_${++serial}`;
    return { schema, url: pool.bouncer.url({ schema }) };
  };

  /** The password never appears in anything booty prints, and nothing looks like a crash. */
  const secretFree = (result: RunResult, ...secrets: string[]) => {
    for (const secret of [PG_PASSWORD, ...secrets]) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
    }
    expectNoStackTrace(result);
    return result;
  };
  const run = async (args: string[], url: string, env: NodeJS.ProcessEnv = {}, ...secrets: string[]) => {
    const options = { cwd: workspace({ '.booty.yml': ENABLED }), timeoutMs: 30_000 };
    const result = await booty(args, { ...options, env: cleanEnv({ RELEASE_GOVERNOR_STORE_URL: url, ...env }) });
    return secretFree(result, ...secrets);
  };

  test('governor status and state check work with RELEASE_GOVERNOR_STORE_URL naming PgBouncer', async () => {
    const { schema, url } = freshUrl();
    const location = url.replace(`:${encodeURIComponent(PG_PASSWORD)}@`, '@');
    expect(location).toContain(`:${pool.bouncer.port}/`);

    const first = await run(['governor', 'status', '--json'], url);
    expect(first.status).toBe(0);
    const store = { kind: 'postgres', location };
    expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, enabled: true, store, deliveries: { entries: 0 } });

    await withLibraryStore(url, async (library) => {
      for (const n of [1, 2, 3]) {
        await library.deliveries.claim({ repo: REPO, headSha: sha(n), deliveryId: `delivery-${n}` });
      }
    });
    const status = await run(['governor', 'status'], url);
    expect(status.status).toBe(0);
    const storeLine = status.stdout.split('\n').find((line) => line.trimStart().startsWith('store:'));
    expect(storeLine?.trim().replace(/ +/g, ' ')).toBe(`store: postgres ${location}`);

    const check = await run(['state', 'check', '--json'], url);
    expect(check.status).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, healthy: true, store, deliveries: 3 });

    // A damaged claim row is named, through PgBouncer too (exit 1), and nothing is changed.
    const damage = `UPDATE "${schema}".deliveries SET delivery_id = E'bad\\x01id' WHERE key = $1`;
    await pg.admin.query(damage, [`${REPO}:${sha(2)}`]);
    const damaged = await run(['state', 'check'], url);
    expect(damaged.status).toBe(1);
    expect(damaged.stdout).toContain(`${REPO}:${sha(2)}`);
    expect(damaged.stdout).toContain('booty state reset deliveries');
  });

  test('PGOPTIONS, which PgBouncer refuses: exit 1 naming the parameter, the variable and the fix', async () => {
    const { url } = freshUrl();
    const result = await run(['governor', 'status'], url, { PGOPTIONS: '-c statement_timeout=5000' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('refused the startup parameter options (from PGOPTIONS in the environment)');
    expect(result.stderr).toContain('Unset PGOPTIONS');
    expect(result.stderr).toContain('ignore_startup_parameters = options');
    expect(result.stderr).not.toContain('cannot be reached');
    const json = await run(['governor', 'status', '--json'], url, { PGOPTIONS: '-c statement_timeout=5000' });
    expect(json.status).toBe(1);
    const details = { reason: 'refused-parameter', field: 'options' };
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'STATE_UNAVAILABLE', details } });
  });

  test('a wrong password is a refused login (exit 1), never "cannot be reached", no password anywhere', async () => {
    const url = pool.bouncer.url({ schema: 'cli_bouncer_auth' }, { password: WRONG });
    const result = await run(['state', 'check'], url, {}, WRONG);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('refused the login of user booty_admin');
    expect(result.stderr).not.toContain('cannot be reached');
  });
});
