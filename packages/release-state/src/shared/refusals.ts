// The contract's refusals, worded once for both backends: what a store says when it is asked to
// repair what is healthy, to restore into a store that holds data, to reset a part it does not
// have, to update with something that is not a function, to forget a claim a worker still holds,
// or to restore a snapshot that is not one.
import type { RepositoryState, StoreSnapshot } from './contract';
import type { DeliveryRecord } from './contract-deliveries';
import { CHECK_COMMAND, stateError, type StateError } from './errors';
import { fullRecord, keptFirst, keyIdentity, recordProblem } from './input';
import { isSkeleton, parseReleaseState, serializeReleaseState, type ReleaseState } from './release-state';
import { checkSnapshotRepositories } from './state-input';
import { describeInput, describeJsonType, excerptValue } from './text';

/** `reset(part)` when that part reads correctly: a reset only replaces damaged data. */
export function nothingToReset(where: string, healthy: string): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: where,
    reason: 'nothing-to-reset',
    happened: `Nothing to reset: ${healthy}`,
    changed: 'Nothing was changed',
    fix: `A reset only replaces damaged data; run \`${CHECK_COMMAND}\` to see what is stored`,
  });
}

/** `restore` without `replace` into a store that already holds a release state or claims. */
export function targetNotEmpty(where: string, holds: string): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: where,
    reason: 'target-not-empty',
    happened: `The store at ${where} already holds ${holds}`,
    changed: 'Nothing was copied or changed',
    fix: 'Copy into an empty store, or replace what it holds on purpose with `booty state copy --replace`',
  });
}

/** A copy with `replace` of a source that holds nothing over a target that holds data: a slip, unless forced. */
export function emptySource(where: string, holds: string): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: where,
    reason: 'empty-source',
    happened:
      "The source store is empty (no claims, every release field null, its own and each repository's), " +
      `and copying it with --replace would erase what ${where} holds (${holds})`,
    changed: 'Nothing was copied or changed',
    fix: 'Check --from (or the store the options name: is it the one you meant?); to empty the target on purpose, add --force',
  });
}

/** A copy whose target is its own source, however it was spelt. */
export function sameStore(where: string, how: string): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: where,
    reason: 'same-store',
    happened: `The target ${where} is the source store itself (${how})`,
    changed: 'Nothing was copied or changed',
    fix: 'Give --to another directory or URL',
  });
}

/** A copy target inside another store, or around the source: it would mix two stores' files. */
export function insideStore(where: string, what: string): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: where,
    reason: 'inside-store',
    happened: `The target ${where} ${what}`,
    changed: 'Nothing was copied or changed',
    fix: 'Give --to a directory of its own, outside every state directory',
  });
}

/** A copy target directory that holds files no store has: booty replaces only a store. */
export function notAStore(where: string, found: readonly string[]): StateError {
  const shown = found
    .slice(0, 5)
    .map((name) => JSON.stringify(name))
    .join(', ');
  const more = found.length > 5 ? ` and ${found.length - 5} more` : '';
  return stateError('STATE_INVALID_INPUT', {
    path: where,
    reason: 'not-a-store',
    happened: `${where} is not a state directory: it holds ${shown}${more}, which no store has`,
    changed: 'Nothing was copied or changed',
    fix: 'Give --to an empty or new directory, or an existing state directory',
  });
}

/** A copy stopped (a signal) before it switched the target to the copy. */
export function copyInterrupted(where: string): StateError {
  return stateError('STATE_WRITE', {
    path: where,
    reason: 'interrupted',
    happened: `The copy into ${where} was stopped before it was complete`,
    changed: `Nothing was copied: ${where} was left as it was`,
    fix: 'Run the same `booty state copy` again',
  });
}

/** `reset(part)` with a part that is neither `release` nor `deliveries`. */
export function badResetPart(where: string, part: unknown): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: where,
    reason: 'bad-input',
    happened: `reset takes "release" or "deliveries", got ${describeInput(part)}`,
    changed: 'Nothing was changed',
    fix: 'Run `booty state reset release` or `booty state reset deliveries`',
    details: { field: 'part' },
  });
}

/** `updateState(fn)` with an `fn` that is not a function. */
export function notAnUpdate(where: string, fn: unknown): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: where,
    reason: 'bad-input',
    happened: `updateState needs a function (current) => next, got ${describeJsonType(fn)}`,
    changed: 'The release state was not changed',
    details: { field: 'fn' },
  });
}

/**
 * `release` without `force` of a claim whose lease is running: a worker is still at it, and
 * forgetting the claim would let the next delivery act beside it.
 */
