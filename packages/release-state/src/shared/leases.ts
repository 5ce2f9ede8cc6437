// Where a claim's lease stands, one rule for both backends (PostgreSQL states it in SQL beside
// each statement that needs it: postgres/records.ts, postgres/leases.ts): running (a worker is
// still at it: others are turned away, and neither pruning nor `release` without `force` removes
// it), or ended without `complete` (its holder presumably died: the next claim takes it over). A
// claim without a lease, or completed, is final.
import type { ClaimStanding, DeliveryRecord } from './contract-deliveries';

type LeaseFields = Pick<DeliveryRecord, 'leaseExpiresAt' | 'completedAt'>;

/** An uncompleted lease that has not ended yet at `nowMs`. */
export function leaseRunning(record: LeaseFields, nowMs: number): boolean {
  return record.completedAt === null && record.leaseExpiresAt !== null && Date.parse(record.leaseExpiresAt) > nowMs;
}

/** An uncompleted lease whose end has passed at `nowMs`: the next claim takes it over. */
export function leaseEnded(record: LeaseFields, nowMs: number): boolean {
  return record.completedAt === null && record.leaseExpiresAt !== null && Date.parse(record.leaseExpiresAt) <= nowMs;
}

/** The standings, in the order `booty state claims --standing` lists them. */
export const CLAIM_STANDINGS: readonly ClaimStanding[] = Object.freeze(['leased', 'expired', 'completed', 'final']);

/**
 * Where a claim stands at `nowMs`: `leased`, `expired`, `completed` or `final` (contract.ts
 * ClaimStanding). The store lists by this rule (`list({ standing })`); the booty CLI shows it.
 *
 * @param record - a claim's record (its `leaseExpiresAt` and `completedAt` are read)
 * @param nowMs - the time to judge the lease at, in milliseconds since the epoch (`Date.now()`)
 * @throws Never throws.
 */
export function claimStanding(
  record: Pick<DeliveryRecord, 'leaseExpiresAt' | 'completedAt'>,
  nowMs: number,
): ClaimStanding {
  if (record.completedAt !== null) return 'completed';
  if (record.leaseExpiresAt === null) return 'final';
  return leaseRunning(record, nowMs) ? 'leased' : 'expired';
}
