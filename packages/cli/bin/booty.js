#!/usr/bin/env node
'use strict';
// The `booty` command. Everything it runs is bundled in ../dist/booty.js.

// A reader that stops early (`booty governor status | head -1`) closes the pipe: stop quietly,
// as Unix tools do, instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
require('../dist/booty.js')
  .runCli(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`booty: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
