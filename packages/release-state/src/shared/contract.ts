// The store contract: what `openReleaseStore` returns, whatever the backend. The file store
// (one host, nothing to run) and the PostgreSQL store (several hosts) both implement it, and one
// contract test suite (test/contract) runs every behaviour against each. Types only: no code
// here, so nothing in this module costs anything at start-up.
import type { ReleaseState } from './release-state';

/** Which backend holds the state. */
export type StoreKind = 'file' | 'postgres';

/** One claimed (repository, commit): who claimed it, when, and how far its work got. */
export interface DeliveryRecord {
  /**
   * `owner/repo:head_sha`, the key of the Python implementation, spelled as the first claim spelled
   * the repository. Owner and name are compared without case (as GitHub does): `Octo/Web` and
   * `octo/web` at one commit are one key.
   */
  key: string;
  /** The `X-GitHub-Delivery` id of the delivery that holds (or last held) the claim. */
  deliveryId: string;
  /** ISO-8601 UTC of the first claim; null for entries that came from the Python `delivery_ids.json`. */
  recordedAt: string | null;
  /** 1 for the first claim; grows by one at each takeover of an expired lease (a fencing number). */
  attempt: number;
  /** ISO-8601 UTC when the current holder's lease ends; null for a final claim (no `leaseMs`, or completed). */
  leaseExpiresAt: string | null;
  /** ISO-8601 UTC when the holder called `complete`; null until then. */
  completedAt: string | null;
  /** What the holder passed to `complete` (at most 200 characters, no control characters); null otherwise. */
  outcome: string | null;
}

export interface DeliveryKeyInput {
  /** `owner/name`, in any case: GitHub treats owner and name case-insensitively, and so does the ledger. */
  repo: string;
  /** The full commit SHA: 40 hex digits (or 64 for SHA-256 repositories); upper case is folded. */
  headSha: string;
}

export interface ClaimInput extends DeliveryKeyInput {
  /** The `X-GitHub-Delivery` header: non-empty, at most 200 characters, no control characters. */
  deliveryId: string;
  /**
   * With a lease, the claim is provisional: the winner must `complete` it within this many
   * milliseconds, or the next claim of the key takes it over. Without it a claim is final.
   * A whole number from 1 to 7 days' worth of milliseconds.
   */
  leaseMs?: number | undefined;
}

export interface ClaimResult {
  /** True for exactly one caller per key (and per lease takeover), across every process and host. */
  claimed: boolean;
  /** True when the key is held by this same delivery id: GitHub redelivered it. */
  redelivery: boolean;
  /** True when this claim took over an uncompleted lease that had ended (`record.attempt` > 1). */
  takeover: boolean;
  /** The holder's record (ours when `claimed`). */
  record: DeliveryRecord;
}

export interface CompleteInput extends DeliveryKeyInput {
  /** The delivery id that holds the claim; another id gets STATE_LEASE_LOST. */
  deliveryId: string;
  /** A short word for what was done (`allowed`, `held`, ...); stored in `record.outcome`. */
  outcome?: string | undefined;
  /** The `record.attempt` the caller won (its fencing number); when given it must still be current. */
  attempt?: number | undefined;
}

/** A claim as its holder names it: the key, the delivery that holds it and the `record.attempt` it won. */
export interface FencedClaim extends DeliveryKeyInput {
  deliveryId: string;
  /** The fencing number the claim returned (`record.attempt`); a takeover makes it stale. */
  attempt: number;
}

export interface ExtendInput extends FencedClaim {
  /** The lease then ends this many milliseconds from now (it may shorten it); 1 to 7 days' worth. */
  leaseMs: number;
}

export interface ReleaseInput extends DeliveryKeyInput {
  /**
   * Forget the claim even while its lease runs (a worker is still at it; its `complete` then gets
   * STATE_LEASE_LOST). Without it, such a claim is refused with STATE_LEASE_HELD.
   */
  force?: boolean | undefined;
}

