// Many processes, one PostgreSQL server: exactly-once claims, leases across processes, the
// read-modify-write of the release state, many first starts at once (scenarios.ts, which
// pgbouncer.spec.ts runs through PgBouncer too), and a server crashed under claiming workers.
// The workers run the built package (dist/), as a deployed worker would.
import { Pool } from 'pg';
import { openReleaseStore } from '../../src/open';
import { describeWithPg, startPgServer, type PgServer } from '../support/pg-server';
import {
  distinctClaimsAreAllKept,
  firstStartsMigrateOnce,
  incrementsAreNeverLost,
  killedLeaseIsTakenOverOnce,
  racersMakeOneWinnerPerKey,
  waitFor,
  type Line,
} from './scenarios';
import { startPgWorker } from './workers';

describeWithPg('PostgreSQL store across processes', () => {
  let server: PgServer;
  let admin: Pool;
  let serial = 0;
  const fresh = () => {
    const schema = `proc_${++serial}`;
    return { schema, url: server.url({ schema }) };
  };
  const rows = async (schema: string) =>
    (
      await admin.query<{ key: string; delivery_id: string; attempt: number }>(
        `SELECT key, delivery_id, attempt FROM "${schema}".deliveries`,
      )
    ).rows;

  beforeAll(async () => {
    server = await startPgServer();
    admin = new Pool({ connectionString: server.url(), max: 2 });
    // The kill test crashes the server under this pool too.
    admin.on('error', () => undefined);
  });
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });

  it('8 processes × 200 distinct claims keep all 1,600', async () => {
    await distinctClaimsAreAllKept({ ...fresh(), admin }, 8, 200);
  });

  it('8 processes racing on the same 200 keys make exactly 200 winners, each the stored holder', async () => {
    await racersMakeOneWinnerPerKey({ ...fresh(), admin }, 8, 200);
  });

  it('leases: no early takeover; after the holder is SIGKILLed exactly one takeover; none after completion', async () => {
    await killedLeaseIsTakenOverOnce({ ...fresh(), admin });
  });

  it('a holder SIGKILLed inside a write that completes its claim: neither is done; a takeover follows', async () => {
    const { schema, url } = fresh();
    const holder = startPgWorker({ url, op: 'fenced-hold', repo: 'octo/app', from: 1, tag: 'dies', leaseMs: 500 });
    const inside = () => holder.lines.some((line) => line['inside'] === true);
    await waitFor(inside, 30_000, () => JSON.stringify(holder.lines));
    expect(holder.lines[0]).toEqual({ claimed: true, attempt: 1 });
    holder.child.kill('SIGKILL');
    await holder.done;
    const store = await openReleaseStore({ url });
    try {
      const [row] = await rows(schema);
      const key = { repo: 'octo/app', headSha: (row?.key ?? '').split(':')[1] ?? '' };
      const open = { deliveryId: 'dies', attempt: 1, completedAt: null, outcome: null };
      expect(await store.deliveries.get(key)).toMatchObject(open);
      expect((await store.readState()).last_deploy_attempt_sha).toBeNull();
      // The server rolled the transaction back and let go of the claim's row: after the lease, a takeover.
      await new Promise((resolve) => setTimeout(resolve, 600));
      const taken = await store.deliveries.claim({ ...key, deliveryId: 'taker', leaseMs: 60_000 });
      expect(taken).toMatchObject({ claimed: true, takeover: true, record: { deliveryId: 'taker', attempt: 2 } });
    } finally {
      await store.close();
    }
  });

  it('updateState from 8 processes: 400 increments, fn called once each (SELECT … FOR UPDATE)', async () => {
    await incrementsAreNeverLost({ ...fresh(), admin }, 8, 50);
  });

  it('8 simultaneous first starts: migrations applied once, no errors', async () => {
    await firstStartsMigrateOnce({ ...fresh(), admin }, 8);
  });

  it('every server process SIGKILLed and restarted while 4 processes claim: no acknowledged claim lost, no double winner', async () => {
    const { schema, url } = fresh();
    const perWorker = 150;
    const workers = Array.from({ length: 4 }, (_, w) =>
      startPgWorker({
        url,
        op: 'claim',
        repo: 'octo/app',
        from: w * perWorker,
        count: perWorker,
        tag: `w${w}`,
        retry: true,
        barrier: true,
        options: { retryMs: 500, queryTimeoutMs: 2000, connectTimeoutMs: 1000 },
      }),
    );
    await Promise.all(workers.map((worker) => worker.ready));
    for (const worker of workers) worker.go();
    // Crash the server twice while the claims are under way.
    let kills = 0;
    for (const threshold of [100, 350]) {
      await waitFor(
        () =>
          workers.reduce((n, worker) => n + worker.lines.filter((line) => 'claimed' in line).length, 0) >= threshold,
        30_000,
        () => JSON.stringify(workers.map((worker) => worker.lines.slice(-3))),
      );
      server.killAll();
      kills++;
      // Down for longer than the workers' retryMs: callers see STATE_UNAVAILABLE and retry.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      await server.restart();
    }
    const results = await Promise.all(workers.map((worker) => worker.done));
    const stored = new Map((await rows(schema)).map((row) => [row.key, row.delivery_id]));
    let acknowledged = 0;
    let unavailable = 0;
    let unknown = 0;
    for (const [w, r] of results.entries()) {
      expect(r.code).toBe(0);
      const answers = r.lines.filter((line: Line) => 'claimed' in line);
      unavailable += r.lines.filter((line: Line) => 'unavailable' in line).length;
      unknown += r.lines.filter((line: Line) => line['unavailable'] === 'unknown').length;
      expect(answers).toHaveLength(perWorker);
      for (const line of answers) {
        // Each worker's keys are its own: a "lost" answer would be a lie; a redelivery answer
        // (same id) is the caller's own win whose reply was lost.
        expect(line['claimed'] === true || line['redelivery'] === true).toBe(true);
        expect(line['deliveryId']).toBe(`w${w}-${String(line['i'])}`);
        if (line['claimed'] === true) acknowledged++;
      }
    }
    expect(kills).toBe(2);
    expect(stored.size).toBe(4 * perWorker);
    expect([...stored.values()].every((id) => /^w\d-\d+$/.test(id))).toBe(true);
    expect(acknowledged).toBeGreaterThan(0);
    process.stdout.write(
      `kill/restart: ${acknowledged} claimed, ${4 * perWorker - acknowledged} answered as redelivery, ` +
        `${unavailable} STATE_UNAVAILABLE retries (${unknown} with effect unknown)\n`,
    );
  });
});
