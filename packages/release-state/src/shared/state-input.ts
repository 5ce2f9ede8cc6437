// The checks on what a caller passes to `readState` and `updateState` besides the callback:
// which release state (the store's, or a repository's), and the claim a write is fenced by. The
// claim's fields follow the ledger's rules (input.ts); nothing is read or written before these pass.
import type { RepositoryState, StateScope, StoreSnapshot, UpdateStateOptions } from './contract';
import { parseReleaseState, serializeReleaseState, type ReleaseState } from './release-state';
import { describeJsonType } from './text';
import type { Holder } from './fence';
import {
  deliveryKey,
  invalidInput,
  keyIdentity,
  requiredAttempt,
  validateDeliveryId,
  validateOutcome,
  validateRepo,
} from './input';

/** A refused option of readState/updateState: nothing of the release state was read or changed. */
const refuse = (where: string, field: string, what: string) => invalidInput(where, field, what, 'release');

/** A fenced write's claim, checked: the holder with its attempt. */
export type FencedHolder = Holder & { attempt: number };

export interface CheckedUpdate {
  /** The repository's identity (`owner/name` in lower case), or null: the store's own state. */
  repo: string | null;
  claim: FencedHolder | null;
  /** With `claim`: complete it with this outcome, in the same critical section. */
  complete: { outcome: string | null } | null;
}

/** The repository a read or write is for, as its identity; null for the store's own state (release.json). */
export function checkStateScope(options: StateScope | undefined, where: string): string | null {
  if (options === undefined) return null;
  if (typeof options !== 'object' || options === null) {
    throw refuse(where, 'options', `expected { repo? }, got ${describeJsonType(options)}`);
  }
  return options.repo === undefined ? null : keyIdentity(validateRepo(options.repo, where, 'repo', 'release'));
}

export function checkUpdateOptions(options: UpdateStateOptions | undefined, where: string): CheckedUpdate {
  const repo = checkStateScope(options, where);
  const { claim, complete } = options ?? {};
  let holder: FencedHolder | null = null;
  if (claim !== undefined) {
    if (typeof claim !== 'object' || claim === null) {
      throw refuse(where, 'claim', `expected { repo, headSha, deliveryId, attempt }, got ${describeJsonType(claim)}`);
    }
    holder = {
      key: deliveryKey(claim, where, 'claim.'),
      deliveryId: validateDeliveryId(claim.deliveryId, where, 'claim.deliveryId'),
      attempt: requiredAttempt(claim.attempt, where, 'claim.attempt'),
    };
  }
  if (complete === undefined) return { repo, claim: holder, complete: null };
  if (typeof complete !== 'object' || complete === null) {
    throw refuse(where, 'complete', `expected { outcome? }, got ${describeJsonType(complete)}`);
  }
  if (holder === null) {
    throw refuse(where, 'complete', 'completing needs the claim to complete: pass `claim` (the fenced claim) too');
  }
  return { repo, claim: holder, complete: { outcome: validateOutcome(complete.outcome, where, 'complete.outcome') } };
}

/**
 * A snapshot's repository states, checked before anything is written: each `repo` an `owner/name`
 * (kept as its identity), once; each state as release.json's read rules take it (`label` names it).
 * A snapshot without them (made by an earlier version) has none.
 */
export function checkSnapshotRepositories(snapshot: StoreSnapshot, where: string, label: string): RepositoryState[] {
  const given: unknown = snapshot.repositories;
  if (given === undefined) return [];
  if (!Array.isArray(given)) {
    throw refuse(where, 'repositories', `expected a list of { repo, state }, got ${describeJsonType(given)}`);
  }
  const seen = new Set<string>();
  return given.map((entry: unknown, index) => {
    const field = `repositories[${index}]`;
    if (typeof entry !== 'object' || entry === null) {
      throw refuse(where, field, `expected { repo, state }, got ${describeJsonType(entry)}`);
    }
    const { repo: spelled, state } = entry as Record<string, unknown>;
    const repo = keyIdentity(validateRepo(spelled, where, `${field}.repo`, 'release'));
    if (seen.has(repo)) throw refuse(where, `${field}.repo`, `${repo} is there twice (in any case, one repository)`);
    seen.add(repo);
    if (typeof state !== 'object' || state === null || Array.isArray(state)) {
      throw refuse(where, `${field}.state`, `expected the release state object, got ${describeJsonType(state)}`);
    }
    // The read rules, not the write rules: a snapshot of a Python-written state holds its forms.
    return { repo, state: parseReleaseState(serializeReleaseState(state as ReleaseState, label), label) };
  });
}
