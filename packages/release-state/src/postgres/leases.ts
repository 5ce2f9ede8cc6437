// What a claim's holder does on PostgreSQL besides `complete` (deliveries.ts): renew its lease,
// and write the release state fenced by its claim, optionally completing the claim in the same
// transaction; and where a claim stands, in SQL. The holder rule and its error are the shared
// ones (shared/fence.ts), the standing rule the mirror of shared/leases.ts `claimStanding`.
import type { DeliveryRecord } from '../shared/contract-deliveries';
import { assertLiveHolder, completedBy } from '../shared/fence';
import { keyIdentity } from '../shared/input';
import { finalClaimHasNoLease } from '../shared/refusals';
import type { ReleaseState } from '../shared/release-state';
import type { FencedHolder } from '../shared/state-input';
import { decodeRow, ROW_COLUMNS, type DeliveryRow } from './records';
import type { ReleaseRows } from './release-rows';
import type { Tables } from './schema';
import type { Attempt } from './session';

/**
 * SQL for where a row's claim stands at `now` (an SQL expression of the current time): the
 * mirror of shared/leases.ts `claimStanding`.
 */
export function standingSql(now: string): string {
  return `(CASE WHEN completed_at IS NOT NULL THEN 'completed' WHEN lease_expires_at IS NULL THEN 'final'
    WHEN lease_expires_at > ${now} THEN 'leased' ELSE 'expired' END)`;
}

/**
 * Renews the holder's lease in one statement: it matches only the holder's uncompleted leased
 * row, so a takeover or a completion that came first makes it match nothing. Then the row is read
 * to say why (STATE_LEASE_LOST, or a final claim, which has no lease).
 */
export async function extendLease(
  { client, writing }: Attempt,
  tables: Tables,
  location: string,
  holder: FencedHolder,
  leaseMs: number,
  at: Date | null,
): Promise<DeliveryRecord> {
  const d = tables.deliveries;
  const identity = keyIdentity(holder.key);
  const where = `${location} ${d}`;
  writing();
  const renewed = await client.query<DeliveryRow>(
    `UPDATE ${d} SET lease_expires_at = coalesce($4::timestamptz, now()) + $5::int * interval '1 millisecond'
     WHERE lower(key) = $1 AND delivery_id = $2 AND attempt = $3
       AND completed_at IS NULL AND lease_expires_at IS NOT NULL
     RETURNING ${ROW_COLUMNS}`,
    [identity, holder.deliveryId, holder.attempt, at, leaseMs],
  );
  const row = renewed.rows[0];
  if (row !== undefined) return decodeRow(row, d, location);
  const found = await client.query<DeliveryRow>(`SELECT ${ROW_COLUMNS} FROM ${d} WHERE lower(key) = $1`, [identity]);
  const current = found.rows[0] === undefined ? null : decodeRow(found.rows[0], d, location);
  assertLiveHolder(current, holder, where, 'extend the lease of');
  // The holder's, not completed, and still not renewed: it has no lease.
  throw finalClaimHasNoLease(where, current);
}

/**
 * The release state written under the claim, inside the caller's transaction: the claim's row is
 * locked first (FOR UPDATE: a takeover, `complete` or `release` of it waits for the transaction),
 * checked to be the holder's, then the state row is updated (release-rows.ts) and, with
 * `complete`, the claim completed. One transaction: both or neither, whatever fails or crashes.
 * Locks are taken in one order: the claim's row, then the state's row.
 */
export async function fencedUpdate(
  attempt: Attempt,
  tables: Tables,
  location: string,
  rows: ReleaseRows,
  repo: string,
  fn: (current: ReleaseState) => ReleaseState | Promise<ReleaseState>,
  holder: FencedHolder,
  complete: { outcome: string | null } | null,
  at: Date | null,
): Promise<ReleaseState> {
  const { client, writing } = attempt;
  const d = tables.deliveries;
  const identity = keyIdentity(holder.key);
  const lockRow = `SELECT ${ROW_COLUMNS} FROM ${d} WHERE lower(key) = $1 FOR UPDATE`;
  const found = await client.query<DeliveryRow>(lockRow, [identity]);
  const current = found.rows[0] === undefined ? null : decodeRow(found.rows[0], d, location);
  // A retry of a write that completed the claim (its reply was lost): it was made with the completion.
  if (complete !== null && completedBy(current, holder)) return rows.read(client, repo);
  assertLiveHolder(current, holder, `${location} ${d}`, 'write the release state under the claim of');
  const state = await rows.update(attempt, repo, fn);
  if (complete !== null) {
    writing();
    await client.query(
      `UPDATE ${d} SET completed_at = coalesce($2::timestamptz, now()), lease_expires_at = NULL, outcome = $3
       WHERE lower(key) = $1`,
      [identity, at, complete.outcome],
    );
  }
  return state;
}
