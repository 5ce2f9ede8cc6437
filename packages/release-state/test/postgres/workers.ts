// Child processes for the PostgreSQL tests (fixtures/pg-worker.cjs): start, wait for "ready",
// release at one barrier, collect the JSON lines.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { watchWorker, type Worker } from '../support/watch-worker';

const WORKER = path.join(__dirname, 'fixtures', 'pg-worker.cjs');

export type Line = Record<string, unknown>;

export type PgWorker = Worker<Line>;

/** `prefix`: a command to run node under, e.g. ['ip', 'netns', 'exec', 'ns1']. */
export function startPgWorker(command: Record<string, unknown>, prefix: string[] = []): PgWorker {
  // The password goes by PGPASSWORD, not on the command line (where `ps` shows it to everyone).
  const env = { ...process.env };
  if (typeof command['url'] === 'string') {
    const url = new URL(command['url']);
    if (url.password !== '') env['PGPASSWORD'] = decodeURIComponent(url.password);
    url.password = '';
    command = { ...command, url: url.toString() };
  }
  const args = [...prefix.slice(1), process.execPath, WORKER, JSON.stringify(command)];
  const child = spawn(prefix[0] ?? process.execPath, prefix.length > 0 ? args : args.slice(1), {
    stdio: ['pipe', 'pipe', 'pipe'],
    env,
  });
  return watchWorker<Line>(child);
}

/** Starts every worker, waits until all are ready, releases them at once, waits for all. */
export async function runTogether(commands: Record<string, unknown>[], prefixes: string[][] = []) {
  const workers = commands.map((command, i) => startPgWorker({ ...command, barrier: true }, prefixes[i] ?? []));
  await Promise.all(workers.map((worker) => worker.ready));
  for (const worker of workers) worker.go();
  return Promise.all(workers.map((worker) => worker.done));
}
