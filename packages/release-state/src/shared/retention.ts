// The ledger's bounds, one rule for both backends: what a prune pass removes, and how the ledger
// stands against its count limit.
//   - An entry older than `retentionDays` goes.
//   - While the ledger holds more than `maxDeliveries` (the count limit; the file store only), the
//     oldest go, but never one younger than the redelivery window (`redeliveryWindowDays`: GitHub
//     redelivers a delivery for 3 days, and a forgotten key would be acted on twice). A ledger
//     whose young entries alone exceed the limit keeps them all and says so (`CountLimit`).
//   - Never a claim whose lease is running (a worker is still at it), and never a damaged entry
//     (that is `booty state reset deliveries`'s job: it keeps the bytes). A damaged entry has no
//     reliable time, so it never reaches this rule.
// An entry's age counts from its last recorded time (`completedAt`, else `recordedAt`).
// PostgreSQL states the age rule in SQL (postgres/deliveries.ts; it has no count limit); the
// contract suite holds the two together.
import type { CountLimit, DeliveryRecord } from './contract-deliveries';
import type { LedgerSettings } from './options';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the rule needs of one healthy entry. */
export interface AgedEntry {
  /** Its age's origin, in ms since the epoch (see `recordTimeMs`). */
  atMs: number;
  /** Its lease is running now (shared/leases.ts). */
  leaseRunning: boolean;
  /** Breaks ties between entries of the same time (a file name). */
  order: string;
}

export type Bounds = Pick<LedgerSettings, 'retentionMs' | 'windowMs' | 'maxDeliveries'>;

/** The time a record's age counts from: its completion, else its first claim; null with neither (a Python entry). */
export function recordTimeMs(record: Pick<DeliveryRecord, 'recordedAt' | 'completedAt'>): number | null {
  const recorded = record.recordedAt === null ? null : Date.parse(record.recordedAt);
  const completed = record.completedAt === null ? null : Date.parse(record.completedAt);
  if (recorded === null || completed === null) return recorded ?? completed;
  return Math.max(recorded, completed);
}

export interface PrunePlan<T> {
  remove: T[];
  keep: T[];
}

/** Splits healthy entries into those a prune pass at `nowMs` removes and those it keeps. */
export function planPrune<T extends AgedEntry>(entries: readonly T[], bounds: Bounds, nowMs: number): PrunePlan<T> {
  const remove: T[] = [];
  let keep: T[] = [];
  for (const entry of entries) {
    (!entry.leaseRunning && entry.atMs < nowMs - bounds.retentionMs ? remove : keep).push(entry);
  }
  const { maxDeliveries } = bounds;
  if (maxDeliveries !== null && keep.length > maxDeliveries) {
    const excess = keep.length - maxDeliveries;
    let candidates = keep.filter((entry) => !entry.leaseRunning && entry.atMs < nowMs - bounds.windowMs);
    // Usually every candidate goes (the ledger is over the limit by more than the entries that
    // just left the window): sorting is needed only when some of them stay.
    if (candidates.length > excess) {
      candidates.sort((a, b) => a.atMs - b.atMs || (a.order < b.order ? -1 : 1));
      candidates = candidates.slice(0, excess);
    }
    const doomed = new Set(candidates);
    remove.push(...candidates);
    keep = keep.filter((entry) => !doomed.has(entry));
  }
  return { remove, keep };
}

/** How `entries` (the healthy ones) stand against the count limit at `nowMs`; null without one. */
export function countLimit(entries: readonly { atMs: number }[], bounds: Bounds, nowMs: number): CountLimit | null {
  if (bounds.maxDeliveries === null) return null;
  let inWindow = 0;
  for (const entry of entries) if (entry.atMs >= nowMs - bounds.windowMs) inWindow++;
  return {
    maxDeliveries: bounds.maxDeliveries,
    windowDays: bounds.windowMs / DAY_MS,
    inWindow,
    exceeded: entries.length > bounds.maxDeliveries,
  };
}
