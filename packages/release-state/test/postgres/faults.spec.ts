// Faults between the store and its server, on a real server: a connection that goes silent
// (half-open), a lock held elsewhere, a schema from a newer release, a wrong password, a server
// that is down, TLS with the wrong CA, a missing driver. Each failure is a typed StateError in
// bounded time, and no password appears anywhere in it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import type { ReleaseStore } from '../../src/shared/contract';
import { openReleaseStore } from '../../src/open';
import { parsePostgresUrl } from '../../src/postgres/url';
import { failure } from '../expect-state-error';
import { describeWithPg, PG_PASSWORD, selfSignedCertificate } from '../support/pg-server';
import { usePostgres } from '../support/use-postgres';

const SHA = (n: number) => n.toString(16).padStart(40, '0');
const WRONG = 'Wr0ng-Passw0rd-77';
const DIST = path.join(__dirname, '..', '..', 'dist', 'index.js');

/** Every way an error can reach a person or a log, none of which may hold a secret. */
function expectNoSecret(error: unknown, ...secrets: string[]): void {
  const views = [
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: 10 }),
    (error as Error).stack ?? '',
    String((error as Error).cause),
    inspect((error as Error).cause, { depth: 10 }),
  ];
  for (const view of views) for (const secret of secrets) expect(view).not.toContain(secret);
}

async function timed<T>(promise: Promise<T>): Promise<[T, number]> {
  const start = Date.now();
  const value = await promise;
  return [value, Date.now() - start];
}

type Silence = false | 'both' | 'replies';