/**
 * Where a claim stands (one rule: shared/leases.ts `claimStanding`): `leased`, its lease is running
 * (a worker is at it); `expired`, its lease ended without `complete` (its holder presumably died:
 * the next claim takes it over, what a sweeper looks for); `completed`; `final`, claimed without a
 * lease (or by an earlier version), never taken over.
 */
export type ClaimStanding = 'leased' | 'expired' | 'completed' | 'final';

export interface ListClaimsOptions {
  /** Only this repository (`owner/name`, compared case-insensitively). */
  repo?: string | undefined;
  /** Only claims that stand so now (the store's clock). */
  standing?: ClaimStanding | undefined;
  /** At most this many records (default 50). */
  limit?: number | undefined;
}

/**
 * How the ledger stands against its count limit (`maxDeliveries`; the file store only, null on
 * PostgreSQL, which has none). The limit never removes an entry younger than the redelivery window:
 * a ledger with more young entries than the limit keeps them all and reports `exceeded`.
 */
export interface CountLimit {
  /** The `maxDeliveries` option. */
  maxDeliveries: number;
  /** The `redeliveryWindowDays` option. */
  windowDays: number;
  /** Healthy entries younger than the window: kept whatever the count. */
  inWindow: number;
  /** The ledger holds more healthy entries than `maxDeliveries`. */
  exceeded: boolean;
}

/** What `tally()` finds. */
export interface DeliveryTally {
  /** Healthy entries. */
  entries: number;
  /** Entries that do not read (never counted as deliveries). */
  damaged: number;
  /** The count limit and how the ledger stands against it; null on PostgreSQL. */
  limit: CountLimit | null;
}

export interface PruneResult {
  removed: number;
  kept: number;
  /** How the ledger stands against its count limit after the pass; null on PostgreSQL. */
  limit: CountLimit | null;
}

export interface Deliveries {
  /** Check-and-record in one atomic step. */
  claim(input: ClaimInput): Promise<ClaimResult>;
  has(input: DeliveryKeyInput): Promise<boolean>;
  get(input: DeliveryKeyInput): Promise<DeliveryRecord | null>;
  /** Healthy entries held now (pruning happens during claims, or through `prune`). */
  count(): Promise<number>;
  /**
   * What `booty governor status` shows: healthy and damaged entries, found by the cheapest sound
   * scan (a damaged entry is never counted as a delivery). `check()` is the full scan.
   */
  tally(): Promise<DeliveryTally>;
  /** Marks the holder's claim done: final from now on. Throws STATE_LEASE_LOST when another holds it. */
  complete(input: CompleteInput): Promise<DeliveryRecord>;
  /**
   * Renews the holder's lease: it then ends `leaseMs` from now. Only the holder (its delivery id
   * and attempt) of a claim that is not completed; its lease may have ended if nobody took it
   * over. STATE_LEASE_LOST, nothing changed, when the claim was taken over, completed, released
   * or pruned; STATE_INVALID_INPUT for a final claim (it has no lease).
   */
  extend(input: ExtendInput): Promise<DeliveryRecord>;
  /**
   * Forgets a claim on purpose, so the next delivery for that commit is evaluated afresh. True when
   * one was there. A claim whose lease is running is refused (STATE_LEASE_HELD, naming the holder
   * and the lease's end) unless `force`.
   */
  release(input: ReleaseInput): Promise<boolean>;
  /** Recent claims, newest first (by `recordedAt`; Python entries without a time last). */
  list(options?: ListClaimsOptions): Promise<DeliveryRecord[]>;
  /**
   * Applies the retention and count limits now. Never removes an entry younger than the
   * redelivery window, a claim whose lease is running, or a damaged entry.
   */
  prune(): Promise<PruneResult>;
}

/** What part of the store a problem or a repair concerns. */
export type StorePart = 'release' | 'deliveries';

/** One damaged thing found by `check()`. */
export interface StoreProblem {
  part: StorePart;
  /** The file (file store) or `table key` (PostgreSQL) that is damaged. */
  target: string;
  /** A stable sub-kind (the same vocabulary as `StateError.details.reason`). */
  reason: string;
  /** What is wrong, in words. */
  message: string;
  /** The booty command that repairs it, e.g. `booty state reset deliveries`. */
  repair: string;
}

