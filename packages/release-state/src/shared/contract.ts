// The store contract: what `openReleaseStore` returns, whatever the backend. The file store
// (one host, nothing to run) and the PostgreSQL store (several hosts) both implement it, and one
// contract test suite (test/contract) runs every behaviour against each. Types only: no code
// here, so nothing in this module costs anything at start-up.
//
// The delivery ledger's part (`store.deliveries`: claims, leases, counts) is in
// contract-deliveries.ts.
import type { CountLimit, Deliveries, DeliveryRecord, FencedClaim, ScanOptions } from './contract-deliveries';
import type { ReleaseState } from './release-state';

/** Which backend holds the state. */
export type StoreKind = 'file' | 'postgres';

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

/** What `check()` found. */
export interface StoreCheck {
  /** True when nothing is damaged. */
  healthy: boolean;
  /** Each damaged thing, with its repair command. */
  problems: StoreProblem[];
  /** Healthy ledger entries seen. */
  deliveries: number;
  /** The count limit and how the ledger stands against it (not damage); null on PostgreSQL. */
  limit: CountLimit | null;
}

/** What `reset()` repaired. */
export interface ResetResult {
  /** The part repaired. */
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

/** What `updateState` takes besides its callback: which state, and the claim that fences the write. */
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
  /** Every claim, every field. */
  deliveries: DeliveryRecord[];
  /** Each repository's own release state (`snapshot()` always sets it; a restore takes its absence as none). */
  repositories?: RepositoryState[] | undefined;
}

/**
 * The store `openReleaseStore` returns, on either backend: release.json (`readState`,
 * `updateState`), the delivery ledger (`deliveries`) and the operator's tools (`check`, `reset`,
 * `snapshot`, `restore`). Every method throws `StateError`; after `close()` each one is
 * STATE_INVALID_INPUT (reason `closed`).
 */
export interface ReleaseStore {
  /** Which backend: `file` or `postgres`. */
  readonly kind: StoreKind;
  /** The state directory, or the URL without its password. */
  readonly location: string;
  /**
   * Reads release.json (or its row) without a lock; with `repo`, that repository's own state
   * (every field null until its first write).
   * @throws {@link StateError} STATE_CORRUPT (does not parse, or a field breaks its rule),
   *   STATE_UNSAFE (a symlink), STATE_READ (vanished, unreadable), STATE_INVALID_INPUT (a bad
   *   `repo`), STATE_UNAVAILABLE (PostgreSQL)
   */
  readState(options?: StateScope): Promise<ReleaseState>;
  /**
   * `fn` gets the current state and returns the next; the whole read-modify-write is one critical
   * section. An error thrown by `fn` reaches the caller unchanged, and nothing is written. `repo`
   * writes that repository's state; `claim` fences the write by a claim and `complete` completes
   * that claim with it, all or nothing (UpdateStateOptions).
   * @throws {@link StateError} STATE_LEASE_LOST (with `claim`: the caller no longer holds it; `fn`
   *   was not called, nothing changed), STATE_INVALID_INPUT (a value `fn` set breaks its field's
   *   rule, bad options), STATE_CORRUPT, STATE_LOCK_TIMEOUT, STATE_WRITE (nothing changed: the old
   *   file is intact), STATE_UNSAFE, STATE_UNAVAILABLE
   */
  updateState(
    fn: (current: ReleaseState) => ReleaseState | Promise<ReleaseState>,
    options?: UpdateStateOptions,
  ): Promise<ReleaseState>;
  /**
   * The repositories that have a release state of their own (`owner/name` in lower case), sorted.
   * @throws {@link StateError} STATE_READ, STATE_UNSAFE, STATE_UNAVAILABLE
   */
  repositories(): Promise<string[]>;
  /** The delivery ledger: claims, leases, completion. */
  readonly deliveries: Deliveries;
  /**
   * The one full scan: every field and entry, every repository's state too; changes nothing.
   * Damage is in the result, not an error.
   * @throws {@link StateError} STATE_READ, STATE_UNSAFE, STATE_UNAVAILABLE
   */
  check(options?: ScanOptions): Promise<StoreCheck>;
  /**
   * Operator repair: replaces only what is damaged, keeps the damaged bytes beside it, keeps
   * healthy entries; `release` covers release.json and every repository's state.
   * @throws {@link StateError} STATE_INVALID_INPUT (reason `nothing-to-reset`: nothing in that
   *   part is damaged, nothing changed), STATE_WRITE, STATE_LOCK_TIMEOUT, STATE_UNAVAILABLE
   */
  reset(part: StorePart): Promise<ResetResult>;
  /**
   * Everything held, for `copyStore`.
   * @throws {@link StateError} STATE_CORRUPT on damage (run `booty state check`), STATE_READ,
   *   STATE_UNAVAILABLE
   */
  snapshot(): Promise<StoreSnapshot>;
  /**
   * Writes a snapshot into this store, each repository's state included.
   * @throws {@link StateError} STATE_INVALID_INPUT (reason `target-not-empty`: the store already
   *   holds deliveries or a non-skeleton release state, its own or a repository's, and `replace`
   *   is not set; a snapshot that breaks the rules), STATE_WRITE, STATE_LOCK_TIMEOUT,
   *   STATE_UNAVAILABLE
   */
  restore(snapshot: StoreSnapshot, options?: { replace?: boolean }): Promise<void>;
  /** Releases connections; a no-op for files. The store cannot be used afterwards. Never throws. */
  close(): Promise<void>;
}
