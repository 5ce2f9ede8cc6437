#!/usr/bin/env node
// The benchmark: `node tools/bench/run.mjs [--quick] [--only <section>]` (after a build).
// Prints one Markdown table and writes the same rows to bench-results/latest.json.
// A section is an async function returning rows { section, subject, metric, value, unit,
// target?, ok?, note? }; add one by adding it to SECTIONS.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { storeSection } from './store.mjs';

const SECTIONS = {
  store: storeSection,
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
const machine = {
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  arch: os.arch(),
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  loadAverageAtStart: os.loadavg().map((value) => Number(value.toFixed(2))),
};

const rows = [];
for (const [name, section] of Object.entries(SECTIONS)) {
  if (only !== undefined && name !== only) continue;
  rows.push(...(await section({ quick, log })));
}

const cell = (value) => String(value).replace(/\|/g, '\\|');
const lines = [
  '| Section | Subject | Metric | Value | Target |',
  '|---|---|---|---:|---|',
  ...rows.map((row) => {
    const target = row.target === undefined ? (row.note ?? '') : `${row.target} ${row.ok ? 'met' : 'NOT met'}`;
    return `| ${cell(row.section)} | ${cell(row.subject)} | ${cell(row.metric)} | ${cell(`${row.value} ${row.unit}`)} | ${cell(target)} |`;
  }),
];
console.log(lines.join('\n'));
console.log(`\n${machine.cpus} x ${machine.cpuModel}, ${machine.platform}, Node ${machine.node}; load average at start ${machine.loadAverageAtStart.join(' ')}${quick ? '; --quick (fewer samples)' : ''}`);

const outDir = path.join(ROOT, 'bench-results');
fs.mkdirSync(outDir, { recursive: true });
const result = { generatedAt: new Date().toISOString(), quick, machine, rows };
fs.writeFileSync(path.join(outDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
log(`wrote ${path.relative(process.cwd(), path.join(outDir, 'latest.json')) || 'bench-results/latest.json'}`);
