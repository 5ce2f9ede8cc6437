// The fence: whether a caller still holds a claim, for every call that acts as its holder
// (`complete`, `extend`, a state write fenced by the claim), on both backends, and the one
// STATE_LEASE_LOST those calls give. A holder is the delivery that won the claim at an attempt;
// a takeover of its ended lease gives the claim the next attempt, so an older holder (a worker
// that was paused, or slow past its lease) is told apart even when GitHub redelivered the same
// delivery id to the taker.
import type { DeliveryRecord } from './contract-deliveries';
import { stateError, type StateError } from './errors';
import { excerptValue } from './text';

/** Who claims to hold a claim: its key, delivery id and attempt (null: any attempt, `complete` without one). */
export interface Holder {
  key: string;
  deliveryId: string;
  attempt: number | null;
}

/** What the holder was doing, as the error says it. */
export type HolderAction = 'complete' | 'extend the lease of' | 'write the release state under the claim of';

/**
 * Why `holder` does not hold `current`: no claim, another delivery, another attempt; null when it
 * does. A completed claim still counts as held here: each caller says what completion means to it
 * (`complete` again returns it, `extend` and a fenced write are refused: see `completedBecause`).
 */
export function notHeldBecause(current: DeliveryRecord | null, holder: Holder): string | null {
  if (current === null) return 'no claim of it is recorded (it was released or pruned)';
  if (current.deliveryId !== holder.deliveryId) {
    const by = `delivery ${excerptValue(current.deliveryId, 80)} at attempt ${current.attempt}`;
    return `it is held by ${by}: the lease ended and was taken over`;
  }
  if (holder.attempt !== null && current.attempt !== holder.attempt) {
    return `it is at attempt ${current.attempt}, not ${holder.attempt}: the lease ended and was taken over`;
  }
  return null;
}

/** Why a completed claim has no lease left to extend or write under. */
export function completedBecause(current: DeliveryRecord): string {
  return `it was completed at ${current.completedAt} (attempt ${current.attempt}): a completed claim is final`;
}

/** Refuses (STATE_LEASE_LOST) a holder that does not hold `current` (see `notHeldBecause`). For `complete`. */
export function assertHolder(
  current: DeliveryRecord | null,
  holder: Holder,
  where: string,
  action: HolderAction,
): asserts current is DeliveryRecord {
  const why = notHeldBecause(current, holder);
  if (why !== null) throw leaseLost(where, holder, action, why, current);
}

/**
 * Refuses (STATE_LEASE_LOST) a holder that cannot act on `current` as a live holder: the claim is
 * not its (see `notHeldBecause`) or is completed already. For `extend` and a fenced write.
 */
export function assertLiveHolder(
  current: DeliveryRecord | null,
  holder: Holder,
  where: string,
  action: HolderAction,
): asserts current is DeliveryRecord {
  assertHolder(current, holder, where, action);
  if (current.completedAt !== null) throw leaseLost(where, holder, action, completedBecause(current), current);
}

/** True when `current` was completed by this holder (a retry of its own `complete` whose reply was lost). */
export function completedBy(current: DeliveryRecord | null, holder: Holder): current is DeliveryRecord {
  return current !== null && current.completedAt !== null && notHeldBecause(current, holder) === null;
}

/** STATE_LEASE_LOST: the caller no longer holds the claim; `where` is the entry file or the table. */
export function leaseLost(
  where: string,
  holder: Holder,
  action: HolderAction,
  why: string,
  current: DeliveryRecord | null,
): StateError {
  const split = holder.key.lastIndexOf(':');
  const show = `booty state claim show ${holder.key.slice(0, split)} ${holder.key.slice(split + 1)}`;
  const attempt = holder.attempt === null ? '' : ` (attempt ${holder.attempt})`;
  return stateError('STATE_LEASE_LOST', {
    path: where,
    reason: 'lease-lost',
    happened: `The delivery ${excerptValue(holder.deliveryId, 80)}${attempt} cannot ${action} ${holder.key}: ${why}`,
    changed: 'Nothing was changed',
    fix:
      `Stop acting on this delivery: the claim's holder finishes the work (\`${show}\` shows it). ` +
      'A worker whose work outlasts its lease extends the lease while it works',
    details: {
      field: current !== null && current.deliveryId === holder.deliveryId ? 'attempt' : 'deliveryId',
      ...(current === null ? {} : { deliveryId: current.deliveryId, attempt: current.attempt }),
    },
  });
}

/** The holder's record once completed at `at`: final, no lease, the outcome recorded. */
export function completedRecord(current: DeliveryRecord, outcome: string | null, at: Date): DeliveryRecord {
  return { ...current, leaseExpiresAt: null, completedAt: at.toISOString(), outcome };
}
