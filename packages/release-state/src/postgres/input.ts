// Caller input of the deliveries API, checked before anything reaches the server, with the file
// store's own codec and checks (ledger/entry.ts): one rule for both backends.
import type { ClaimInput, CompleteInput, ListClaimsOptions } from '../shared/contract';
import { deliveryKey, validateAttempt, validateDeliveryId, validateLeaseMs, validateListLimit, validateOutcome, validateRepo } from '../file/ledger/entry';

export { deliveryKey as keyOf };

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
  return { repo: repo === undefined ? null : validateRepo(repo, where), limit: validateListLimit(limit, where) };
}
