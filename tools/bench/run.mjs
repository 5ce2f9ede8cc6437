#!/usr/bin/env node
// The benchmark: `node tools/bench/run.mjs [--quick] [--only <section>]` (after a build; `npm run
// bench` builds first). Prints one Markdown table and writes the same to
// bench-results/latest.json. Every figure of issue 6 is a ratio against its pair measured in the
// same run, with both absolute medians. A section is an async function returning
// { rows, method } (rows as described in table.mjs); add one by adding it to SECTIONS.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendsSection } from './backends.mjs';
import { cliSection } from './cli.mjs';
import { fencedSection } from './fenced.mjs';
import { pythonSection } from './python.mjs';
import { storeSection } from './store.mjs';
import { markdown, ordered } from './table.mjs';

const SECTIONS = {
  cli: cliSection,
  store: storeSection,
  python: pythonSection,
  backends: backendsSection,
  fenced: fencedSection,
};

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
if (only !== undefined && !(only in SECTIONS)) {
  console.error(`Unknown section ${JSON.stringify(only)}; known: ${Object.keys(SECTIONS).join(', ')}`);
  process.exit(2);
}

const log = (message) => process.stderr.write(`${message}\n`);
const loadAverage = () => os.loadavg().map((value) => Number(value.toFixed(2)));
const started = new Date();
const machine = {
  cores: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  arch: os.arch(),
  loadAverageAtStart: loadAverage(),
};

const rows = [];
const method = {};
for (const [name, section] of Object.entries(SECTIONS)) {
  if (only !== undefined && name !== only) continue;
  const result = await section({ quick, log });
  rows.push(...result.rows);
  method[name] = result.method;
}
machine.loadAverageAtEnd = loadAverage();
const finished = new Date();
const durationSeconds = Math.round((finished.getTime() - started.getTime()) / 1000);

const table = ordered(rows);
const quickNote = quick ? '; --quick (fewer samples: a smoke run, not a measurement)' : '';
const footer = [
  `${started.toISOString()}; ${machine.cores} x ${machine.cpuModel}, ${machine.platform} ${machine.arch}, ` +
    `Node ${machine.node}; load average (1/5/15 min) ${machine.loadAverageAtStart.join(' ')} at start, ` +
    `${machine.loadAverageAtEnd.join(' ')} at end; ${durationSeconds} s${quickNote}.`,
  method.cli
    ? `CLI: on Node ${method.cli.lines.join(', ')} (each against node -e 0 of the same binary), ` +
      `${method.cli.rounds} alternating rounds after ${method.cli.warmupRounds} warm-up, ` +
      `ratio = median of per-round ratios; peak RSS by ${method.cli.rssMethod}.`
    : null,
].filter(Boolean);
console.log(`${markdown(table)}\n\n${footer.join('\n')}`);

const missed = table.filter((row) => row.met === false);
if (missed.length > 0) log(`targets not met: ${missed.map((row) => row.figure).join('; ')}`);

const outDir = path.join(ROOT, 'bench-results');
fs.mkdirSync(outDir, { recursive: true });
const result = { generatedAt: started.toISOString(), durationSeconds, quick, machine, method, rows: table };
fs.writeFileSync(path.join(outDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
log(`wrote ${path.relative(process.cwd(), path.join(outDir, 'latest.json')) || 'bench-results/latest.json'}`);
