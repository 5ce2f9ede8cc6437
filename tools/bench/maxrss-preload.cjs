// Loaded with `node -r` into every subject of the CLI start-up benchmark when GNU time is not
// available: at exit, writes this process's own peak RSS (KiB) to $BENCH_MAXRSS_FILE.
'use strict';
const fs = require('node:fs');

const file = process.env.BENCH_MAXRSS_FILE;
if (file) {
  process.on('exit', () => {
    fs.writeFileSync(file, `${process.resourceUsage().maxRSS}\n`);
  });
}
