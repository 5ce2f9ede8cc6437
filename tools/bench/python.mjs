// Benchmark section "python": claim latency at 10,000 stored ids, @booty/release-state against
// the Python store's design (layouts/python-design.mjs: the whole delivery_ids.json read, then
// rewritten, per record). One claim of each in turn, the order swapped every round, so both see
// the same machine; the ratio is the median of the per-round ratios.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sha } from './layouts/common.mjs';
import * as ours from './layouts/entry-files.mjs';
import * as python from './layouts/python-design.mjs';
import { detailRow, median, percentile, ratioRow, round } from './table.mjs';

const SIZE = 10_000;

export async function pythonSection({ quick = false, log = () => {} } = {}) {
  const rounds = quick ? 15 : 60;
  const dirs = [];
  try {
    const sides = [];
    for (const layout of [ours, python]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'booty-bench-py-'));
      dirs.push(dir);
      const stateDir = path.join(dir, 'state');
      log(`python: ${layout.name}: populating ${SIZE} stored ids`);
      await layout.populate(stateDir, SIZE);
      const ledger = await layout.open(stateDir);
      for (let i = 0; i < 5; i++) await ledger.claim('bench/warmup', sha(i, 'py-warm'), `warm-${i}`);
      sides.push({ layout, ledger, times: [] });
    }
    log(`python: ${rounds} alternating claims each at ${SIZE / 1000}k ids`);
    for (let i = 0; i < rounds; i++) {
      for (const side of i % 2 === 0 ? sides : [...sides].reverse()) {
        const started = performance.now();
        const result = await side.ledger.claim('bench/python', sha(i, 'py'), `py-${i}`);
        side.times.push(performance.now() - started);
        if (!result.claimed) throw new Error(`${side.layout.name}: a fresh key was not claimed`);
      }
    }
    for (const side of sides) await side.ledger.close();
    const [mine, theirs] = sides;
    const label = `${SIZE / 1000}k`;
    return {
      rows: [
        ratioRow({
          section: 'python',
          figure: `Claim latency at ${label} ids: Python design / @booty/release-state (times faster)`,
          ours: { label: mine.layout.name, value: round(median(mine.times)), unit: 'ms' },
          pair: { label: theirs.layout.name, value: round(median(theirs.times)), unit: 'ms' },
          ratio: median(theirs.times.map((time, i) => time / mine.times[i])),
          target: { op: '>=', value: 5 },
          samples: rounds,
        }),
        detailRow({
          section: 'python',
          figure: `Claim p95 at ${label} ids, Python design (alternating run)`,
          ours: { label: theirs.layout.name, value: round(percentile(theirs.times, 0.95)), unit: 'ms' },
          samples: rounds,
        }),
        detailRow({
          section: 'python',
          figure: `Claim p95 at ${label} ids, @booty/release-state (alternating run)`,
          ours: { label: mine.layout.name, value: round(percentile(mine.times, 0.95)), unit: 'ms' },
          samples: rounds,
        }),
      ],
      method: { pythonRounds: rounds, pythonSize: SIZE },
    };
  } finally {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}
