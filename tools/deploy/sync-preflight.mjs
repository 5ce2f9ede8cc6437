#!/usr/bin/env node
// Copies tools/deploy/preflight.sh into the first step of .github/workflows/deploy.yml.
// The preflight must run before the checkout, so the workflow holds the script's text rather than
// reading the file; the workflow test fails when the two differ. Run after editing preflight.sh:
//   node tools/deploy/sync-preflight.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const workflowPath = join(root, '.github', 'workflows', 'deploy.yml');
const script = readFileSync(join(root, 'tools', 'deploy', 'preflight.sh'), 'utf8');
const lines = readFileSync(workflowPath, 'utf8').split('\n');

const idLine = lines.findIndex((line) => line.trim() === 'id: preflight');
const runLine = lines.findIndex((line, i) => i > idLine && line.trim() === 'run: |');
if (idLine < 0 || runLine < 0) {
  process.stderr.write(
    `${workflowPath}: no step with "id: preflight" followed by "run: |". Fix the workflow by hand.\n`,
  );
  process.exit(1);
}
const indent = `${' '.repeat(lines[runLine].indexOf('run:'))}  `;
let end = runLine + 1;
while (end < lines.length && (lines[end].trim() === '' || lines[end].startsWith(indent))) end += 1;
// Trailing blank lines belong to the next step's spacing, not to the script.
while (end > runLine + 1 && lines[end - 1].trim() === '') end -= 1;
const body = script
  .replace(/\n$/, '')
  .split('\n')
  .map((line) => (line === '' ? '' : indent + line));
lines.splice(runLine + 1, end - runLine - 1, ...body);
writeFileSync(workflowPath, lines.join('\n'));
process.stdout.write(`updated the preflight step of ${workflowPath}\n`);
