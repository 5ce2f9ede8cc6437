// The throughput workers' protocol (claim-worker.mjs for section store, backend-worker.mjs for
// section backends): the worker opens its store, says "ready", waits for a line on stdin (so that
// every process starts together), claims `count` distinct keys, then prints one JSON line
// {t0, t1, count, claimed} with wall-clock times comparable across processes.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** Parent side: starts `script` with `command`; `name` labels a failed exit. */
export function startWorker(script, command, name) {
  const child = spawn(process.execPath, [script, JSON.stringify(command)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let markReady;
  const ready = new Promise((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.includes('ready\n')) markReady();
  });
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out.slice(out.indexOf('ready\n') + 6).trim()))
        : reject(new Error(`${name} exited with ${code}`)),
    );
  });
  return { child, ready, done };
}

/** Parent side: waits until every worker is ready, starts them at once; their results and the span. */
export async function runTogether(workers) {
  await Promise.all(workers.map((worker) => worker.ready));
  for (const worker of workers) worker.child.stdin.write('go\n');
  const results = await Promise.all(workers.map((worker) => worker.done));
  const t0 = Math.min(...results.map((r) => r.t0));
  const t1 = Math.max(...results.map((r) => r.t1));
  const total = results.reduce((sum, r) => sum + r.count, 0);
  return { results, t0, t1, total };
}

/** Worker side: says ready, waits for the start line, runs `claim(i)` for i < count, timed. */
export async function timedClaims(count, claim) {
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.pause();
  const t0 = performance.timeOrigin + performance.now();
  let claimed = 0;
  for (let i = 0; i < count; i++) {
    const result = await claim(i);
    if (result.claimed) claimed++;
  }
  const t1 = performance.timeOrigin + performance.now();
  return { t0, t1, count, claimed };
}
