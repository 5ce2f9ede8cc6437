// The delivery ledger's part of the store contract (`store.deliveries`): a claim's record, what
// each call takes and answers, and the `Deliveries` interface. Types only, like contract.ts, which
// completes the contract and is where callers import these from.

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

/** Which claim: the ledger key is `owner/repo:head_sha`. */
export interface DeliveryKeyInput {
  /** `owner/name`, in any case: GitHub treats owner and name case-insensitively, and so does the ledger. */
  repo: string;
  /** The full commit SHA: 40 hex digits (or 64 for SHA-256 repositories); upper case is folded. */
  headSha: string;
}

/** What `deliveries.claim` takes: the key, the delivery that claims it, and an optional lease. */
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

/** What `deliveries.claim` answers: whether this caller won, and the holder's record. */
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

/** What `deliveries.complete` takes: the key, the holder's delivery id, and what was done. */
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
  /** The `X-GitHub-Delivery` id that holds the claim (the claim's `record.deliveryId`). */
  deliveryId: string;
  /** The fencing number the claim returned (`record.attempt`); a takeover makes it stale. */
  attempt: number;
}

/** What `deliveries.extend` takes: the holder, and how long its lease runs from now. */
export interface ExtendInput extends FencedClaim {
  /** The lease then ends this many milliseconds from now (it may shorten it); 1 to 7 days' worth. */
  leaseMs: number;
}

/** Which claim `deliveries.release` forgets, and whether a running lease may be forgotten. */
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

/** What `deliveries.list` takes; every option may be left out. */
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

/** How far a full read of the ledger has got: `read` of `total` entries. */
export interface ScanProgress {
  read: number;
  total: number;
}

/** For the calls that read a whole ledger (`tally`, `check`). */
export interface ScanOptions {
  /** Called as the entries are read (the file store: every few hundred), so a caller can show progress. */
  onProgress?: ((progress: ScanProgress) => void) | undefined;
}

/** What `deliveries.tally` takes: progress, and the recent claims from the same read. */
export interface TallyOptions extends ScanOptions {
  /** Also the most recent claims, as `list` gives them, from the same read of the ledger. */
  recent?: ListClaimsOptions | undefined;
}

/** What `tally()` finds. */
export interface DeliveryTally {
  /** Healthy entries. */
  entries: number;
  /** Entries that do not read (never counted as deliveries). */
  damaged: number;
  /** The count limit and how the ledger stands against it; null on PostgreSQL. */
  limit: CountLimit | null;
  /** With `recent`: the claims `list(recent)` would give. */
  recent?: DeliveryRecord[];
}

/** What a prune pass did. */
export interface PruneResult {
  /** Entries removed by the retention and count limits. */
  removed: number;
  /** Entries left. */
  kept: number;
  /** How the ledger stands against its count limit after the pass; null on PostgreSQL. */
  limit: CountLimit | null;
}

/**
 * The delivery ledger (`store.deliveries`): one claim per (repository, commit), so that a commit
 * is acted on once however many workers and redeliveries there are. Every method throws
 * `StateError`; STATE_INVALID_INPUT names the field of bad input and changes nothing.
 */
