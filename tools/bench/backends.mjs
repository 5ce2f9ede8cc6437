// Benchmark section "backends": the file store beside PostgreSQL, each through
// openReleaseStore (dist/). Claim latency at 1k and 100k stored keys; claims per second for 8
// processes against 1; and each claim against its floor, measured alternately in the same run:
//   PostgreSQL: a bare INSERT … ON CONFLICT DO NOTHING round trip through the same driver (pg),
//               on the same server, into a table of the same shape; both directly and through
//               PgBouncer in transaction mode (the claim through PgBouncer against the floor
//               through the same PgBouncer, in the same rounds as the direct pair);
//   file store: the bare durable sequence it cannot avoid: create a file exclusively, write the
//               entry, fsync it, link it to its name, fsync the directory.
// The server and PgBouncer are throwaway ones, started here with the tests' helpers
// (packages/release-state/test/support/pg-server.ts and pgbouncer.ts, bundled on the fly), fsync on.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { requireDist, ROOT, sha, writeSeedEntries } from './layouts/common.mjs';
import { fileAcrossPass, postgresAcrossPass } from './prune-pass.mjs';
import { detailRow, median, percentile, ratioRow, round } from './table.mjs';
import { runTogether, startWorker } from './workers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const SIZES = [1_000, 100_000];
const PROCESSES = 8;
const PER_PROCESS = 200;

/** The tests' server and PgBouncer helpers, as one CommonJS file (one copy of their state). */
export async function loadPgSupport(dir) {
  const outfile = path.join(dir, 'pg-support.cjs');
  await build({
    stdin: {
      contents: "export * from './pg-server'; export * from './pgbouncer';",
      resolveDir: path.join(ROOT, 'packages/release-state/test/support'),
      loader: 'ts',
    },
    outfile,
    platform: 'node',
    format: 'cjs',
    bundle: true,
    logLevel: 'warning',
  });
  return require(outfile);
}

/** The ledger's entry codec, { entryName, serializeEntry }: the module layouts/entry-files.mjs uses. */
const entryCodec = () => requireDist('file/ledger/entry');

/** n entries written straight into a fresh file store (setup, not measured). */
async function populateFile(stateDir, n, openReleaseStore) {
  await (await openReleaseStore({ stateDir })).close();
  writeSeedEntries(path.join(stateDir, 'deliveries'), n, entryCodec());
}

/** n rows inserted in one statement into a fresh schema (setup, not measured). */
async function populatePg(admin, schema, n) {
  await admin.query(
    `INSERT INTO "${schema}".deliveries (key, delivery_id, recorded_at, attempt)
     SELECT 'bench/seed:' || lpad(to_hex(i), 40, '0'), 'seed-' || i, now(), 1 FROM generate_series(0, $1::int - 1) AS i`,
    [n],
  );
  await admin.query(`ANALYZE "${schema}".deliveries`);
}

async function throughput(location, processes, perProcess, tag) {
  const workers = Array.from({ length: processes }, (_, w) =>
    startWorker(
      path.join(HERE, 'backend-worker.mjs'),
      { location, count: perProcess, tag: `${tag}${w}` },
      'backend worker',
    ),
  );
  const { results, t0, t1, total } = await runTogether(workers);
  return { perSecond: (total / (t1 - t0)) * 1000, total, claimed: results.reduce((sum, r) => sum + r.claimed, 0) };
}

/** Runs every function of `subjects` once a round, the order rotated every round; the series in ms by name. */
export async function interleave(rounds, subjects) {
  const names = Object.keys(subjects);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      const started = performance.now();
      await subjects[name](i);
      times[name].push(performance.now() - started);
    }
  }
  return times;
}

/** Alternates `a` and `b` (order swapped every round) and returns both series in ms. */
async function alternate(rounds, a, b) {
  const times = { a: [], b: [] };
  for (let i = 0; i < rounds; i++) {
    for (const [name, fn] of i % 2 === 0
      ? [
          ['a', a],
          ['b', b],
        ]
      : [
          ['b', b],
          ['a', a],
        ]) {
      const started = performance.now();
      await fn(i);
      times[name].push(performance.now() - started);
    }
  }
  return times;
}

/** The row of a claim against its floor: `times` from alternate(claim, floor); target ratio <= `limit`. */
function againstFloor(figure, floorLabel, times, limit, samples) {
  return ratioRow({
    section: 'backends',
    figure,
    ours: { label: 'claim', value: round(median(times.a)), unit: 'ms' },
    pair: { label: floorLabel, value: round(median(times.b)), unit: 'ms' },
    ratio: median(times.a) / median(times.b),
    target: { op: '<=', value: limit },
    samples,
  });
}

