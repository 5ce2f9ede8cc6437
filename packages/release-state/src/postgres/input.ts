// Caller input of the deliveries API, checked before anything reaches the server, with the file
// store's own codec and checks (ledger/entry.ts): one rule for both backends.
import type { ClaimInput, CompleteInput, ListClaimsOptions } from '../contract';
import { deliveryKey, invalidInput, validateAttempt, validateDeliveryId, validateLeaseMs, validateOutcome, validateRepo } from '../ledger/entry';

export { deliveryKey as keyOf };

const MAX_LIST = 10_000;

export function checkClaim(input: ClaimInput, where: string): { key: string; deliveryId: string; leaseMs: number | null } {
  const key = deliveryKey(input, where);
  return { key, deliveryId: validateDeliveryId(input.deliveryId, where), leaseMs: validateLeaseMs(input.leaseMs, where) };
}

export function checkComplete(input: CompleteInput, where: string): { key: string; deliveryId: string; outcome: string | null; attempt: number | null } {
  const key = deliveryKey(input, where);
  return {
    key,
    deliveryId: validateDeliveryId(input.deliveryId, where),
    outcome: validateOutcome(input.outcome, where),
    attempt: validateAttempt(input.attempt, where),
  };
}

export function checkList(options: ListClaimsOptions | undefined, where: string): { repo: string | null; limit: number } {
  const { repo, limit } = options ?? {};
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIST)) {
    throw invalidInput(where, 'limit', `expected a whole number from 1 to ${MAX_LIST}, got ${String(limit).slice(0, 20)}`);
  }
  return { repo: repo === undefined ? null : validateRepo(repo, where), limit: limit ?? 50 };
}
