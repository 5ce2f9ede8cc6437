import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { openReleaseStore } from '../src/index';
import { makeTempDir, removeTempDir, runTogether, type WorkerResult } from './helpers';

jest.setTimeout(60_000);

interface ClaimLine {
  i: number;
  claimed: boolean;
  redelivery: boolean;
  winner: string;
}

function sha(n: number, salt: string): string {
  const hex = Buffer.from(`${salt}:${n}`).toString('hex');
  return (hex + '0'.repeat(40)).slice(0, 40).replace(/[^0-9a-f]/g, '0');
}

function expectClean(results: WorkerResult[]): void {
  for (const result of results) {
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  }
}

describe('eight processes at once (real child processes on one state directory)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir('conc');
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('keeps every one of 8 x 200 distinct claims (1,600 entries)', async () => {
    const stateDir = path.join(dir, 'state');
    const results = await runTogether(
      Array.from({ length: 8 }, (_, w) => ({
        op: 'claim',
        stateDir,
        repo: 'octo/distinct',
        from: w * 200,
        count: 200,
        tag: `w${w}`,
      })),
    );
    expectClean(results);
    const lines = results.flatMap((result) => result.lines as ClaimLine[]);
    expect(lines).toHaveLength(1600);
    expect(lines.every((line) => line.claimed)).toBe(true);

    const store = await openReleaseStore({ stateDir });
    expect(await store.deliveries.count()).toBe(1600);
    for (let i = 0; i < 1600; i++) {
      const record = await store.deliveries.get({ repo: 'octo/distinct', headSha: sha(i, 'k') });
      expect(record?.deliveryId).toBe(`w${Math.floor(i / 200)}-${i}`);
    }
    // Every entry file is whole JSON; no temp file is left behind.
    const names = await fsp.readdir(path.join(stateDir, 'deliveries'));
    expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('gives exactly one winner per key when 8 processes race for the same 200 keys', async () => {
    const stateDir = path.join(dir, 'state');
    const results = await runTogether(
      Array.from({ length: 8 }, (_, w) => ({
        op: 'claim',
        stateDir,
        repo: 'octo/race',
        from: 0,
        count: 200,
        tag: `w${w}`,
      })),
    );
    expectClean(results);
    const lines = results.flatMap((result, w) => (result.lines as ClaimLine[]).map((line) => ({ ...line, worker: w })));
    expect(lines).toHaveLength(1600);
    expect(lines.filter((line) => line.claimed)).toHaveLength(200);

    const store = await openReleaseStore({ stateDir });
    for (let i = 0; i < 200; i++) {
      const forKey = lines.filter((line) => line.i === i);
      const winners = forKey.filter((line) => line.claimed);
      expect(winners).toHaveLength(1);
      const winner = `w${winners[0]?.worker}-${i}`;
      // Losers are told who won, and the ledger agrees.
      expect(new Set(forKey.map((line) => line.winner))).toEqual(new Set([winner]));
      expect((await store.deliveries.get({ repo: 'octo/race', headSha: sha(i, 'k') }))?.deliveryId).toBe(winner);
    }
    expect(await store.deliveries.count()).toBe(200);
  });

  it('ends at 800 after 8 processes each do 100 updateState increments', async () => {
    const stateDir = path.join(dir, 'state');
    const results = await runTogether(Array.from({ length: 8 }, () => ({ op: 'increment', stateDir, count: 100 })));
    expectClean(results);
    const seen = results.flatMap((result) => (result.lines as { counter: number }[]).map((line) => line.counter));
    // Each increment saw a distinct predecessor: the read-modify-write is one critical section.
    expect(new Set(seen).size).toBe(800);
    const store = await openReleaseStore({ stateDir });
    const state = await store.readState();
    expect(state['counter']).toBe(800);
    expect(state.production_sha_current).toBeNull();
    const names = await fsp.readdir(stateDir);
    expect(names.filter((name) => name.endsWith('.tmp') || name.endsWith('.lock'))).toEqual([]);
  });
});
