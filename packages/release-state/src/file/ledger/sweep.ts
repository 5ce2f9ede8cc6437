// One prune pass's work on the ledger's files, under the maintenance lock: list them, clear the
// temp files and per-key locks that crashed writers left, read and date every entry, apply the
// bounds (shared/retention.ts), remove what they remove, and build the Python export of what
// stays. O(n): a second or more at 100,000 entries. An explicit prune runs it in the caller's
// thread; the background pass runs it in a worker thread (sweep-worker.ts), so that the claims of
// the process neither wait for it nor share their thread with its reading and parsing.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CountLimit, DeliveryRecord } from '../../shared/contract-deliveries';
import { countLimit, planPrune } from '../../shared/retention';
import { fsyncDir, isTempName, removeQuietly } from '../staged-file';
import { datedEntries } from './ages';
import { ENTRY_TEMP_BASE, isEntryName, MARKER_FILE } from './entry';
import { inSlices, IO_CONCURRENCY, mapLimit } from './bulk';
import type { LedgerFiles, LedgerOptions } from './files';
import { pythonExportBytes } from './python';

export interface SweepResult {
  removed: number;
  kept: number;
  limit: CountLimit | null;
  /** delivery_ids.json as it is to be written: every entry kept, in the Python format. */
  pythonExport: Uint8Array;
}

/** What a sweep in a worker is given: the ledger's options as plain values, and the pass's time. */
export interface SweepJob {
  options: Omit<LedgerOptions, 'fs' | 'now'>;
  nowMs: number;
}

/** The compiled worker entry beside this module (sweep-worker.ts). */
const WORKER_SCRIPT = path.join(__dirname, 'sweep-worker.js');

/**
 * The sweep in a worker thread (always with the real file system, never a test's seam). Null
 * when no compiled worker entry lies beside this module, as when the TypeScript sources run
 * under test or the package is bundled into one file (the booty CLI, which starts no background
 * pass): the caller then sweeps in its own thread, with the same result.
 */
export function sweepInWorker(files: LedgerFiles, nowMs: number): Promise<SweepResult> | null {
  if (!existsSync(WORKER_SCRIPT)) return null;
  const { fs: _fs, now: _now, ...options } = files.options;
  const job: SweepJob = { options, nowMs };
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SCRIPT, { workerData: job });
    worker.once('message', (message: { ok: true; result: SweepResult } | { ok: false; message: string }) => {
      if (message.ok) resolve(message.result);
      else reject(new Error(message.message));
    });
    worker.once('error', reject);
    // After a message, a no-op; without one, the worker died.
    worker.once('exit', (code) => reject(new Error(`the sweep's worker thread exited with ${code}`)));
  });
}

export async function sweep(files: LedgerFiles, nowMs: number): Promise<SweepResult> {
  const { options, fs } = files;
  const entryNames: string[] = [];
  const doomed: string[] = [];
  await inSlices(await files.listDir(), (name) => {
    if (isEntryName(name)) {
      entryNames.push(name);
      return;
    }
    // A per-key lock left by a process that died is broken by the next takeover of its key;
    // one that no key ever needs again would stay, so it goes once it is long past stale
    // (a live holder's heartbeat keeps its ctime within `staleMs / 4`).
    const keyLock = name.startsWith('.') && name.endsWith('.json.lock');
    if (!keyLock && !isTempName(name, ENTRY_TEMP_BASE) && !isTempName(name, MARKER_FILE)) return;
    try {
      // ctime, not mtime: a temp file may carry an import time as its mtime.
      const ageMs = Date.now() - fs.lstatSync(files.entryFile(name)).ctimeMs;
      if (ageMs > options.lock.staleMs * (keyLock ? 4 : 1)) doomed.push(name);
    } catch {
      // Gone already.
    }
  });
  const dated = await datedEntries(files, await files.scanEntries(entryNames), nowMs);
  const { remove, keep } = planPrune(dated, options, nowMs);
  await mapLimit(doomed, IO_CONCURRENCY, (name) => removeQuietly(fs, files.entryFile(name)));
  // An entry changed since the scan (a takeover renewed its lease, a completion) is kept and
  // looked at again by the next pass, not removed on what the scan saw.
  const changed: typeof remove = [];
  await mapLimit(remove, IO_CONCURRENCY, async (entry) => {
    if (unchanged(files, entry.name, entry.record)) await removeQuietly(fs, files.entryFile(entry.name));
    else changed.push(entry);
  });
  if (doomed.length + remove.length > 0) await fsyncDir(fs, files.dir);
  const kept = [...keep, ...changed];
  return {
    removed: remove.length - changed.length,
    kept: kept.length,
    limit: countLimit(kept, options, nowMs),
    pythonExport: await pythonExportBytes(kept.map((entry) => entry.record)),
  };
}

/** True when the entry `name` still holds `record`. */
function unchanged(files: LedgerFiles, name: string, record: DeliveryRecord): boolean {
  try {
    const now = files.readEntry(files.entryFile(name), null);
    return now !== null && JSON.stringify(now) === JSON.stringify(record);
  } catch {
    return false;
  }
}
