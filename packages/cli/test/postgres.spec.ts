// `booty governor status` on PostgreSQL (RELEASE_GOVERNOR_STORE_URL), through the built binary,
// against a real throwaway server (release-state's test/support/pg-server.ts). The driver comes
// from dist/postgres.js, next to the bundle: the installed CLI has no runtime dependencies.
import * as net from 'node:net';
import { describeWithPg, PG_PASSWORD, startPgServer, type PgServer } from '../../release-state/test/support/pg-server';
import { booty, cleanEnv, expectNoStackTrace, workspace, type RunResult } from './booty';

const ENABLED = 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n';
const WRONG = 'Wr0ng-Passw0rd-77';

describeWithPg('booty governor status on PostgreSQL', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const secretFree = (result: RunResult, ...secrets: string[]) => {
    for (const secret of [PG_PASSWORD, ...secrets]) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
    }
    expectNoStackTrace(result);
    return result;
  };
  const status = (url: string, json: boolean) =>
    booty(['governor', 'status', ...(json ? ['--json'] : [])], {
      cwd: workspace({ '.booty.yml': ENABLED }),
      env: cleanEnv({ RELEASE_GOVERNOR_STORE_URL: url }),
      timeoutMs: 30_000,
    });

  test('shows the skeleton from PostgreSQL: kind postgres, location without the password', async () => {
    const url = server.url({ schema: 'cli_status' });
    const location = url.replace(`:${encodeURIComponent(PG_PASSWORD)}@`, '@');
    const json = secretFree(await status(url, true));
    expect(json.status).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed).toMatchObject({
      ok: true,
      enabled: true,
      store: { kind: 'postgres', location },
      deliveries: { entries: 0, damaged: 0 },
    });
    for (const field of [
      'production_sha_current',
      'production_sha_previous',
      'last_deploy_attempt_sha',
      'last_deploy_time',
      'last_deploy_result',
      'last_health_check',
    ]) {
      expect(parsed.state[field]).toBeNull();
    }
    const human = secretFree(await status(url, false));
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(
      /^ {2}store: +postgres postgres:\/\/booty_admin@127\.0\.0\.1:\d+\/postgres\?schema=cli_status$/m,
    );
    expect(human.stdout).toMatch(/^ {2}production_sha_current: +\(none\)$/m);
  });

  test('a wrong password is exit 1 within 30 s, no stack trace, no password anywhere', async () => {
    const started = Date.now();
    const result = secretFree(await status(server.url({ schema: 'cli_auth' }, { password: WRONG }), false), WRONG);
    expect(result.status).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.stderr).toMatch(/refused the login/);
    // The fix names where the password came from: the variable that holds the URL.
    expect(result.stderr).toContain('Check the password in RELEASE_GOVERNOR_STORE_URL');
    const json = secretFree(await status(server.url({ schema: 'cli_auth' }, { password: WRONG }), true), WRONG);
    expect(json.status).toBe(1);
  });

  test('a stopped server is exit 1 within 30 s, no stack trace, no password anywhere', async () => {
    const probe = net.createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => resolve((probe.address() as net.AddressInfo).port)),
    );
    await new Promise((resolve) => probe.close(resolve));
    const url = `postgres://booty_admin:${encodeURIComponent(PG_PASSWORD)}@127.0.0.1:${port}/postgres`;
    const started = Date.now();
    const result = secretFree(await status(url, false));
    expect(result.status).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.stderr).toMatch(/cannot be reached/);
    expect(result.stderr).toMatch(/pg_isready/);
  });
});
