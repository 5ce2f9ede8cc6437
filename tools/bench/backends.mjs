// Benchmark section "backends": the file store beside PostgreSQL, each through
// openReleaseStore (dist/). Claim latency at 1k and 100k stored keys (backends/latency.mjs);
// each claim against its floor, measured in turns in the same run (backends/floors.mjs); claims
// per second for 8 processes against 1 (backends/throughput.mjs); claims across a due prune pass
// (backends/across-pass.mjs). The stores are filled and opened by backends/stores.mjs.
// The server and PgBouncer are throwaway ones, started here with the tests' helpers
// (packages/release-state/test/support/pg-server.ts and pgbouncer.ts, bundled on the fly), fsync on.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { acrossPassRows } from './backends/across-pass.mjs';
import { fileFloorRows, postgresFloorRows } from './backends/floors.mjs';
import { latencyRows } from './backends/latency.mjs';
import { closeStores, openStores, SIZES } from './backends/stores.mjs';
import { PER_PROCESS, PROCESSES, throughputRows } from './backends/throughput.mjs';
import { requireDist } from './layouts/common.mjs';
import { loadPgSupport } from './pg-support.mjs';

const require = createRequire(import.meta.url);

export async function backendsSection({ quick = false, log = () => {} } = {}) {
  const { openReleaseStore } = requireDist('index');
  const pg = require('pg');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'booty-bench-backends-'));
  const rows = [];
  const samples = quick ? 40 : 400;
  // The PostgreSQL pairs take about 1 ms a call: more rounds make them span as long as the others
  // do, so that a burst of load on a shared machine weighs as little in them.
  const pgRounds = quick ? 40 : 2000;
  const perProcess = quick ? 50 : PER_PROCESS;
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

    const stores = await openStores({ scratch, server, admin, openReleaseStore, log });
    rows.push(...(await latencyRows(stores, samples, log)));
    const pgStore = stores.postgres[1000];
    rows.push(...(await postgresFloorRows({ admin, server, bouncer, pgStore, openReleaseStore, pgRounds, log })));
    rows.push(...(await fileFloorRows({ fileStore: stores.file[1000], samples, log })));
    await closeStores(stores);

    rows.push(...(await throughputRows({ scratch, server, perProcess, log })));
    const passSize = quick ? 10_000 : 100_000;
    rows.push(...(await acrossPassRows({ scratch, server, admin, passSize, openReleaseStore, log })));
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
    claimsPerProcess: perProcess,
    samples,
    pgRounds,
    pgbouncer,
  };
  return { rows, method: notRun.length === 0 ? method : { ...method, notRun: notRun.join('; ') } };
}
