// The background prune pass's sweep (sweep.ts) in a worker thread of its own. Measured at 100,000
// entries on a busy 2-core machine: claims beside a sweep in their own thread took 7-12 ms at the
// median (each of a claim's I/O steps waits for a slice of the sweep, and the process turns from
// mostly idle to busy in the scheduler's eyes); beside a sweep in a worker, 0.85 ms, as with no
// sweep. The maintenance lock stays with the thread that took it: the worker only reads and
// removes ledger files, and hands back what the pass writes.
import { parentPort, workerData } from 'node:worker_threads';
import { nodeFs } from '../fs-seam';
import { LedgerFiles } from './files';
import { sweep, type SweepJob } from './sweep';

const job = workerData as SweepJob;
const files = new LedgerFiles({ ...job.options, fs: nodeFs, now: () => new Date(job.nowMs) });
const failed = (error: unknown) => ({ ok: false, message: error instanceof Error ? error.message : String(error) });
sweep(files, job.nowMs).then(
  (result) => parentPort?.postMessage({ ok: true, result }),
  (error: unknown) => parentPort?.postMessage(failed(error)),
);
