// How `copyStore` (copy.ts) reaches a backend's own all-or-nothing copy, and how a target learns
// whether a source is itself. Internal: not part of the contract, not exported from the index;
// a ReleaseStore from elsewhere is copied into through its contract `restore`.
import type { ReleaseStore, StoreSnapshot } from './contract';

/** The backend's copy into this store: checked and written under one lock, all or nothing. */
export const COPY_INTO = Symbol('copyInto');
/** What a PostgreSQL store answers about itself, so a target can tell it is the same store. */
export const STORE_IDENTITY = Symbol('storeIdentity');

export interface CopyIntoOptions {
  /** Replace what the target holds (else a non-empty target is refused). */
  replace: boolean;
  /** With `replace`: allow an empty source over a target that holds data. */
  force: boolean;
  /** The store the snapshot came from (never the target itself, nor inside it); unknown for a contract `restore`. */
  source?: ReleaseStore | undefined;
  /** Aborting before the switch leaves the target as it was. */
  signal?: AbortSignal | undefined;
}

export type CopyInto = (snapshot: StoreSnapshot, options: CopyIntoOptions) => Promise<void>;

/** A transaction-scoped advisory lock a target holds while it asks the source whether it sees it. */
export interface LockProbe {
  pid: number;
  key1: number;
  key2: number;
}

export interface PostgresIdentity {
  schema: string;
  /** True when `probe` is held in this store's database: the two are one database. */
  sees(probe: LockProbe): Promise<boolean>;
}

export function copyIntoOf(store: ReleaseStore): CopyInto | undefined {
  const hook = (store as unknown as Record<symbol, unknown>)[COPY_INTO];
  return typeof hook === 'function' ? (hook as CopyInto).bind(store) : undefined;
}

export function postgresIdentityOf(store: ReleaseStore): PostgresIdentity | undefined {
  const identity = (store as unknown as Record<symbol, unknown>)[STORE_IDENTITY];
  return typeof identity === 'object' && identity !== null ? (identity as PostgresIdentity) : undefined;
}