export function leaseHeld(where: string, record: DeliveryRecord): StateError {
  const split = record.key.lastIndexOf(':');
  const command = `booty state claim forget ${record.key.slice(0, split)} ${record.key.slice(split + 1)} --force`;
  const holder = `delivery ${excerptValue(record.deliveryId, 80)} (attempt ${record.attempt})`;
  const until = record.leaseExpiresAt;
  return stateError('STATE_LEASE_HELD', {
    path: where,
    reason: 'lease-held',
    happened: `The claim of ${record.key} is leased to ${holder} until ${until}: a worker is still at it`,
    changed: 'The claim was not forgotten',
    fix:
      'Wait until the lease ends (the next delivery then takes the claim over anyway), or forget it now with ' +
      `\`${command}\` (the worker's complete then fails with STATE_LEASE_LOST)`,
    details: {
      deliveryId: record.deliveryId,
      attempt: record.attempt,
      ...(until === null ? {} : { leaseExpiresAt: until }),
    },
  });
}

/** A call on a store after its `close()`. */
export function storeClosed(where: string, what: string): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: where,
    reason: 'closed',
    happened: `${what} was called on the store at ${where} after close()`,
    changed: 'Nothing was read or changed',
    fix: 'Open the store again (openReleaseStore) and use the new one',
  });
}

/** A snapshot, checked (`checkSnapshot`): the store's own state, its claims, each repository's state. */
export interface CheckedSnapshot {
  state: ReleaseState;
  records: DeliveryRecord[];
  repositories: RepositoryState[];
}

/** True when a checked snapshot holds nothing: no claims, and every release state (its own, each repository's) empty. */
export function isEmptySnapshot(snapshot: CheckedSnapshot): boolean {
  return (
    snapshot.records.length === 0 &&
    isSkeleton(snapshot.state) &&
    snapshot.repositories.every((repository) => isSkeleton(repository.state))
  );
}

/**
 * A snapshot from any backend, checked before anything is written: its state must read back as
 * release.json does (`label` names it in messages), each repository's state too
 * (`repositoriesLabel`, state-input.ts), and every record must be one a store holds.
 * Fields an older snapshot leaves out are filled in as `fullRecord` does. Records of one key
 * spelled apart (a snapshot of a store an earlier version wrote) become one: the one `keptFirst`
 * orders first.
 */
export function checkSnapshot(
  snapshot: StoreSnapshot,
  where: string,
  label: string,
  repositoriesLabel: string = label,
): CheckedSnapshot {
  const bad = (what: string, field: string) =>
    stateError('STATE_INVALID_INPUT', {
      path: where,
      reason: 'bad-input',
      happened: `The snapshot to restore ${what}`,
      changed: 'Nothing was copied or changed',
      details: { field },
    });
  if (typeof snapshot !== 'object' || snapshot === null) {
    throw bad(`is ${describeJsonType(snapshot)}, not { state, deliveries }`, 'snapshot');
  }
  if (typeof snapshot.state !== 'object' || snapshot.state === null) throw bad('has no state object', 'state');
  if (!Array.isArray(snapshot.deliveries)) throw bad('has no deliveries array', 'deliveries');
  // The read rules, not the write rules: a snapshot of a Python-written state holds its forms.
  const state = parseReleaseState(serializeReleaseState(snapshot.state, label), label);
  const keys = new Set<string>();
  const records = snapshot.deliveries.map((given: unknown, index) => {
    const at = `deliveries[${index}]`;
    if (typeof given !== 'object' || given === null)
      throw bad(`has ${describeJsonType(given)} at ${at}, not a record`, at);
    const record = fullRecord(given as DeliveryRecord);
    if (typeof record.key !== 'string') throw bad(`has no key at ${at}`, `${at}.key`);
    // The one record rule: a store holds nothing that its check would call damaged.
    const problem = recordProblem(record);
    if (problem !== null) throw bad(`has a claim at ${at} no store holds: ${problem}`, at);
    // One claim per key: a second would be dropped by one backend and refused by the other.
    if (keys.has(record.key)) throw bad(`has the key ${describeInput(record.key)} twice (again at ${at})`, `${at}.key`);
    keys.add(record.key);
    return record;
  });
  const byKey = new Map<string, DeliveryRecord>();
  for (const record of records) {
    const identity = keyIdentity(record.key);
    const held = byKey.get(identity);
    if (held === undefined || keptFirst(record, held) < 0) byKey.set(identity, record);
  }
  const repositories = checkSnapshotRepositories(snapshot, where, repositoriesLabel);
  return { state, records: byKey.size === records.length ? records : [...byKey.values()], repositories };
}

/** `extend` of a claim made without a lease: it is final, so there is no lease to renew. */
export function finalClaimHasNoLease(where: string, record: DeliveryRecord): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: where,
    reason: 'bad-input',
    happened: `The claim of ${record.key} is final (claimed without leaseMs): it has no lease to extend`,
    changed: 'Nothing was changed',
    fix: 'Extend only a claim made with leaseMs; a final claim is never taken over',
    details: { field: 'leaseMs' },
  });
}
