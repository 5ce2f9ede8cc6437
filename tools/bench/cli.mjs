// Benchmark section "cli": start-up of the built `booty` against `node -e 0`, a new process each
// time, alternating. Each round runs the three subjects (node -e 0, booty governor status on this
// repository, booty --version) in a rotating order, once for wall time and once for peak RSS;
// ratios are the median of the per-round ratios, so machine drift between rounds cancels out.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median, ratioRow, round } from './table.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const BIN = path.join(ROOT, 'packages', 'cli', 'bin', 'booty.js');
const PRELOAD = path.join(HERE, 'maxrss-preload.cjs');
const TIME = '/usr/bin/time';

/** The environment of every run: the caller's, without anything that would change booty's path. */
function benchEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('RELEASE_GOVERNOR_') && key !== 'BOOTY_DEBUG' && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return env;
}

/**
 * How the peak RSS of a child is read. GNU time reports the child's own maximum resident set
 * (from wait4's rusage), so nothing is added to the process measured. Without it, every subject
 * runs with a tiny preload that writes process.resourceUsage().maxRSS at exit: still the child's
 * own figure, with the same small addition on both sides of the ratio.
 */
function chooseRssMethod(scratch) {
  if (fs.existsSync(TIME)) {
    const out = path.join(scratch, 'probe.rss');
    const probe = spawnSync(TIME, ['-f', '%M', '-o', out, process.execPath, '-e', '0'], { stdio: 'ignore' });
    if (probe.status === 0 && /^\d+\s*$/.test(fs.readFileSync(out, 'utf8'))) {
      return { name: `${TIME} -f %M (GNU time: the child's own max RSS, from wait4)`, kind: 'time' };
    }
  }
  return { name: 'process.resourceUsage().maxRSS written at exit by a preload (-r) in every subject', kind: 'preload' };
}

export async function cliSection({ quick = false, log = () => {} } = {}) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'booty-bench-cli-'));
  const env = benchEnv();
  try {
    const stateDir = path.join(scratch, 'state');
    const subjects = {
      node: { label: 'node -e 0', args: ['-e', '0'] },
      status: { label: 'booty governor status', args: [BIN, 'governor', 'status', '--workspace', ROOT, '--state-dir', stateDir] },
      version: { label: 'booty --version', args: [BIN, '--version'] },
    };
    // The state directory is created once, before timing: the runs measure the steady state.
    const first = spawnSync(process.execPath, subjects.status.args, { cwd: ROOT, env, encoding: 'utf8' });
    if (first.status !== 0 || !first.stdout.startsWith('Governor: enabled')) {
      throw new Error(`booty governor status on ${ROOT} did not show an enabled Governor (exit ${first.status}; is packages/cli built? npm run bench builds first):\n${first.stdout}${first.stderr}`);
    }
    const rss = chooseRssMethod(scratch);
    const rssFile = path.join(scratch, 'run.rss');

    const wallOnce = (subject) => {
      const started = performance.now();
      const result = spawnSync(process.execPath, subject.args, { cwd: ROOT, env, stdio: 'ignore' });
      const ms = performance.now() - started;
      if (result.status !== 0) throw new Error(`${subject.label} exited with ${result.status ?? result.signal}`);
      return ms;
    };
    const rssOnce = (subject) => {
      fs.rmSync(rssFile, { force: true });
      const result =
        rss.kind === 'time'
          ? spawnSync(TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...subject.args], { cwd: ROOT, env, stdio: 'ignore' })
          : spawnSync(process.execPath, ['-r', PRELOAD, ...subject.args], { cwd: ROOT, env: { ...env, BENCH_MAXRSS_FILE: rssFile }, stdio: 'ignore' });
      if (result.status !== 0) throw new Error(`${subject.label} exited with ${result.status ?? result.signal} while measuring RSS`);
      return Number.parseInt(fs.readFileSync(rssFile, 'utf8'), 10) / 1024; // KiB -> MiB
    };

    const names = Object.keys(subjects);
    const rounds = quick ? 5 : 21;
    const warmup = quick ? 1 : 3;
    const wall = { node: [], status: [], version: [] };
    const peak = { node: [], status: [], version: [] };
    log(`cli: ${warmup} warm-up + ${rounds} rounds of ${names.join(', ')} (wall time, then peak RSS via ${rss.kind})`);
    for (let round = -warmup; round < rounds; round++) {
      // Rotate, and reverse every other round: each subject runs first, middle and last alike.
      const shift = ((round % names.length) + names.length) % names.length;
      let order = [...names.slice(shift), ...names.slice(0, shift)];
      if (round % 2 !== 0) order = order.reverse();
      const times = Object.fromEntries(order.map((name) => [name, wallOnce(subjects[name])]));
      const peaks = Object.fromEntries(order.map((name) => [name, rssOnce(subjects[name])]));
      if (round < 0) continue;
      for (const name of names) {
        wall[name].push(times[name]);
        peak[name].push(peaks[name]);
      }
    }

    const pairRatio = (series, name) => median(series[name].map((value, i) => value / series.node[i]));
    const ms = (values) => round(median(values), 1);
    const mib = (values) => round(median(values), 1);
    const rows = [];
    const add = (kind, name, what, series, unit, format, target) =>
      rows.push(
        ratioRow({
          section: 'cli',
          kind,
          figure: `CLI start-up, ${what}: \`${subjects[name].label}\` / \`node -e 0\``,
          ours: { label: subjects[name].label, value: format(series[name]), unit },
          pair: { label: 'node -e 0', value: format(series.node), unit },
          ratio: pairRatio(series, name),
          target,
          samples: rounds,
        }),
      );
    add('target', 'status', 'wall time', wall, 'ms', ms, { op: '<=', value: 1.3 });
    add('target', 'status', 'peak RSS', peak, 'MiB', mib, { op: '<=', value: 1.3 });
    add('reference', 'version', 'wall time', wall, 'ms', ms, null);
    add('reference', 'version', 'peak RSS', peak, 'MiB', mib, null);
    for (const row of rows) {
      const name = row.ours.label === subjects.status.label ? 'status' : 'version';
      const series = row.figure.includes('wall') ? wall : peak;
      row.raw = { ours: series[name].map((v) => round(v, 2)), pair: series.node.map((v) => round(v, 2)) };
    }
    return { rows, method: { rssMethod: rss.name, rounds, warmupRounds: warmup } };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
