// Many processes, one PostgreSQL server: exactly-once claims, leases across processes, the
// read-modify-write of the release state, and many first starts at once. The workers run the
// built package (dist/), as a deployed worker would.
import { Pool } from 'pg';
import { describeWithPg, startPgServer, type PgServer } from '../support/pg-server';
import { runTogether, startPgWorker, type Line } from './workers';

describeWithPg('PostgreSQL store across processes', () => {
  let server: PgServer;
  let admin: Pool;
  let serial = 0;
  const fresh = () => {
    const schema = `proc_${++serial}`;
    return { schema, url: server.url({ schema }) };
  };
  const rows = async (schema: string) =>
    (await admin.query<{ key: string; delivery_id: string; attempt: number }>(`SELECT key, delivery_id, attempt FROM "${schema}".deliveries`)).rows;

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
    const { schema, url } = fresh();
    const results = await runTogether(Array.from({ length: 8 }, (_, w) => ({ url, op: 'claim', repo: 'octo/app', from: w * 200, count: 200, tag: `w${w}` })));
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.lines).toHaveLength(200);
      expect(r.lines.every((line) => line['claimed'] === true)).toBe(true);
    }
    expect(await rows(schema)).toHaveLength(1600);
  });

  it('8 processes racing on the same 200 keys make exactly 200 winners, each the stored holder', async () => {
    const { schema, url } = fresh();
    const results = await runTogether(Array.from({ length: 8 }, (_, w) => ({ url, op: 'claim', repo: 'octo/app', from: 0, count: 200, tag: `w${w}`, salt: 'same', offset: w * 25 })));
    const wins = new Map<number, string[]>();
    for (const [w, r] of results.entries()) {
      expect(r.code).toBe(0);
      expect(r.lines).toHaveLength(200);
      for (const line of r.lines) {
        if (line['claimed'] === true) wins.set(line['i'] as number, [...(wins.get(line['i'] as number) ?? []), `w${w}-${String(line['i'])}`]);
      }
    }
    expect(wins.size).toBe(200);
    expect([...wins.values()].every((ids) => ids.length === 1)).toBe(true);
    const stored = await rows(schema);
    expect(stored).toHaveLength(200);
    const holders = new Set(stored.map((row) => row.delivery_id));
    for (const ids of wins.values()) expect(holders.has(ids[0] as string)).toBe(true);
  });

  it('leases: no early takeover; after the holder is SIGKILLed exactly one takeover; none after completion', async () => {
    const { schema, url } = fresh();
    // Long enough that six racers start and finish well inside it on a loaded machine.
    const leaseMs = 8000;
    const holder = startPgWorker({ url, op: 'hold', repo: 'octo/app', from: 1, tag: 'holder', leaseMs });
    await holder.ready;
    await waitFor(() => holder.lines.length > 0);
    expect(holder.lines[0]).toEqual({ claimed: true, attempt: 1 });
    const finisher = await runTogether([{ url, op: 'complete', repo: 'octo/app', from: 2, tag: 'finisher', leaseMs: 100 }]);
    expect(finisher[0]?.lines).toEqual([{ claimed: true, completed: true }]);
    const leaseEnd = async () =>
      (await admin.query<{ end: Date }>(`SELECT lease_expires_at AS end FROM "${schema}".deliveries WHERE delivery_id = 'holder'`)).rows[0]?.end.getTime() ?? 0;

    const race = (tag: string) => runTogether(Array.from({ length: 6 }, (_, w) => ({ url, op: 'claim', repo: 'octo/app', from: 1, count: 2, tag: `${tag}${w}`, leaseMs: 60_000 })));
    // Key 1 (held by a live process, lease running) and key 2 (completed): nobody takes either.
    const early = (await race('early')).flatMap((r) => r.lines);
    expect(Date.now()).toBeLessThan(await leaseEnd());
    expect(early).toHaveLength(12);
    expect(early.filter((line) => line['claimed'] === true)).toEqual([]);

    holder.child.kill('SIGKILL');
    expect((await holder.done).signal).toBe('SIGKILL');
    const end = await leaseEnd();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, end - Date.now()) + 200));
    const late = (await race('late')).flatMap((r) => r.lines);
    const takeovers = late.filter((line) => line['claimed'] === true);
    expect(takeovers).toHaveLength(1);
    expect(takeovers[0]).toMatchObject({ i: 1, takeover: true, attempt: 2 });
    expect(late.filter((line) => line['i'] === 1 && line['claimed'] === false).every((line) => line['deliveryId'] === takeovers[0]?.['deliveryId'])).toBe(true);
    // The completed key stays final, after its lease time too.
    expect(late.filter((line) => line['i'] === 2).every((line) => line['claimed'] === false && line['deliveryId'] === 'finisher')).toBe(true);
    const stored = await rows(schema);
    expect(stored.find((row) => row.delivery_id === takeovers[0]?.['deliveryId'])).toMatchObject({ attempt: 2 });
  });

  it('updateState from 8 processes: 400 increments, fn called once each (SELECT … FOR UPDATE)', async () => {
    const { schema, url } = fresh();
    const results = await runTogether(Array.from({ length: 8 }, () => ({ url, op: 'increment', count: 50 })));
    for (const r of results) expect(r.lines).toEqual([{ calls: 50 }]);
    const body = (await admin.query<{ body: string }>(`SELECT body FROM "${schema}".release_state`)).rows[0]?.body ?? '';
    expect(JSON.parse(body)).toMatchObject({ counter: 400 });
  });

  it('8 simultaneous first starts: migrations applied once, no errors', async () => {
    const { schema, url } = fresh();
    const results = await runTogether(Array.from({ length: 8 }, () => ({ url, op: 'open' })));
    for (const r of results) expect(r.lines).toEqual([{ opened: true }]);
    const applied = await admin.query(`SELECT version FROM "${schema}".schema_migrations`);
    expect(applied.rows).toEqual([{ version: 1 }]);
    expect((await admin.query(`SELECT count(*)::int AS n FROM "${schema}".release_state`)).rows).toEqual([{ n: 1 }]);
  });

  it('every server process SIGKILLed and restarted while 4 processes claim: no acknowledged claim lost, no double winner', async () => {
    const { schema, url } = fresh();
    const perWorker = 150;
    const workers = Array.from({ length: 4 }, (_, w) =>
      startPgWorker({ url, op: 'claim', repo: 'octo/app', from: w * perWorker, count: perWorker, tag: `w${w}`, retry: true, barrier: true, options: { retryMs: 500, queryTimeoutMs: 2000, connectTimeoutMs: 1000 } }),
    );
    await Promise.all(workers.map((worker) => worker.ready));
    for (const worker of workers) worker.go();
    // Crash the server twice while the claims are under way.
    let kills = 0;
    for (const threshold of [100, 350]) {
      await waitFor(() => workers.reduce((n, worker) => n + worker.lines.filter((line) => 'claimed' in line).length, 0) >= threshold, 30_000, () =>
        JSON.stringify(workers.map((worker) => worker.lines.slice(-3))),
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
    process.stdout.write(`kill/restart: ${acknowledged} claimed, ${4 * perWorker - acknowledged} answered as redelivery, ${unavailable} STATE_UNAVAILABLE retries (${unknown} with effect unknown)\n`);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 30_000, state: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting ${state()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
