// Benchmark section "cli": start-up of the built `booty` against `node -e 0` of the same binary,
// on every Node line (tools/e2e/node-lines), a new process each time, alternating. Each round runs
// the subjects (node -e 0, booty governor status on this repository, the same without the code
// cache, booty --version) in a rotating order, once for wall time and once for peak RSS; ratios
// are the median of the per-round ratios, so machine drift between rounds cancels out.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { nodeLines } from './node-lines.mjs';
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
    if (
      !key.startsWith('RELEASE_GOVERNOR_') &&
      !['BOOTY_DEBUG', 'NODE_OPTIONS', 'NODE_DISABLE_COMPILE_CACHE', 'NODE_COMPILE_CACHE'].includes(key)
    )
      env[key] = value;
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

// The start-up targets per line (issue 12): Node 24 starts about 3x faster than Node 20, so what
// booty adds weighs more there. Lines without a target are reported for reference.
const WALL_TARGETS = { 20: 1.3, 24: 2.0 };
// Peak memory: the target of issue 6, on the line it was set for.
const RSS_TARGETS = { 20: 1.3 };

export async function cliSection({ quick = false, log = () => {} } = {}) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'booty-bench-cli-'));
  try {
    const lines = nodeLines({ log });
    const rss = chooseRssMethod(scratch);
    const rounds = quick ? 5 : 21;
    const warmup = quick ? 1 : 3;
    const rows = [];
    for (const line of lines) rows.push(...measureLine(line, { rounds, warmup, log, scratch, rss }));
    return {
      rows,
      method: { rssMethod: rss.name, rounds, warmupRounds: warmup, lines: lines.map((line) => line.version) },
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function measureLine(line, { rounds, warmup, log, scratch, rss }) {
  const node = line.node;
  const base = path.join(scratch, `node-${line.major}`);
  const stateDir = path.join(base, 'state');
  // Its own TMPDIR: the code cache (<tmpdir>/booty-code-cache-<uid>) starts empty, and the first
  // run below writes it, as a user's first run does.
  const tmp = path.join(base, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  const env = { ...benchEnv(), TMPDIR: tmp };
  const status = [BIN, 'governor', 'status', '--workspace', ROOT, '--state-dir', stateDir];
  const subjects = {
    node: { label: 'node -e 0', args: ['-e', '0'], env },
    status: { label: 'booty governor status', args: status, env },
    uncached: {
      label: 'booty governor status, no code cache',
      args: status,
      env: { ...env, NODE_DISABLE_COMPILE_CACHE: '1' },
    },
    version: { label: 'booty --version', args: [BIN, '--version'], env },
  };
  // The state directory and the code cache are created once, before timing: the runs measure
  // the steady state.
  for (const subject of [subjects.status, subjects.version]) {
    const first = spawnSync(node, subject.args, { cwd: ROOT, env, encoding: 'utf8' });
    if (first.status !== 0 || (subject === subjects.status && !first.stdout.startsWith('Governor: enabled'))) {
      throw new Error(
        `${subject.label} on Node ${line.version}, in ${ROOT}, failed (exit ${first.status ?? first.signal}; ` +
          `is packages/cli built? npm run bench builds first):\n${first.stdout}${first.stderr}`,
      );
    }
  }
  const rssFile = path.join(scratch, 'run.rss');

  const wallOnce = (subject) => {
    const started = performance.now();
    const result = spawnSync(node, subject.args, { cwd: ROOT, env: subject.env, stdio: 'ignore' });
    const ms = performance.now() - started;
    if (result.status !== 0)
      throw new Error(`${subject.label} on Node ${line.version} exited with ${result.status ?? result.signal}`);
    return ms;
  };
  const rssOnce = (subject) => {
    fs.rmSync(rssFile, { force: true });
    const result =
      rss.kind === 'time'
        ? spawnSync(TIME, ['-f', '%M', '-o', rssFile, node, ...subject.args], {
            cwd: ROOT,
            env: subject.env,
            stdio: 'ignore',
          })
        : spawnSync(node, ['-r', PRELOAD, ...subject.args], {
            cwd: ROOT,
            env: { ...subject.env, BENCH_MAXRSS_FILE: rssFile },
            stdio: 'ignore',
          });
    if (result.status !== 0)
      throw new Error(
        `${subject.label} on Node ${line.version} exited with ${result.status ?? result.signal} while measuring RSS`,
      );
    return Number.parseInt(fs.readFileSync(rssFile, 'utf8'), 10) / 1024; // KiB -> MiB
  };

  const names = Object.keys(subjects);
  const wall = Object.fromEntries(names.map((name) => [name, []]));
  const peak = Object.fromEntries(names.map((name) => [name, []]));
  log(
    `cli, Node ${line.version}: ${warmup} warm-up + ${rounds} rounds of ${names.join(', ')} (wall time, then peak RSS via ${rss.kind})`,
  );
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
  const add = (name, what, series, unit, format, targetValue) => {
    const row = ratioRow({
      section: 'cli',
      kind: targetValue === undefined ? 'reference' : 'target',
      figure: `Node ${line.major}: CLI start-up, ${what}: \`${subjects[name].label}\` / \`node -e 0\``,
      ours: { label: subjects[name].label, value: format(series[name]), unit },
      pair: { label: `node -e 0 (Node ${line.version})`, value: format(series.node), unit },
      ratio: pairRatio(series, name),
      target: targetValue === undefined ? null : { op: '<=', value: targetValue },
      samples: rounds,
    });
    row.raw = { ours: series[name].map((v) => round(v, 2)), pair: series.node.map((v) => round(v, 2)) };
    rows.push(row);
  };
  add('status', 'wall time', wall, 'ms', ms, WALL_TARGETS[line.major]);
  add('status', 'peak RSS', peak, 'MiB', mib, RSS_TARGETS[line.major]);
  add('uncached', 'wall time', wall, 'ms', ms, undefined);
  add('version', 'wall time', wall, 'ms', ms, undefined);
  return rows;
}
