// Where a claim's lease stands, one rule for both backends (PostgreSQL states it in SQL beside
// each statement that needs it): running (a worker is still at it: others are turned away, and
// neither pruning nor `release` without `force` removes it), or ended without `complete` (its
// holder presumably died: the next claim takes it over). A claim without a lease, or completed,
// is final.
import type { DeliveryRecord } from './contract';

type LeaseFields = Pick<DeliveryRecord, 'leaseExpiresAt' | 'completedAt'>;

/** An uncompleted lease that has not ended yet at `nowMs`. */
export function leaseRunning(record: LeaseFields, nowMs: number): boolean {
  return record.completedAt === null && record.leaseExpiresAt !== null && Date.parse(record.leaseExpiresAt) > nowMs;
}

/** An uncompleted lease whose end has passed at `nowMs`: the next claim takes it over. */
export function leaseEnded(record: LeaseFields, nowMs: number): boolean {
  return record.completedAt === null && record.leaseExpiresAt !== null && Date.parse(record.leaseExpiresAt) <= nowMs;
}