/** A TCP proxy on 127.0.0.1 that can stop forwarding (both ways, or only the server's replies) while keeping every connection open. */
function startProxy(
  targetPort: number,
): Promise<{ port: number; silence(mode: Silence | boolean): void; close(): Promise<void> }> {
  let silent: Silence = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      const isReply = from === upstream;
      from.on('data', (chunk) => {
        if (silent === false || (silent === 'replies' && !isReply)) to.write(chunk);
      });
      from.on('error', () => undefined);
      from.on('close', () => to.destroy());
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        silence: (mode) => (silent = mode === true ? 'both' : mode),
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

describeWithPg('PostgreSQL store faults', () => {
  const pg = usePostgres();
  let dir: string;
  const open: ReleaseStore[] = [];
  const keep = (store: ReleaseStore) => (open.push(store), store);

  beforeAll(() => {
    pg.admin.on('error', () => undefined);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'booty-pg-faults-'));
  });
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });
  afterAll(() => {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a half-open connection (the proxy stops forwarding) gives STATE_UNAVAILABLE in bounded time, never a hang', async () => {
    const proxy = await startProxy(pg.server.port);
    try {
      const url = `postgres://booty_admin:${encodeURIComponent(PG_PASSWORD)}@127.0.0.1:${proxy.port}/postgres?schema=half_open`;
      const store = keep(await openReleaseStore({ url, queryTimeoutMs: 1000, connectTimeoutMs: 1000, retryMs: 500 }));
      expect((await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(1), deliveryId: 'before' })).claimed).toBe(
        true,
      );
      proxy.silence(true);
      const [error, ms] = await timed(
        failure(store.deliveries.claim({ repo: 'octo/app', headSha: SHA(2), deliveryId: 'silent' })),
      );
      expect(error.code).toBe('STATE_UNAVAILABLE');
      expect(error.details.reason).toBe('timeout');
      // The INSERT was sent and no answer came: whether it happened is unknown, and the message says so.
      expect(error.details.effect).toBe('unknown');
      expect(error.message).toContain('unknown');
      expect(ms).toBeLessThan(10_000);
      expectNoSecret(error, PG_PASSWORD);
      proxy.silence(false);
      // Forwarding again: the same claim is answered (it never reached the server).
      expect(await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(2), deliveryId: 'silent' })).toMatchObject({
        claimed: true,
      });
    } finally {
      await proxy.close();
    }
  });

  it('a claim whose reply was lost (committed, answer dropped) still learns on retry that it won', async () => {
    const proxy = await startProxy(pg.server.port);
    try {
      const url = `postgres://booty_admin:${encodeURIComponent(PG_PASSWORD)}@127.0.0.1:${proxy.port}/postgres?schema=lost_reply`;
      const store = keep(await openReleaseStore({ url, queryTimeoutMs: 100, retryMs: 5000 }));
      await store.deliveries.count();
      // The INSERT reaches the server and commits; its reply is dropped. Forwarding resumes
      // before the client's own timeout, so the retry runs on a new connection.
      proxy.silence('replies');
      setTimeout(() => proxy.silence(false), 500);
      const result = await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(7), deliveryId: 'only-me' });
      expect(result).toMatchObject({ claimed: true, redelivery: false, record: { deliveryId: 'only-me', attempt: 1 } });
      expect((await pg.admin.query(`SELECT count(*)::int AS n FROM lost_reply.deliveries`)).rows).toEqual([{ n: 1 }]);
    } finally {
      await proxy.close();
    }
  });

  it('a row lock held by another session: updateState gives STATE_LOCK_TIMEOUT without calling fn', async () => {
    const schema = 'lock_wait';
    const store = keep(await openReleaseStore({ url: pg.server.url({ schema }), lockTimeoutMs: 300 }));
    const holder = await pg.admin.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT body FROM "${schema}".release_state FOR UPDATE`);
      let calls = 0;
      const [error, ms] = await timed(
        failure(store.updateState((s) => (calls++, { ...s, production_sha_current: SHA(3) }))),
      );
      expect(error.code).toBe('STATE_LOCK_TIMEOUT');
      expect(error.details.reason).toBe('lock-timeout');
      expect(error.details.effect).toBe('none');
      expect(calls).toBe(0);
      expect(ms).toBeLessThan(5_000);
      await holder.query('ROLLBACK');
      expect(
        (await store.updateState((s) => (calls++, { ...s, production_sha_current: SHA(3) }))).production_sha_current,
      ).toBe(SHA(3));
      expect(calls).toBe(1);
    } finally {
      holder.release();
    }
  });

  it('a database whose schema is newer than this library is refused, and left as it is', async () => {
    const schema = 'from_the_future';
    await (await openReleaseStore({ url: pg.server.url({ schema }) })).close();
    await pg.admin.query(`INSERT INTO "${schema}".schema_migrations (version) VALUES (99)`);
    const before = (await pg.admin.query(`SELECT body FROM "${schema}".release_state`)).rows;
    const error = await failure(openReleaseStore({ url: pg.server.url({ schema }) }));
    expect(error.code).toBe('STATE_CORRUPT');
    expect(error.details.reason).toBe('schema-newer');
    expect(error.message).toContain('99');
    expect((await pg.admin.query(`SELECT body FROM "${schema}".release_state`)).rows).toEqual(before);
    expect((await pg.admin.query(`SELECT max(version) AS v FROM "${schema}".schema_migrations`)).rows).toEqual([
      { v: 99 },
    ]);
  });

  it('a wrong password is STATE_UNAVAILABLE (auth) in bounded time, with no password in any view of the error', async () => {
    const [error, ms] = await timed(
      failure(openReleaseStore({ url: pg.server.url({ schema: 'auth' }, { password: WRONG }) })),
    );
    expect(error.code).toBe('STATE_UNAVAILABLE');
    expect(error.details.reason).toBe('auth');
    // The fix names where the password came from: here the URL, so neither PGPASSWORD nor ~/.pgpass.
    expect(error.message).toContain('Check the password in the store URL');
    expect(error.message).not.toContain('PGPASSWORD');
    expect(ms).toBeLessThan(10_000);
    expectNoSecret(error, WRONG, PG_PASSWORD);
  });

  it('a server that is down is STATE_UNAVAILABLE (unreachable) in bounded time; the claim is known not to have happened', async () => {
    const probe = net.createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => resolve((probe.address() as net.AddressInfo).port)),
    );
    await new Promise((resolve) => probe.close(resolve));
    const url = `postgres://booty_admin:${encodeURIComponent(PG_PASSWORD)}@127.0.0.1:${port}/postgres`;
    const [error, ms] = await timed(failure(openReleaseStore({ url, retryMs: 1000 })));
    expect(error.code).toBe('STATE_UNAVAILABLE');
    expect(error.details.reason).toBe('unreachable');
    expect(error.details.effect).toBe('none');
    expect(error.message).toContain('did not take effect');
    expect(ms).toBeLessThan(10_000);
    expectNoSecret(error, PG_PASSWORD);

    // A server that dies under an open store: the claim's error says whether it happened.
    const proxy = await startProxy(pg.server.port);
    const store = keep(
      await openReleaseStore({
        url: `postgres://booty_admin:${encodeURIComponent(PG_PASSWORD)}@127.0.0.1:${proxy.port}/postgres?schema=down`,
        retryMs: 300,
      }),
    );
    await proxy.close();
    const claim = await failure(store.deliveries.claim({ repo: 'octo/app', headSha: SHA(4), deliveryId: 'd' }));
    expect(claim.code).toBe('STATE_UNAVAILABLE');
    expect(['none', 'unknown']).toContain(claim.details.effect);
    expectNoSecret(claim, PG_PASSWORD);
  });

  const tls = (name: string, fn: () => Promise<void>) =>
    pg.server?.certificate === null
      ? it(`${name} (needs openssl: not run)`, () => void process.stderr.write(`NOT RUN: ${name}: no openssl\n`))
      : it(name, fn);

  tls('TLS: a wrong CA and an unverifiable sslmode=require are refused; the right CA connects over TLS', async () => {
    const wrongCa = path.join(dir, 'wrong-ca.pem');
    expect(selfSignedCertificate(path.join(dir, 'wrong.key'), wrongCa)).toBe(true);
    for (const params of [
      { sslmode: 'verify-full', sslrootcert: wrongCa },
      { sslmode: 'require' },
      { sslmode: 'verify-ca', sslrootcert: wrongCa },
    ]) {
      const error = await failure(openReleaseStore({ url: pg.server.url({ ...params, schema: 'tls' }), retryMs: 0 }));
      expect(error.code).toBe('STATE_UNAVAILABLE');
      expect(error.details.reason).toBe('tls');
      expectNoSecret(error, PG_PASSWORD);
    }
    const rightCa = path.join(dir, 'server-ca.pem');
    fs.writeFileSync(rightCa, pg.server.certificate ?? '');
    const store = keep(
      await openReleaseStore({
        url: pg.server.url({
          sslmode: 'verify-full',
          sslrootcert: rightCa,
          schema: 'tls',
          application_name: 'booty-tls-test',
        }),
      }),
    );
    await store.deliveries.count();
    const ssl = await pg.admin.query(
      `SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'booty-tls-test'`,
    );
    expect(ssl.rows.length).toBeGreaterThan(0);
    expect(ssl.rows.every((row: { ssl: boolean }) => row.ssl)).toBe(true);
  });

  it('passwords come from PGPASSWORD or a pgpass file when the URL has none', async () => {
    const url = pg.server.url({ schema: 'env_pw' }, { password: null });
    const saved = { PGPASSWORD: process.env['PGPASSWORD'], PGPASSFILE: process.env['PGPASSFILE'] };
    try {
      process.env['PGPASSWORD'] = PG_PASSWORD;
      await keep(await openReleaseStore({ url })).deliveries.count();
      delete process.env['PGPASSWORD'];
      const pgpass = path.join(dir, 'pgpass');
      fs.writeFileSync(pgpass, `127.0.0.1:${pg.server.port}:*:booty_admin:${PG_PASSWORD}\n`, { mode: 0o600 });
      process.env['PGPASSFILE'] = pgpass;
      await keep(await openReleaseStore({ url })).deliveries.count();
      process.env['PGPASSFILE'] = path.join(dir, 'none');
      const error = await failure(openReleaseStore({ url }));
      expect(error.code).toBe('STATE_UNAVAILABLE');
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('PostgreSQL URL and driver (no server needed)', () => {
  it('refuses unknown parameters, prefer/allow and bad values, never quoting the password', async () => {
    for (const [url, field] of [
      ['postgres://u:Sekr3t-x@db.example.com/app?sslmod=require', 'sslmod'],
      ['postgres://u:Sekr3t-x@db.example.com/app?sslmode=prefer', 'sslmode'],
      ['postgres://u:Sekr3t-x@db.example.com/app?schema=Robert%27)%3B', 'schema'],
      ['postgres://u:Sekr3t-x@db.example.com/app?sslrootcert=/nonexistent/ca.pem', 'sslrootcert'],
      ['postgres://u:Sekr3t-x@/app', 'url'],
    ] as const) {
      const error = await failure(openReleaseStore({ url }));
      expect(error.code).toBe('STATE_INVALID_INPUT');
      expect(error.details.field).toBe(field);
      expectNoSecret(error, 'Sekr3t-x');
    }
    expect((await failure(openReleaseStore({ url: 'mysql://u:Sekr3t-x@h/db' }))).code).toBe('STATE_INVALID_INPUT');
    expect((await failure(openReleaseStore({ url: 'postgres://h/db', stateDir: '/tmp/x' } as never))).code).toBe(
      'STATE_INVALID_INPUT',
    );
  });

  it('verifies TLS by default for any host but loopback and unix sockets', () => {
    expect(parsePostgresUrl('postgres://u@db.example.com/app').sslMode).toBe('verify-full');
    expect(parsePostgresUrl('postgres://u@10.1.2.3/app').sslMode).toBe('verify-full');
    expect(parsePostgresUrl('postgres://u@127.0.0.1/app').sslMode).toBe('disable');
    expect(parsePostgresUrl('postgres://u@localhost/app').sslMode).toBe('disable');
    expect(parsePostgresUrl('postgres://u@x/app?host=/run/postgresql').sslMode).toBe('disable');
    expect(parsePostgresUrl('postgres://u@db.example.com/app?sslmode=disable').sslMode).toBe('disable');
    expect(parsePostgresUrl('postgres://u:p%40ss@db.example.com:6543/app').location).toBe(
      'postgres://u@db.example.com:6543/app',
    );
  });

  it('the file store never loads pg; a postgres URL without pg installed says to install it', () => {
    const fileOnly = spawnSync(
      process.execPath,
      [
        '-e',
        `const { openReleaseStore } = require(${JSON.stringify(DIST)}); ` +
          `const d = require('node:fs').mkdtempSync(require('node:os').tmpdir() + '/booty-nopg-');\n` +
          `openReleaseStore({ stateDir: d + '/s' }).then(async (s) => { await s.deliveries.count(); ` +
          `console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /node_modules\\/pg/.test(k)))); ` +
          `require('node:fs').rmSync(d, { recursive: true }); });`,
      ],
      { encoding: 'utf8' },
    );
    expect(fileOnly.stderr).toBe('');
    expect(JSON.parse(fileOnly.stdout)).toEqual([]);

    const missing = spawnSync(
      process.execPath,
      [
        '-e',
        `const Module = require('node:module'); const resolve = Module._resolveFilename;\n` +
          `Module._resolveFilename = function (request, ...rest) { if (request === 'pg') { ` +
          `const e = new Error("Cannot find module 'pg'"); e.code = 'MODULE_NOT_FOUND'; throw e; } ` +
          `return resolve.call(this, request, ...rest); };\n` +
          `require(${JSON.stringify(DIST)}).openReleaseStore({ url: 'postgres://u:Sekr3t-x@127.0.0.1:1/db' })` +
          `.catch((e) => console.log(JSON.stringify(e)));`,
      ],
      { encoding: 'utf8' },
    );
    const error = JSON.parse(missing.stdout) as { code: string; message: string; details: { reason: string } };
    expect(error).toMatchObject({ code: 'STATE_UNAVAILABLE', details: { reason: 'no-driver' } });
    expect(error.message).toContain('npm install pg');
    expect(missing.stdout).not.toContain('Sekr3t-x');
  });
});
