// Benchmark section "store": the delivery ledger's claim cost at 1k, 10k and 100k stored ids,
// and claims per second for 1 and 8 processes, for each layout measured.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sha } from './layouts/common.mjs';
import { detailRow, median, percentile, ratioRow, round } from './table.mjs';
import { runTogether, startWorker } from './workers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LAYOUTS = ['entry-files.mjs', 'journal.mjs', 'python-design.mjs'].map(
  (file) => pathToFileURL(path.join(HERE, 'layouts', file)).href,
);
const SIZES = [1_000, 10_000, 100_000];
const PROCESSES = 8;
const PER_PROCESS = 200;

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'booty-bench-'));
}

/**
 * Claim latency at every size, measured round-robin across the sizes (one claim at 1k, one at
 * 10k, one at 100k, again...) so that a change in machine load affects every size alike.
 */
async function latencies(layout, sampleCounts, log, { prune = true } = {}) {
  const dirs = [];
  try {
    const stores = [];
    for (const [size, samples] of sampleCounts) {
      const dir = tempDir();
      dirs.push(dir);
      const stateDir = path.join(dir, 'state');
      log(`store: ${layout.name}: populating ${size} stored ids`);
      await layout.populate(stateDir, size);
      const openStarted = performance.now();
      const ledger = await layout.open(stateDir);
      const openMs = performance.now() - openStarted;
      for (let i = 0; i < 10; i++) await ledger.claim('bench/warmup', sha(i, `w${size}`), `warm-${i}`);
      stores.push({ size, samples, ledger, openMs, times: [] });
    }
    log(
      `store: ${layout.name}: measuring claim latency (${sampleCounts.map(([size, n]) => `${n} at ${size}`).join(', ')})`,
    );
    for (let i = 0; stores.some((store) => store.times.length < store.samples); i++) {
      for (const store of stores) {
        if (store.times.length >= store.samples) continue;
        const started = performance.now();
        const result = await store.ledger.claim('bench/measure', sha(i, `m${store.size}`), `measure-${i}`);
        store.times.push(performance.now() - started);
        if (!result.claimed) throw new Error(`${layout.name}: a fresh key was not claimed`);
      }
    }
    const out = {};
    for (const store of stores) {
      out[store.size] = { median: median(store.times), p95: percentile(store.times, 0.95), openMs: store.openMs };
      if (prune && store.ledger.prune && store.size === SIZES[SIZES.length - 1]) {
        log(`store: ${layout.name}: prune passes at ${store.size}`);
        let started = performance.now();
        await store.ledger.prune();
        out[store.size].firstPruneMs = performance.now() - started;
        started = performance.now();
        await store.ledger.prune();
        out[store.size].nextPruneMs = performance.now() - started;
      }
      await store.ledger.close();
    }
    return out;
  } finally {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function throughput(layoutUrl, layout, processes, perProcess) {
  const dir = tempDir();
  try {
    const stateDir = path.join(dir, 'state');
    await (await layout.open(stateDir)).close();
    const workers = Array.from({ length: processes }, (_, w) =>
      startWorker(
        path.join(HERE, 'claim-worker.mjs'),
        { layout: layoutUrl, stateDir, count: perProcess, tag: `p${w}` },
        'claim worker',
      ),
    );
    const { t0, t1, total } = await runTogether(workers);
    const ledger = await layout.open(stateDir);
    const kept = await ledger.count();
    await ledger.close();
    return { perSecond: (total / (t1 - t0)) * 1000, total, kept };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows of the table (see table.mjs); the issue's targets apply to the chosen layout only. */
export async function storeSection({ quick = false, log = () => {} } = {}) {
  const rows = [];
  for (const url of LAYOUTS) {
    const layout = await import(url);
    // A smoke run skips the layout that was measured and not chosen.
    if (quick && layout.name.startsWith('journal')) continue;
    const name = layout.name;
    const chosen = layout.chosen === true;
    const detail = (figure, value, unit, extra = {}) =>
      rows.push(
        detailRow({ section: 'store', figure: `${figure}, ${name}`, ours: { label: name, value, unit }, ...extra }),
      );
    // The Python design rewrites the whole file per claim: fewer samples at large sizes.
    const slow = name.startsWith('python');
    const sampleCounts = SIZES.map((size) => [
      size,
      slow ? Math.max(quick ? 5 : 15, Math.round((quick ? 30_000 : 300_000) / size)) : quick ? 30 : 400,
    ]);
    const perSize = await latencies(layout, sampleCounts, log, { prune: !quick });
    const label = (size) => `${size / 1000}k`;
    const [small, , large] = SIZES;
    rows.push(
      ratioRow({
        section: 'store',
        kind: chosen ? 'target' : 'reference',
        figure: `Claim latency at ${label(large)} / ${label(small)} stored ids, ${name}`,
        ours: { label: `${label(large)} ids`, value: round(perSize[large].median), unit: 'ms' },
        pair: { label: `${label(small)} ids`, value: round(perSize[small].median), unit: 'ms' },
        ratio: perSize[large].median / perSize[small].median,
        target: chosen ? { op: '<=', value: 2 } : null,
        samples: sampleCounts[0][1],
      }),
    );
    for (const size of SIZES) {
      detail(`Claim median at ${label(size)} ids`, round(perSize[size].median), 'ms', {
        samples: sampleCounts.find(([s]) => s === size)[1],
      });
      detail(`Claim p95 at ${label(size)} ids`, round(perSize[size].p95), 'ms');
    }
    detail(`Open store at ${label(large)} ids`, round(perSize[large].openMs, 1), 'ms', { note: 'once per process' });
    if (perSize[large].firstPruneMs !== undefined) {
      detail(
        `Prune pass at ${label(large)} ids, first (reads every entry)`,
        round(perSize[large].firstPruneMs, 0),
        'ms',
        { note: 'at most hourly' },
      );
      detail(`Prune pass at ${label(large)} ids, next (incremental)`, round(perSize[large].nextPruneMs, 0), 'ms', {
        note: 'at most hourly',
      });
    }
    const perProcess = quick ? 50 : PER_PROCESS;
    log(`store: ${name}: claims/s, 1 process x ${perProcess * PROCESSES}`);
    const one = await throughput(url, layout, 1, perProcess * PROCESSES);
    log(`store: ${name}: claims/s, ${PROCESSES} processes x ${perProcess}`);
    const many = await throughput(url, layout, PROCESSES, perProcess);
    rows.push(
      ratioRow({
        section: 'store',
        kind: chosen ? 'target' : 'reference',
        figure: `Claims per second, ${PROCESSES} processes (aggregate) / 1 process, ${name}`,
        ours: { label: `${PROCESSES} processes`, value: round(many.perSecond, 0), unit: '/s' },
        pair: { label: '1 process', value: round(one.perSecond, 0), unit: '/s' },
        ratio: many.perSecond / one.perSecond,
        target: chosen ? { op: '>=', value: 0.5 } : null,
        samples: many.total,
      }),
    );
    detail(
      `Entries kept after ${PROCESSES} x ${perProcess} distinct concurrent claims`,
      many.kept,
      `of ${many.total}`,
      chosen ? { target: { op: '=', value: many.total } } : {},
    );
  }
  return { rows, method: { sizes: SIZES, processes: PROCESSES, claimsPerProcess: quick ? 50 : PER_PROCESS } };
}
