// Rows of the deliveries table ↔ DeliveryRecord, and which rows are healthy. The same rule is
// written twice, once in JavaScript (decodeRow: every row read) and once in SQL (HEALTHY: count,
// tally, list, reset without reading every row); the contract suite's damage tests hold them
// together.
import type { DeliveryRecord } from '../shared/contract-deliveries';
import { CHECK_COMMAND, REPAIR_COMMAND, stateError, type StateError } from '../shared/errors';
import { recordProblem } from '../shared/input';

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

export const ROW_COLUMNS =
  'key, delivery_id, recorded_at, attempt, lease_expires_at, completed_at, outcome, claim_token';

/** A text that is only whitespace, as JavaScript's trim() sees it (isShortText), in PostgreSQL's regex syntax. */
const BLANK = `'^[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]*$'`;

/** SQL for "this row is healthy": the mirror of the record rule (recordProblem), row by row. */
export const HEALTHY = `(
  key <> '' AND length(key) <= 400 AND key !~ '[\\x01-\\x1f\\x7f]'
  AND delivery_id !~ ${BLANK} AND length(delivery_id) <= 200 AND delivery_id !~ '[\\x01-\\x1f\\x7f]'
  AND attempt >= 1
  AND (outcome IS NULL OR (outcome !~ ${BLANK} AND length(outcome) <= 200 AND outcome !~ '[\\x01-\\x1f\\x7f]'))
  AND (recorded_at IS NULL OR (recorded_at >= '0001-01-01Z' AND recorded_at < '10000-01-01Z'))
  AND (lease_expires_at IS NULL OR (lease_expires_at >= '0001-01-01Z' AND lease_expires_at < '10000-01-01Z'))
  AND (completed_at IS NULL OR (completed_at >= '0001-01-01Z' AND completed_at < '10000-01-01Z'))
)`;

/**
 * SQL for "this row's lease is running" at `now` (an SQL expression of the current time): the
 * mirror of shared/leases.ts `leaseRunning`.
 */
export function leaseRunningSql(now: string): string {
  return `(completed_at IS NULL AND lease_expires_at IS NOT NULL AND lease_expires_at > ${now})`;
}

/** Why a row is damaged, or null when it is healthy: the shared record rule (shared/input.ts). */
export function rowProblem(row: DeliveryRow): string | null {
  return recordProblem(asRecord(row));
}

function asRecord(row: DeliveryRow): DeliveryRecord {
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

/** The record of a row; a damaged row is STATE_CORRUPT naming the key and the repair. */
export function decodeRow(row: DeliveryRow, table: string, location: string): DeliveryRecord {
  const record = asRecord(row);
  const problem = recordProblem(record);
  if (problem !== null) throw damagedRow(row.key, problem, table, location);
  return record;
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

/** A time as the store writes it; one that ISO-8601 cannot write (infinity, year 10000) fails the record rule. */
function iso(value: Date | null): string | null {
  if (value === null) return null;
  return Number.isFinite(value.getTime()) ? value.toISOString() : 'invalid';
}