export interface StoreCheck {
  healthy: boolean;
  problems: StoreProblem[];
  /** Healthy ledger entries seen. */
  deliveries: number;
  /** The count limit and how the ledger stands against it (not damage); null on PostgreSQL. */
  limit: CountLimit | null;
}

export interface ResetResult {
  part: StorePart;
  /** Where the damaged bytes were kept (a file path, or `table` for PostgreSQL). */
  keptAt: string[];
  /** How many damaged items were replaced or moved aside. */
  repaired: number;
}

/** Which release state a call reads or writes. */
export interface StateScope {
  /**
   * A repository (`owner/name`, any case: one state per repository, as GitHub compares names):
   * its own state, for an App that serves several. Without it, the store's one state, release.json
   * (what a single-repository deployment and the Python implementation use).
   */
  repo?: string | undefined;
}

export interface UpdateStateOptions extends StateScope {
  /**
   * Fences the write by a claim: it is made only while this delivery still holds the claim at this
   * attempt (not taken over, released, pruned or completed), under the claim's lock, so a takeover
   * waits for it. Otherwise STATE_LEASE_LOST: `fn` is not called and nothing is written.
   */
  claim?: FencedClaim | undefined;
  /**
   * With `claim`: completes the claim in the same critical section, all or nothing (a crash never
   * leaves the claim completed without the state, nor the state written without the completion).
   * Called again after its reply was lost, it finds the claim completed by this delivery and
   * attempt: it returns the current state and does not call `fn`.
   */
  complete?: { outcome?: string | undefined } | undefined;
}

/** A repository's own release state, in a snapshot. */
export interface RepositoryState {
  /** `owner/name` in lower case (the identity the store keys it by). */
  repo: string;
  state: ReleaseState;
}

/** Everything a store holds, for copying between backends. */
export interface StoreSnapshot {
  /** release.json as an object, unknown fields included. */
  state: ReleaseState;
  deliveries: DeliveryRecord[];
  /** Each repository's own release state (`snapshot()` always sets it; a restore takes its absence as none). */
  repositories?: RepositoryState[] | undefined;
}

export interface ReleaseStore {
  readonly kind: StoreKind;
  /** The state directory, or the URL without its password. */
  readonly location: string;
  /**
   * Reads release.json (or its row) without a lock; with `repo`, that repository's own state
   * (every field null until its first write).
   */
  readState(options?: StateScope): Promise<ReleaseState>;
  /**
   * `fn` gets the current state and returns the next; the whole read-modify-write is one critical
   * section. `repo` writes that repository's state; `claim` fences the write by a claim and
   * `complete` completes that claim with it (UpdateStateOptions).
   */
  updateState(
    fn: (current: ReleaseState) => ReleaseState | Promise<ReleaseState>,
    options?: UpdateStateOptions,
  ): Promise<ReleaseState>;
  /** The repositories that have a release state of their own (`owner/name` in lower case), sorted. */
  repositories(): Promise<string[]>;
  readonly deliveries: Deliveries;
  /** The one full scan: every field and entry, every repository's state too; changes nothing. */
  check(): Promise<StoreCheck>;
  /**
   * Operator repair: replaces only what is damaged, keeps the damaged bytes beside it, keeps
   * healthy entries; `release` covers release.json and every repository's state. Refuses
   * (STATE_INVALID_INPUT, reason `nothing-to-reset`) when nothing is damaged.
   */
  reset(part: StorePart): Promise<ResetResult>;
  /** Everything held, for `copyStore`. Throws STATE_CORRUPT on damage (run `booty state check`). */
  snapshot(): Promise<StoreSnapshot>;
  /**
   * Writes a snapshot into this store. Refuses (STATE_INVALID_INPUT, reason `target-not-empty`)
   * when the store already holds deliveries or a non-skeleton release state (its own or a
   * repository's), unless `replace`, which makes the store exactly the snapshot.
   */
  restore(snapshot: StoreSnapshot, options?: { replace?: boolean }): Promise<void>;
  /** Releases connections; a no-op for files. The store cannot be used afterwards. */
  close(): Promise<void>;
}