export async function backendsSection({ quick = false, log = () => {} } = {}) {
  const { openReleaseStore } = requireDist('index');
  const pg = require('pg');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'booty-bench-backends-'));
  const rows = [];
  const samples = quick ? 40 : 400;
  // The PostgreSQL pairs take about 1 ms a call: more rounds make them span as long as the others
  // do, so that a burst of load on a shared machine weighs as little in them.
  const pgRounds = quick ? 40 : 2000;
  const notRun = [];
  let server = null;
  let bouncer = null;
  try {
    const { startPgServer, findPgBin, startPgBouncer, findPgBouncer } = await loadPgSupport(scratch);
    if (findPgBin() === null) {
      // Said loudly, and recorded in the JSON: a table without these rows must not look complete.
      log('*** backends: NOT RUN: no PostgreSQL server binaries (apt-get install postgresql) ***');
      return { rows: [], method: { notRun: 'no PostgreSQL server binaries' } };
    }
    log('backends: starting a throwaway PostgreSQL server (fsync on)');
    server = await startPgServer({ durable: true });
    if (findPgBouncer() === null) {
      // Said loudly, and recorded in the JSON, as for the server.
      log('*** backends: PgBouncer rows NOT RUN: no pgbouncer (apt-get install pgbouncer) ***');
      notRun.push('no pgbouncer: the PgBouncer rows');
    } else {
      log('backends: starting PgBouncer in transaction mode in front of it');
      bouncer = await startPgBouncer(server, 'transaction');
    }
    const admin = new pg.Pool({ connectionString: server.url(), max: 2 });
    admin.on('error', () => undefined);

    // Stores at each size, both backends.
    const stores = { file: {}, postgres: {} };
    for (const size of SIZES) {
      const stateDir = path.join(scratch, `file-${size}`, 'state');
      log(`backends: file store: populating ${size} keys`);
      await populateFile(stateDir, size, openReleaseStore);
      stores.file[size] = {
        store: await openReleaseStore({ stateDir, maxDeliveries: 10_000_000 }),
        dir: path.join(stateDir, 'deliveries'),
      };
      const schema = `bench_${size}`;
      const url = server.url({ schema });
      await (await openReleaseStore({ url })).close();
      log(`backends: postgres: populating ${size} keys`);
      await populatePg(admin, schema, size);
      stores.postgres[size] = { store: await openReleaseStore({ url }), schema };
    }
    for (const kind of ['file', 'postgres'])
      for (const size of SIZES)
        for (let i = 0; i < 10; i++)
          await stores[kind][size].store.deliveries.claim({
            repo: 'bench/warmup',
            headSha: sha(i, `w${kind}${size}`),
            deliveryId: `warm-${i}`,
          });

    // Latency at 1k and 100k, round-robin across sizes and backends.
    log(`backends: claim latency, ${samples} per size and backend`);
    const latency = { file: { 1000: [], 100000: [] }, postgres: { 1000: [], 100000: [] } };
    for (let i = 0; i < samples; i++) {
      for (const kind of ['file', 'postgres']) {
        for (const size of SIZES) {
          const started = performance.now();
          const result = await stores[kind][size].store.deliveries.claim({
            repo: 'bench/measure',
            headSha: sha(i, `m${kind}${size}`),
            deliveryId: `measure-${i}`,
          });
          latency[kind][size].push(performance.now() - started);
          if (!result.claimed) throw new Error(`backends: ${kind}: a fresh key was not claimed`);
        }
      }
    }
    const names = { file: 'file store', postgres: 'PostgreSQL' };
    for (const kind of ['file', 'postgres']) {
      rows.push(
        ratioRow({
          section: 'backends',
          kind: 'reference',
          figure: `Claim latency at 100k / 1k stored keys, ${names[kind]}`,
          ours: { label: '100k keys', value: round(median(latency[kind][100000])), unit: 'ms' },
          pair: { label: '1k keys', value: round(median(latency[kind][1000])), unit: 'ms' },
          ratio: median(latency[kind][100000]) / median(latency[kind][1000]),
          samples,
        }),
      );
      for (const size of SIZES) {
        rows.push(
          detailRow({
            section: 'backends',
            figure: `Claim p95 at ${size / 1000}k keys, ${names[kind]}`,
            ours: { label: names[kind], value: round(percentile(latency[kind][size], 0.95)), unit: 'ms' },
          }),
        );
      }
    }

    // PostgreSQL claim against its floor: same driver, same server, a table of the same shape;
    // directly and through PgBouncer, all four in the same rounds. The floor is unnamed, as the
    // store's statements are (a named one would not survive a pooler in transaction mode).
    const pgStore = stores.postgres[1000];
    await admin.query(`CREATE TABLE "${pgStore.schema}".floor (LIKE "${pgStore.schema}".deliveries INCLUDING ALL)`);
    const floorSql = `INSERT INTO "${pgStore.schema}".floor (key, delivery_id, recorded_at, attempt, claim_token) VALUES ($1, $2, now(), 1, gen_random_uuid()) ON CONFLICT (key) DO NOTHING`;
    const floorPool = (url) => {
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      pool.on('error', () => undefined);
      return pool;
    };
    const direct = floorPool(server.url());
    const claimOn = (store, salt) => (i) => {
      return store.deliveries.claim({ repo: 'bench/floor', headSha: sha(i, salt), deliveryId: `c-${i}` });
    };
    const floorOn = (pool, salt) => (i) => pool.query(floorSql, [`bench/floor:${sha(i, salt)}`, `f-${i}`]);
    const subjects = { claim: claimOn(pgStore.store, 'pgclaim'), floor: floorOn(direct, 'pgfloor') };
    let pooled = null;
    let bouncerStore = null;
    if (bouncer !== null) {
      pooled = floorPool(bouncer.url());
      bouncerStore = await openReleaseStore({ url: bouncer.url({ schema: pgStore.schema }) });
      subjects.bouncerClaim = claimOn(bouncerStore, 'pgbclaim');
      subjects.bouncerFloor = floorOn(pooled, 'pgbfloor');
    }
    for (let i = 0; i < 10; i++) for (const run of Object.values(subjects)) await run(1_000_000 + i);
    const paths = bouncer === null ? '' : ', directly and through PgBouncer';
    log(`backends: PostgreSQL claim vs bare INSERT … ON CONFLICT DO NOTHING${paths}, ${pgRounds} rounds`);
    const pgTimes = await interleave(pgRounds, subjects);
    await direct.end();
    const directFigure = 'PostgreSQL claim / bare INSERT … ON CONFLICT DO NOTHING (same driver, same run)';
    rows.push(againstFloor(directFigure, 'bare INSERT', { a: pgTimes.claim, b: pgTimes.floor }, 1.5, pgRounds));
    if (bouncer !== null) {
      await pooled.end();
      await bouncerStore.close();
      rows.push(
        againstFloor(
          'PostgreSQL through PgBouncer (transaction mode): claim / bare INSERT … ON CONFLICT DO NOTHING, ' +
            'both through it (same run)',
          'bare INSERT',
          { a: pgTimes.bouncerClaim, b: pgTimes.bouncerFloor },
          1.5,
          pgRounds,
        ),
      );
      rows.push(
        ratioRow({
          section: 'backends',
          kind: 'reference',
          figure: 'PostgreSQL claim through PgBouncer (transaction mode) / direct claim (same run)',
          ours: { label: 'through PgBouncer', value: round(median(pgTimes.bouncerClaim)), unit: 'ms' },
          pair: { label: 'direct', value: round(median(pgTimes.claim)), unit: 'ms' },
          ratio: median(pgTimes.bouncerClaim) / median(pgTimes.claim),
          samples: pgRounds,
        }),
      );
    }

    // File-store claim against the bare durable sequence, in the same directory.
    const fileStore = stores.file[1000];
    const { entryName, serializeEntry } = entryCodec();
    // Through fs.promises, as the store must (an async API: the same thread-pool round trips).
    const dirHandle = await fs.promises.open(fileStore.dir, 'r');
    const floorFile = async (i) => {
      const key = `bench/floor:${sha(i, 'filefloor')}`;
      const temp = path.join(fileStore.dir, `.floor-${process.pid}-${i}.tmp`);
      const bytes = serializeEntry({ key, deliveryId: `f-${i}`, recordedAt: new Date().toISOString() });
      const handle = await fs.promises.open(
        temp,
        fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL,
        0o600,
      );
      try {
        await handle.write(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.promises.link(temp, path.join(fileStore.dir, entryName(key)));
      await dirHandle.sync();
      return temp;
    };
    log(`backends: file-store claim vs the bare durable sequence, ${samples} alternating rounds`);
    const temps = [];
    const filePair = await alternate(
      samples,
      (i) =>
        fileStore.store.deliveries.claim({ repo: 'bench/floor', headSha: sha(i, 'fileclaim'), deliveryId: `c-${i}` }),
      async (i) => temps.push(await floorFile(i)),
    );
    await dirHandle.close();
    for (const temp of temps) fs.rmSync(temp, { force: true });
    rows.push(
      againstFloor(
        'File-store claim / bare create-exclusive, write, fsync, link, fsync dir (same run)',
        'bare sequence',
        filePair,
        1.2,
        samples,
      ),
    );
    for (const kind of ['file', 'postgres']) for (const size of SIZES) await stores[kind][size].store.close();

    // Claims per second: 8 processes against 1, both backends.
    const perProcess = quick ? 50 : PER_PROCESS;
    for (const kind of ['file', 'postgres']) {
      const location = (name) =>
        kind === 'file'
          ? { stateDir: path.join(scratch, `tp-${name}`, 'state') }
          : { url: server.url({ schema: `tp_${name}` }) };
      log(
        `backends: ${names[kind]}: claims/s, 1 process x ${perProcess * PROCESSES}, then ${PROCESSES} x ${perProcess}`,
      );
      const one = await throughput(location('one'), 1, perProcess * PROCESSES, 'one');
      const many = await throughput(location('many'), PROCESSES, perProcess, 'many');
      rows.push(
        ratioRow({
          section: 'backends',
          kind: 'reference',
          figure: `Claims per second, ${PROCESSES} processes (aggregate) / 1 process, ${names[kind]}`,
          ours: { label: `${PROCESSES} processes`, value: round(many.perSecond, 0), unit: '/s' },
          pair: { label: '1 process', value: round(one.perSecond, 0), unit: '/s' },
          ratio: many.perSecond / one.perSecond,
          samples: many.total,
        }),
      );
      rows.push(
        detailRow({
          section: 'backends',
          figure: `Claimed of ${many.total} distinct concurrent claims, ${names[kind]}`,
          ours: { label: names[kind], value: many.claimed, unit: `of ${many.total}` },
          target: { op: '=', value: many.total },
        }),
      );
    }
    // Claims across a due prune pass at 100k keys (prune-pass.mjs), default options.
    const passSize = quick ? 10_000 : 100_000;
    const passDir = path.join(scratch, 'pass', 'state');
    const runs = {
      file: await fileAcrossPass({ stateDir: passDir, size: passSize, openReleaseStore, codec: entryCodec(), log }),
      postgres: await postgresAcrossPass({
        url: server.url({ schema: 'pass' }),
        schema: 'pass',
        admin,
        size: passSize,
        openReleaseStore,
        log,
      }),
    };
    for (const kind of ['file', 'postgres']) {
      const { control, across, passClaims, passMs, removed } = runs[kind];
      const name = names[kind];
      const label = `${passSize / 1000}k`;
      const maxOverMedian = (times, figure, rowKind, target) =>
        ratioRow({
          section: 'backends',
          kind: rowKind,
          figure,
          ours: { label: 'max', value: round(Math.max(...times)), unit: 'ms' },
          pair: { label: 'median', value: round(median(times)), unit: 'ms' },
          ratio: Math.max(...times) / median(times),
          target,
          samples: times.length,
        });
      const crossing = `Claim latency max / median at ${label} keys, across a due prune pass (defaults), ${name}`;
      rows.push(maxOverMedian(across, crossing, 'target', { op: '<=', value: 20 }));
      const still = `Claim latency max / median at ${label} keys, no pass due (control: same store, before), ${name}`;
      rows.push(maxOverMedian(control, still, 'reference', null));
      const p99 = { label: name, value: round(percentile(across, 0.99)), unit: 'ms' };
      const p99Figure = `Claim p99 across the prune pass at ${label} keys, ${name}`;
      rows.push(detailRow({ section: 'backends', figure: p99Figure, ours: p99 }));
      const note = `${passClaims} claims beside it, ${removed} removed`;
      const [value, unit] = passMs === null ? [passClaims, 'claims'] : [round(passMs, 0), 'ms'];
      const ours = { label: name, value, unit };
      const passFigure = `Prune pass at ${label} keys in the background, ${name}`;
      rows.push(detailRow({ section: 'backends', figure: passFigure, ours, note }));
    }
    await admin.end();
  } finally {
    if (bouncer !== null) await bouncer.stop();
    if (server !== null) await server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const pgbouncer = bouncer === null ? null : 'transaction mode, default settings';
  const method = {
    sizes: SIZES,
    processes: PROCESSES,
    claimsPerProcess: quick ? 50 : PER_PROCESS,
    samples,
    pgRounds,
    pgbouncer,
  };
  return { rows, method: notRun.length === 0 ? method : { ...method, notRun: notRun.join('; ') } };
}
