#!/usr/bin/env node
'use strict';
// The `booty` command. Everything it runs is in ../dist (src/start.ts, then the bundle);
// main() owns the process: the exit status, the stop signals, and output to a reader that went away.
require('../dist/booty.js').main(process.argv.slice(2));
