// Rows of the deliveries table ↔ DeliveryRecord, and which rows are healthy. The same rule is
// written twice, once in JavaScript (decodeRow: every row read) and once in SQL (HEALTHY: count,
// tally, list, reset without reading every row); the contract suite's damage tests hold them
// together.
import type { DeliveryRecord } from '../shared/contract';
import { CHECK_COMMAND, REPAIR_COMMAND, stateError, type StateError } from '../shared/errors';
import { deliveryKey, isShortText } from '../shared/input';

export interface DeliveryRow {
  key: string;
  delivery_id: string;
  recorded_at: Date | null;
  attempt: number;
  lease_expires_at: Date | null;
  completed_at: Date | null;
  outcome: string | null;
  claim_token: string | null;
}

export const ROW_COLUMNS = 'key, delivery_id, recorded_at, attempt, lease_expires_at, completed_at, outcome, claim_token';

/** SQL for "this row is healthy": the mirror of decodeRow's checks. */
export const HEALTHY = `(
  key ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,38}/[A-Za-z0-9._-]{1,100}:([0-9a-f]{40}|[0-9a-f]{64})$'
  AND split_part(split_part(key, ':', 1), '/', 2) NOT IN ('.', '..')
  AND btrim(delivery_id) <> '' AND length(delivery_id) <= 200 AND delivery_id !~ '[\\x01-\\x1f\\x7f]'
  AND attempt >= 1
  AND (outcome IS NULL OR (btrim(outcome) <> '' AND length(outcome) <= 200 AND outcome !~ '[\\x01-\\x1f\\x7f]'))
)`;

/**
 * SQL for "this row's lease is running" at `now` (an SQL expression of the current time): the
 * mirror of shared/leases.ts `leaseRunning`.
 */
export function leaseRunningSql(now: string): string {
  return `(completed_at IS NULL AND lease_expires_at IS NOT NULL AND lease_expires_at > ${now})`;
}

/** Why a row is damaged, or null when it is healthy. */
export function rowProblem(row: DeliveryRow, where: string): string | null {
  const colon = row.key.lastIndexOf(':');
  let canonical: string | null;
  try {
    canonical = colon < 0 ? null : deliveryKey({ repo: row.key.slice(0, colon), headSha: row.key.slice(colon + 1) }, where);
  } catch {
    canonical = null;
  }
  if (canonical !== row.key) return 'its key is not owner/name:full-lower-case-sha';
  if (!isShortText(row.delivery_id)) return 'its delivery_id is empty, too long or has control characters';
  if (!Number.isInteger(row.attempt) || row.attempt < 1) return `its attempt is ${row.attempt}, not a whole number of at least 1`;
  if (row.outcome !== null && !isShortText(row.outcome)) return 'its outcome is empty, too long or has control characters';
  return null;
}

/** The record of a row; a damaged row is STATE_CORRUPT naming the key and the repair. */
export function decodeRow(row: DeliveryRow, table: string, location: string): DeliveryRecord {
  const problem = rowProblem(row, location);
  if (problem !== null) throw damagedRow(row.key, problem, table, location);
  return {
    key: row.key,
    deliveryId: row.delivery_id,
    recordedAt: iso(row.recorded_at),
    attempt: row.attempt,
    leaseExpiresAt: iso(row.lease_expires_at),
    completedAt: iso(row.completed_at),
    outcome: row.outcome,
  };
}

export function rowTarget(key: string, table: string): string {
  return `${table} key ${JSON.stringify(key.slice(0, 160))}`;
}

function damagedRow(key: string, problem: string, table: string, location: string): StateError {
  return stateError('STATE_CORRUPT', {
    path: `${location} ${rowTarget(key, table)}`,
    reason: 'bad-entry',
    happened: `The claim row ${rowTarget(key, table)} in ${location} is damaged: ${problem}`,
    changed: 'Nothing was changed',
    fix:
      `Run \`${CHECK_COMMAND}\` to list the damage, then \`${REPAIR_COMMAND.deliveries}\` ` +
      '(damaged rows are moved to the deliveries_damaged table)',
  });
}

function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}
