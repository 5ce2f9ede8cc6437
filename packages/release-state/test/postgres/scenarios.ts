// Multi-process scenarios on one PostgreSQL store, each written once and run both directly
// (processes.spec.ts) and through PgBouncer (pgbouncer.spec.ts). A scenario gets the store's URL
// (as the workers reach it), its schema, and an admin pool on the server itself to look at rows.
import type { Pool } from 'pg';
import { runTogether, startPgWorker, type Line } from './workers';

export interface Target {
  /** The store's URL as the workers use it (the server, or a pooler in front of it). */
  url: string;
  schema: string;
  /** A pool on the server directly, for reading what the store wrote. */
  admin: Pool;
}

type Row = { key: string; delivery_id: string; attempt: number };
const rows = async ({ admin, schema }: Target) =>
  (await admin.query<Row>(`SELECT key, delivery_id, attempt FROM "${schema}".deliveries`)).rows;

/** `processes` workers claim `perProcess` keys each, none shared: every claim is won and kept. */
export async function distinctClaimsAreAllKept(target: Target, processes: number, perProcess: number): Promise<void> {
  const { url } = target;
  const commands = Array.from({ length: processes }, (_, w) => {
    return { url, op: 'claim', repo: 'octo/app', from: w * perProcess, count: perProcess, tag: `w${w}` };
  });
  const results = await runTogether(commands);
  for (const r of results) {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(perProcess);
    expect(r.lines.filter((line) => line['claimed'] !== true)).toEqual([]);
  }
  expect(await rows(target)).toHaveLength(processes * perProcess);
}

/** `processes` workers race head-on over the same `keys` keys: one winner each, the stored holder. */
export async function racersMakeOneWinnerPerKey(target: Target, processes: number, keys: number): Promise<void> {
  const { url } = target;
  const stride = Math.floor(keys / processes);
  // Each worker starts at another key (offset) and goes round: they meet head-on.
  const commands = Array.from({ length: processes }, (_, w) => {
    return { url, op: 'claim', repo: 'octo/app', from: 0, count: keys, tag: `w${w}`, salt: 'same', offset: w * stride };
  });
  const results = await runTogether(commands);
  const wins = new Map<number, string[]>();
  for (const [w, r] of results.entries()) {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(keys);
    for (const line of r.lines) {
      const i = line['i'] as number;
      if (line['claimed'] === true) wins.set(i, [...(wins.get(i) ?? []), `w${w}-${i}`]);
    }
  }
  expect(wins.size).toBe(keys);
  expect([...wins.values()].filter((ids) => ids.length !== 1)).toEqual([]);
  const stored = await rows(target);
  expect(stored).toHaveLength(keys);
  const holders = new Set(stored.map((row) => row.delivery_id));
  for (const ids of wins.values()) expect(holders.has(ids[0] as string)).toBe(true);
}

/**
 * Leases across processes: a live holder's running lease is never taken over; after the holder
 * is SIGKILLed and its lease has ended, exactly one of six racing processes takes it over; a
 * completed claim stays final.
 */
export async function killedLeaseIsTakenOverOnce(target: Target): Promise<void> {
  const { url, admin, schema } = target;
  // Long enough that six racers start and finish well inside it on a loaded machine.
  const leaseMs = 8000;
  const holder = startPgWorker({ url, op: 'hold', repo: 'octo/app', from: 1, tag: 'holder', leaseMs });
  try {
    await holder.ready;
    await waitFor(() => holder.lines.length > 0);
    expect(holder.lines[0]).toEqual({ claimed: true, attempt: 1 });
    const finish = { url, op: 'complete', repo: 'octo/app', from: 2, tag: 'finisher', leaseMs: 100 };
    const finisher = await runTogether([finish]);
    expect(finisher[0]?.lines).toEqual([{ claimed: true, completed: true }]);
    const leaseEnd = async () => {
      const sql = `SELECT lease_expires_at AS end FROM "${schema}".deliveries WHERE delivery_id = 'holder'`;
      return (await admin.query<{ end: Date }>(sql)).rows[0]?.end.getTime() ?? 0;
    };

    const race = (tag: string) => {
      const racer = (w: number) => ({ url, op: 'claim', repo: 'octo/app', from: 1, count: 2, tag: `${tag}${w}` });
      return runTogether(Array.from({ length: 6 }, (_, w) => ({ ...racer(w), leaseMs: 60_000 })));
    };
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
    const lostKey1 = late.filter((line) => line['i'] === 1 && line['claimed'] === false);
    expect(lostKey1.every((line) => line['deliveryId'] === takeovers[0]?.['deliveryId'])).toBe(true);
    // The completed key stays final, after its lease time too.
    const key2 = late.filter((line) => line['i'] === 2);
    expect(key2.every((line) => line['claimed'] === false && line['deliveryId'] === 'finisher')).toBe(true);
    const stored = await rows(target);
    expect(stored.find((row) => row.delivery_id === takeovers[0]?.['deliveryId'])).toMatchObject({ attempt: 2 });
  } finally {
    // Also when an expectation failed: never leave the holder running.
    holder.child.kill('SIGKILL');
  }
}

/** updateState from `processes` workers, `each` increments apiece: none lost, fn run once per call. */
export async function incrementsAreNeverLost(target: Target, processes: number, each: number): Promise<void> {
  const { url, admin, schema } = target;
  const results = await runTogether(Array.from({ length: processes }, () => ({ url, op: 'increment', count: each })));
  for (const r of results) expect(r.lines).toEqual([{ calls: each }]);
  const body = (await admin.query<{ body: string }>(`SELECT body FROM "${schema}".release_state`)).rows[0]?.body ?? '';
  expect(JSON.parse(body)).toMatchObject({ counter: processes * each });
}

/**
 * `processes` first starts at once: the migrations are applied once, nobody fails, and no lock is
 * left behind (a session-level lock released on another server connection, as a pooler in
 * transaction mode would route the release, would stay held).
 */
export async function firstStartsMigrateOnce(target: Target, processes: number): Promise<void> {
  const { url, admin, schema } = target;
  const results = await runTogether(Array.from({ length: processes }, () => ({ url, op: 'open' })));
  for (const r of results) expect(r.lines).toEqual([{ opened: true }]);
  const locks = await admin.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`);
  expect(locks.rows).toEqual([{ n: 0 }]);
  const applied = await admin.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
  expect(applied.rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
  expect((await admin.query(`SELECT count(*)::int AS n FROM "${schema}".release_state`)).rows).toEqual([{ n: 1 }]);
}

export async function waitFor(condition: () => boolean, timeoutMs = 30_000, state = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting ${state()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export type { Line };
