#!/bin/sh
':' //; exec node -- "$0" "$@"
'use strict';
// The `booty` command. Everything it runs is bundled in ../dist/booty.js; main() owns the
// process: the exit status, the stop signals, and output to a reader that went away.
//
// The first two lines are for the shell and keep this file plain JavaScript for Node. They run
// Node as `node -- booty.js ARGS`: Node reads an `--env-file` it finds among a script's own
// arguments and exits 9 when that file is missing (nodejs/node#54232); the `--` stops that,
// so `booty --env-file FILE` is booty's option and a missing file is booty's exit 2.
require('../dist/booty.js').main(process.argv.slice(2));