export interface Deliveries {
  /**
   * Check-and-record in one atomic step: exactly one caller across every process (and, on
   * PostgreSQL, every host) gets `claimed: true` for a key; the others get the holder's record.
   * @throws {@link StateError} STATE_INVALID_INPUT (repo, headSha, deliveryId or leaseMs),
   *   STATE_CORRUPT (a damaged ledger file), STATE_WRITE, STATE_READ, STATE_UNSAFE,
   *   STATE_LOCK_TIMEOUT (a takeover waited for the key's lock), STATE_UNAVAILABLE (PostgreSQL)
   */
  claim(input: ClaimInput): Promise<ClaimResult>;
  /**
   * Whether anything is recorded for the key (`get` is not null). No lock, no writes.
   * @throws {@link StateError} as `get`: STATE_INVALID_INPUT, STATE_CORRUPT, STATE_READ, STATE_UNSAFE,
   *   STATE_UNAVAILABLE
   */
  has(input: DeliveryKeyInput): Promise<boolean>;
  /**
   * The key's record, or null when nothing is recorded for it. No lock, no writes.
   * @throws {@link StateError} STATE_INVALID_INPUT, STATE_CORRUPT (a damaged entry), STATE_READ,
   *   STATE_UNSAFE, STATE_UNAVAILABLE
   */
  get(input: DeliveryKeyInput): Promise<DeliveryRecord | null>;
  /**
   * Healthy entries held now (pruning happens during claims, or through `prune`).
   * @throws {@link StateError} STATE_CORRUPT (a damaged `delivery_ids.json` or `.ledger.json`),
   *   STATE_READ, STATE_UNAVAILABLE
   */
  count(): Promise<number>;
  /**
   * What `booty governor status` shows: healthy and damaged entries, found by the cheapest sound
   * scan (a damaged entry is never counted as a delivery), and with `recent` the most recent
   * claims from the same read (`booty state claims`). `check()` is the full scan.
   * @throws {@link StateError} STATE_CORRUPT (a damaged `delivery_ids.json` or `.ledger.json`),
   *   STATE_READ, STATE_UNAVAILABLE
   */
  tally(options?: TallyOptions): Promise<DeliveryTally>;
  /**
   * Marks the holder's claim done: final from now on (a second call returns the same record).
   * @throws {@link StateError} STATE_LEASE_LOST (another delivery holds the claim, `attempt` is
   *   not current, or the claim is gone), STATE_INVALID_INPUT, STATE_CORRUPT, STATE_WRITE,
   *   STATE_LOCK_TIMEOUT, STATE_UNAVAILABLE
   */
  complete(input: CompleteInput): Promise<DeliveryRecord>;
  /**
   * Renews the holder's lease: it then ends `leaseMs` from now. Only the holder (its delivery id
   * and attempt) of a claim that is not completed; its lease may have ended if nobody took it over.
   * @throws {@link StateError} STATE_LEASE_LOST (the claim was taken over, completed, released or
   *   pruned; nothing changed), STATE_INVALID_INPUT (a final claim has no lease; bad input),
   *   STATE_CORRUPT, STATE_WRITE, STATE_LOCK_TIMEOUT, STATE_UNAVAILABLE
   */
  extend(input: ExtendInput): Promise<DeliveryRecord>;
  /**
   * Forgets a claim on purpose, so the next delivery for that commit is evaluated afresh. True when
   * one was there. A claim whose lease is running is refused (STATE_LEASE_HELD, naming the holder
   * and the lease's end) unless `force`.
   * @throws {@link StateError} STATE_LEASE_HELD (a running lease, without `force`), STATE_CORRUPT
   *   (a damaged entry: `booty state reset deliveries`), STATE_INVALID_INPUT, STATE_WRITE,
   *   STATE_LOCK_TIMEOUT, STATE_UNAVAILABLE
   */
  release(input: ReleaseInput): Promise<boolean>;
  /**
   * Recent claims, newest first (by `recordedAt`; Python entries without a time last), of one
   * repository or standing when asked.
   * @throws {@link StateError} STATE_INVALID_INPUT (`repo`, `limit`, `standing`), STATE_CORRUPT, STATE_READ,
   *   STATE_UNAVAILABLE
   */
  list(options?: ListClaimsOptions): Promise<DeliveryRecord[]>;
  /**
   * Applies the retention and count limits now. Never removes an entry younger than the
   * redelivery window, a claim whose lease is running, or a damaged entry.
   * @throws {@link StateError} STATE_CORRUPT, STATE_WRITE, STATE_LOCK_TIMEOUT, STATE_UNAVAILABLE
   */
  prune(): Promise<PruneResult>;
}
