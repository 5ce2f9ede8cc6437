#!/usr/bin/env node
'use strict';
// The `booty` command. Everything it runs is bundled in ../dist/booty.js.
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
