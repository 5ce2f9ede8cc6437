// Benchmark section "fenced": what the holder's record step costs, on each backend through
// openReleaseStore (dist/). Each round claims fresh keys with a lease (not timed), then times, in
// an order rotated every round:
//   fenced    updateState(fn, { claim, complete }): the state and the completion in one critical
//             section (files: the pending file, the completed entry, the state file; PostgreSQL:
//             one transaction with the claim's row locked);
//   two-step  complete() then updateState(fn): what a worker did before, not crash-safe;
//   complete  complete() alone: the floor of any record step;
//   extend    deliveries.extend(): one renewal of the lease.
// fn changes the state every time, so every state write is a real write. PostgreSQL runs on a
// throwaway server (fsync on), directly and through PgBouncer in transaction mode.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireDist, sha } from './layouts/common.mjs';
import { loadPgSupport } from './pg-support.mjs';
import { interleave } from './rounds.mjs';
import { detailRow, median, ratioRow, round } from './table.mjs';

const LEASE_MS = 60_000;

/** The record-step subjects on one store; each round's keys are claimed before it is timed. */
function subjectsOn(store, tag) {
  const key = (name, i) => ({ repo: 'bench/fenced', headSha: sha(i, `${tag}-${name}`) });
  const claimed = (name, i) => ({ ...key(name, i), deliveryId: `${tag}-${name}-${i}`, attempt: 1 });
  const next = (i) => (state) => ({ ...state, last_deploy_attempt_sha: sha(i, tag), last_deploy_result: 'pending' });
  return {
    prepare: async (i) => {
      for (const name of ['fenced', 'two-step', 'complete', 'extend']) {
        await store.deliveries.claim({ ...key(name, i), deliveryId: `${tag}-${name}-${i}`, leaseMs: LEASE_MS });
      }
    },
    subjects: {
      fenced: (i) => store.updateState(next(i), { claim: claimed('fenced', i), complete: { outcome: 'allowed' } }),
      'two-step': async (i) => {
        await store.deliveries.complete({ ...claimed('two-step', i), outcome: 'allowed' });
        await store.updateState(next(i));
      },
      complete: (i) => store.deliveries.complete({ ...claimed('complete', i), outcome: 'allowed' }),
      extend: (i) => store.deliveries.extend({ ...claimed('extend', i), leaseMs: LEASE_MS }),
    },
  };
}

/** Times the subjects for `rounds` rounds (keys claimed before each round, not timed). */
async function measure(store, tag, rounds) {
  const { prepare, subjects } = subjectsOn(store, tag);
  const times = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
  for (let i = 0; i < rounds; i++) {
    await prepare(i);
    const round = await interleave(
      1,
      Object.fromEntries(Object.entries(subjects).map(([name, fn]) => [name, () => fn(i)])),
    );
    for (const [name, series] of Object.entries(round)) times[name].push(...series);
  }
  return times;
}

function rowsOf(backend, times, samples) {
  const ms = (name) => ({ label: name, value: round(median(times[name])), unit: 'ms' });
  const pairOf = (ours, pair, figure) =>
    ratioRow({
      section: 'fenced',
      kind: 'reference',
      figure,
      ours: ms(ours),
      pair: ms(pair),
      ratio: median(times[ours]) / median(times[pair]),
      samples,
    });
  return [
    pairOf(
      'fenced',
      'two-step',
      `${backend}: fenced complete with its state write / complete then updateState (same run)`,
    ),
    pairOf('fenced', 'complete', `${backend}: fenced complete with its state write / complete alone (same run)`),
    detailRow({ section: 'fenced', figure: `${backend}: extend (renew a lease), median`, ours: ms('extend'), samples }),
  ];
}

export async function fencedSection({ quick = false, log = () => {} } = {}) {
  const { openReleaseStore } = requireDist('index');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'booty-bench-fenced-'));
  const rounds = quick ? 30 : 300;
  const rows = [];
  const notRun = [];
  let server = null;
  let bouncer = null;
  try {
    log(`fenced: file store, ${rounds} rounds`);
    const file = await openReleaseStore({ stateDir: path.join(scratch, 'state') });
    rows.push(...rowsOf('File store', await measure(file, 'file', rounds), rounds));
    await file.close();

    const { startPgServer, findPgBin, startPgBouncer, findPgBouncer } = await loadPgSupport(scratch);
    if (findPgBin() === null) {
      log('*** fenced: PostgreSQL rows NOT RUN: no PostgreSQL server binaries ***');
      notRun.push('no PostgreSQL server binaries');
      return { rows, method: { rounds, notRun } };
    }
    log('fenced: starting a throwaway PostgreSQL server (fsync on)');
    server = await startPgServer({ durable: true });
    const direct = await openReleaseStore({ url: server.url({ schema: 'fenced' }) });
    log(`fenced: PostgreSQL, ${rounds} rounds`);
    rows.push(...rowsOf('PostgreSQL', await measure(direct, 'pg', rounds), rounds));
    await direct.close();
    if (findPgBouncer() === null) {
      log('*** fenced: PgBouncer rows NOT RUN: no pgbouncer ***');
      notRun.push('no pgbouncer');
    } else {
      bouncer = await startPgBouncer(server, 'transaction');
      const pooled = await openReleaseStore({ url: bouncer.url({ schema: 'fenced' }) });
      log(`fenced: PostgreSQL through PgBouncer, ${rounds} rounds`);
      rows.push(
        ...rowsOf('PostgreSQL through PgBouncer (transaction mode)', await measure(pooled, 'bouncer', rounds), rounds),
      );
      await pooled.close();
    }
  } finally {
    if (bouncer !== null) await bouncer.stop();
    if (server !== null) await server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return { rows, method: { rounds, leaseMs: LEASE_MS, ...(notRun.length > 0 ? { notRun } : {}) } };
}
