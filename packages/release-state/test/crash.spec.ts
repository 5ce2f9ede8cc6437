import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { openReleaseStore } from '../src/index';
import { makeTempDir, removeTempDir, startWorker } from './helpers';

jest.setTimeout(120_000);

const STALE_MS = 1000;
// A writer that cannot get the lock within this fails with STATE_LOCK_TIMEOUT (exit 3), which
// fails the test: so every writer got the lock within the stale threshold plus one poll margin.
const WAIT_MS = STALE_MS + 1000;
const ROUNDS = 20;

interface Ack {
  ack: 'state' | 'claim';
  counter?: number;
  waitedMs?: number;
  headSha?: string;
  deliveryId?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function parseEveryStateFile(stateDir: string): Promise<number> {
  let parsed = 0;
  const check = async (file: string) => {
    const text = await fsp.readFile(file, 'utf8');
    expect(() => JSON.parse(text)).not.toThrow();
    parsed++;
  };
  for (const name of await fsp.readdir(stateDir)) {
    if (name === 'release.json' || name === 'delivery_ids.json') await check(path.join(stateDir, name));
  }
  const ledger = path.join(stateDir, 'deliveries');
  for (const name of await fsp.readdir(ledger).catch(() => [] as string[])) {
    // Temp files are scaffolding, not state: a crash may leave one; it is never read.
    if (name.endsWith('.tmp')) continue;
    await check(path.join(ledger, name));
  }
  return parsed;
}

describe('crash loop: writers killed with SIGKILL at random moments', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir('crash');
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it(`keeps every acknowledged write and recovers the lock, ${ROUNDS} times`, async () => {
    const stateDir = path.join(dir, 'state');
    const claims: { headSha: string; deliveryId: string }[] = [];
    let lastCounter = 0;
    let locksLeftByKills = 0;
    const firstWaits: number[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      const worker = startWorker({
        op: 'crash-writer',
        stateDir,
        tag: `r${round}`,
        options: { lockStaleMs: STALE_MS, lockWaitMs: WAIT_MS },
        // Odd rounds have a slow critical section, so their kill usually lands while the lock is held.
        slowUpdateMs: round % 2 === 1 ? 40 : 0,
      });
      await worker.ready;
      // Let it make progress (its first write proves it got the lock), then kill it at a random moment.
      while ((worker.lines as Ack[]).filter((line) => line.ack === 'state').length === 0) {
        if (worker.child.exitCode !== null) break;
        await sleep(2);
      }
      await sleep(Math.floor(Math.random() * 120));
      worker.child.kill('SIGKILL');
      const result = await worker.done;
      expect({ round, signal: result.signal, stderr: result.stderr }).toEqual({ round, signal: 'SIGKILL', stderr: '' });

      const acks = result.lines as Ack[];
      const states = acks.filter((line) => line.ack === 'state');
      expect(states.length).toBeGreaterThan(0);
      firstWaits.push(states[0]?.waitedMs ?? -1);
      for (const line of acks)
        if (line.ack === 'claim' && line.headSha && line.deliveryId)
          claims.push({ headSha: line.headSha, deliveryId: line.deliveryId });
      const acked = Math.max(lastCounter, ...states.map((line) => line.counter ?? 0));

      if (
        await fsp.stat(path.join(stateDir, 'release.json.lock')).then(
          () => true,
          () => false,
        )
      )
        locksLeftByKills++;

      // Every file parses; every acknowledged write is there (at most one more, unacknowledged).
      expect(await parseEveryStateFile(stateDir)).toBeGreaterThan(0);
      const store = await openReleaseStore({ stateDir, lockStaleMs: STALE_MS, lockWaitMs: WAIT_MS });
      const counter = (await store.readState())['counter'] as number;
      expect(counter).toBeGreaterThanOrEqual(acked);
      expect(counter).toBeLessThanOrEqual(acked + 1);
      lastCounter = counter;
      for (const claim of claims) {
        const record = await store.deliveries.get({ repo: 'crash/loop', headSha: claim.headSha });
        expect(record?.deliveryId).toBe(claim.deliveryId);
      }
    }

    // The kills did land inside critical sections, and the next writer broke those locks.
    expect(locksLeftByKills).toBeGreaterThan(0);
    expect(firstWaits.every((ms) => ms >= 0)).toBe(true);

    const store = await openReleaseStore({ stateDir, lockStaleMs: STALE_MS, lockWaitMs: WAIT_MS });
    const after = await store.updateState((state) => ({ ...state, counter: (state['counter'] as number) + 1 }));
    expect(after['counter']).toBe(lastCounter + 1);
    expect(claims.length).toBeGreaterThan(0);
  });
});
