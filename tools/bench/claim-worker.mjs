// A child process of the throughput measurement: opens one layout, says "ready", waits for a
// line on stdin (so that every process starts together), claims `count` distinct keys, then
// prints {t0, t1, count, claimed} with wall-clock times comparable across processes.
import { performance } from 'node:perf_hooks';
import { sha } from './layouts/common.mjs';

const { layout, stateDir, count, tag } = JSON.parse(process.argv[2]);
const ledger = await (await import(layout)).open(stateDir);
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
const t0 = performance.timeOrigin + performance.now();
let claimed = 0;
for (let i = 0; i < count; i++) {
  const result = await ledger.claim('bench/throughput', sha(i, tag), `${tag}-${i}`);
  if (result.claimed) claimed++;
}
const t1 = performance.timeOrigin + performance.now();
await ledger.close();
process.stdout.write(`${JSON.stringify({ t0, t1, count, claimed })}\n`);
