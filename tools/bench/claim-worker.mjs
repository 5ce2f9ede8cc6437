// A child process of the throughput measurement: opens one layout, then claims `count` distinct
// keys on the protocol of workers.mjs (ready, start line, one JSON line {t0, t1, count, claimed}).
import { sha } from './layouts/common.mjs';
import { timedClaims } from './workers.mjs';

const { layout, stateDir, count, tag } = JSON.parse(process.argv[2]);
const ledger = await (await import(layout)).open(stateDir);
const timed = await timedClaims(count, (i) => ledger.claim('bench/throughput', sha(i, tag), `${tag}-${i}`));
await ledger.close();
process.stdout.write(`${JSON.stringify(timed)}\n`);
