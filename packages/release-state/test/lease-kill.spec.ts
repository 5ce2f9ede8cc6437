// Leases across processes: a holder SIGKILLed in the middle of its lease loses the key to
// exactly one of several racing processes, never before the lease has ended; once that winner
// has completed, nobody wins again.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { openFileStore } from '../src/file/store';
import type { DeliveryRecord } from '../src/shared/contract-deliveries';
import { makeTempDir, removeTempDir, startWorker, type WorkerResult } from './helpers';

jest.setTimeout(60_000);

const REPO = 'lease/kill';
const HEAD = 'a'.repeat(40);
const LEASE_MS = 800;
const RACERS = 6;

interface Win {
  won: true;
  at: number;
  takeover: boolean;
  record: DeliveryRecord;
}

async function race(stateDir: string, tag: string, durationMs: number): Promise<WorkerResult[]> {
  const workers = Array.from({ length: RACERS }, (_, n) =>
    startWorker({
      op: 'lease-race',
      stateDir,
      repo: REPO,
      headSha: HEAD,
      tag: `${tag}${n}`,
      leaseMs: 60_000,
      durationMs,
      complete: true,
      barrier: true,
    }),
  );
  await Promise.all(workers.map((worker) => worker.ready));
  for (const worker of workers) worker.go();
  return Promise.all(workers.map((worker) => worker.done));
}

const wins = (results: WorkerResult[]) =>
  results.flatMap((result) => result.lines.filter((line): line is Win => (line as Partial<Win>).won === true));

describe('claim leases across processes', () => {
  let dir: string;
  let stateDir: string;
  beforeEach(async () => {
    dir = await makeTempDir('lease-kill');
    stateDir = path.join(dir, 'state');
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('a SIGKILLed holder: no early takeover, exactly one takeover among racers, none after completion', async () => {
    const holder = startWorker({
      op: 'lease-hold',
      stateDir,
      repo: REPO,
      headSha: HEAD,
      tag: 'holder',
      leaseMs: LEASE_MS,
    });
    await holder.ready;
    while (holder.lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const held = holder.lines[0] as { claimed: boolean; record: DeliveryRecord };
    expect(held.claimed).toBe(true);
    holder.child.kill('SIGKILL');
    expect((await holder.done).signal).toBe('SIGKILL');
    const leaseEnds = Date.parse(held.record.leaseExpiresAt ?? '');

    // The racers start well inside the lease and keep trying past its end.
    const first = await race(stateDir, 'r', LEASE_MS + 1500);
    for (const result of first) expect(result.code).toBe(0);
    const won = wins(first);
    expect(won).toHaveLength(1);
    const winner = won[0] as Win;
    expect(winner.takeover).toBe(true);
    expect(winner.record.attempt).toBe(2);
    expect(winner.at).toBeGreaterThanOrEqual(leaseEnds);
    const completed = first.flatMap((result) =>
      result.lines.filter((line) => (line as { completed?: boolean }).completed === true),
    );
    expect(completed).toHaveLength(1);
    // Every racer tried many times: the single win is not for lack of trying.
    for (const result of first) expect((result.lines.at(-1) as { tries: number }).tries).toBeGreaterThan(10);

    const second = await race(stateDir, 's', 600);
    expect(wins(second)).toEqual([]);
    const store = await openFileStore({ stateDir });
    expect(await store.deliveries.get({ repo: REPO, headSha: HEAD })).toEqual({
      ...winner.record,
      leaseExpiresAt: null,
      completedAt: expect.any(String),
      outcome: 'allowed',
    });
    // No per-key lock is left behind by the takeover and the completion.
    expect((await fsp.readdir(path.join(stateDir, 'deliveries'))).filter((name) => name.endsWith('.lock'))).toEqual([]);
  });
});
