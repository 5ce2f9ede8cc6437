// How the ledger's bulk passes (a scan, a prune pass, an import or export of the Python file, a
// restore) share the process with claims: synchronous work in short slices, so that a claim's I/O
// steps never wait long, and file operations a few at a time.
import type { ScanProgress } from '../../shared/contract-deliveries';

/**
 * The longest stretch of synchronous work a bulk pass (a scan, a prune pass, the Python export)
 * does before it lets the event loop run: 2 ms, or a quarter of one while a claim of this process
 * is in flight. A prune pass runs beside the claims of its process, and each of a claim's six or
 * so I/O steps waits for the stretch in progress (a claim takes about 1 ms here).
 */
const SLICE_MS = 2;
const SLICE_BESIDE_CLAIMS_MS = 0.25;
let claimsInFlight = 0;

/** Runs a claim, counted as in flight (bulk passes then work in shorter slices). */
export async function asClaim<T>(claim: () => Promise<T>): Promise<T> {
  claimsInFlight++;
  try {
    return await claim();
  } finally {
    claimsInFlight--;
  }
}

/** Resolves on the event loop's next turn, after the I/O that is waiting. */
const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** A bulk pass says how far it got every this many items, and at the end (a progress display). */
const PROGRESS_EVERY = 500;

/**
 * Runs `fn` over `items`, synchronously in slices (see SLICE_MS), letting the event loop run
 * between them (claims, a progress display, a signal). The clock is read every 4 items.
 */
export async function inSlices<T>(
  items: readonly T[],
  fn: (item: T) => void,
  onProgress?: (progress: ScanProgress) => void,
): Promise<void> {
  let sliceStart = performance.now();
  for (let index = 0; index < items.length; index++) {
    fn(items[index] as T);
    const read = index + 1;
    if (onProgress !== undefined && (read % PROGRESS_EVERY === 0 || read === items.length)) {
      onProgress({ read, total: items.length });
    }
    const slice = claimsInFlight > 0 ? SLICE_BESIDE_CLAIMS_MS : SLICE_MS;
    if ((index & 3) === 3 && performance.now() - sliceStart >= slice) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
}

/** How many file operations the ledger's bulk passes (import, prune, restore) keep in flight. */
export const IO_CONCURRENCY = 16;

/**
 * `fn` over `items`, `limit` at a time. After a failure no item is started, and the calls in
 * flight settle before the first error is thrown: a caller that cleans up after a failure (a
 * stopped copy removes its staging directory) never races a write still under way.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (failures.length === 0 && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
  return results;
}
