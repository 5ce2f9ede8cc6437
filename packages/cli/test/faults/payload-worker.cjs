// Runs one `workflow_run` body through the public API of the built @booty/governor, as a server
// would: loadGovernor for the workspace, then handleWorkflowRun. Usage:
//   node payload-worker.cjs <workspace> <stateDir> <payload.json>
// Prints one JSON line. Exit status follows booty's rule: 0 handled, 2 bad input (the body or
// the configuration), 1 state trouble, 70 anything else (a crash: the test fails on it).
'use strict';
const fs = require('node:fs');
const { loadGovernor, handleWorkflowRun, PayloadError } = require('@booty/governor');

const [workspace, stateDir, payloadFile] = process.argv.slice(2);

function describe(error) {
  const out = { name: error && error.name, code: error && error.code, message: String(error && error.message) };
  if (error instanceof PayloadError)
    Object.assign(out, { typed: true, field: error.field, expected: error.expected, received: error.received });
  return out;
}

async function main() {
  const governor = await loadGovernor({ workspace, stateDir, env: {} });
  // Parsing the body is the web server's job; the handler gets what JSON.parse made of it.
  const payload = JSON.parse(fs.readFileSync(payloadFile, 'utf8'));
  try {
    const outcome = await handleWorkflowRun(payload, governor);
    process.stdout.write(`${JSON.stringify({ ok: true, outcome })}\n`);
    return 0;
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: describe(error) })}\n`);
    if (error instanceof PayloadError || (error && error.name === 'ConfigError')) return 2;
    if (error && error.name === 'StateError') return 1;
    return 70;
  }
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error) => {
    process.stdout.write(`${JSON.stringify({ ok: false, error: describe(error) })}\n`);
    process.exitCode = 70;
  },
);
