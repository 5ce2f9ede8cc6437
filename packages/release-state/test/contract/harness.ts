// The contract suite's harness: what a backend's factory gives the suite, and the keys it uses.
import type { ReleaseStore } from '../../src/shared/contract';
import type { ClaimResult, CountLimit, DeliveryKeyInput, DeliveryRecord } from '../../src/shared/contract-deliveries';

export interface ContractDamage {
  /** The store's own release state, or with `repo` (written before) that repository's, no longer parses. */
  corruptRelease(repo?: string): Promise<void>;
  corruptDelivery(input: DeliveryKeyInput): Promise<void>;
  backdate(input: DeliveryKeyInput, ageMs: number): Promise<void>;
  /**
   * Writes claims straight into the stored data as an earlier version stored them (keys as
   * spelled), in bulk: a fixture, not claims. A prune pass is due afterwards.
   */
  seed(records: readonly DeliveryRecord[]): Promise<void>;
}

export interface ContractHarness {
  store: ReleaseStore;
  reopen(): Promise<ReleaseStore>;
  damage: ContractDamage;
  /**
   * A copy of the stored data made the way an operator makes one outside booty (`cp -a` of the
   * state directory; the tables into another schema), opened as a store. The suite closes it.
   */
  copy(): Promise<ReleaseStore>;
  /** The count limit of the stores opened here (the file store's default), or null (PostgreSQL has none). */
  maxDeliveries: number | null;
  cleanup(): Promise<void>;
}

export type ContractFactory = () => Promise<ContractHarness>;

/** What one part of the suite gets from `describeStoreContract`. */
export interface SuiteContext {
  /** The running test's fresh store. */
  readonly h: ContractHarness;
  /** Another fresh, empty store (a copy target), closed by the suite. */
  another(): Promise<ContractHarness>;
  /** Another handle on the running test's store (as a second process would open it), closed by the suite. */
  reopen(): Promise<ReleaseStore>;
  /** A copy of the running test's stored data made outside booty (`ContractHarness.copy`), closed by the suite. */
  copy(): Promise<ReleaseStore>;
  claim(
    n: number,
    deliveryId: string,
    more?: { leaseMs?: number; repo?: string },
    store?: ReleaseStore,
  ): Promise<ClaimResult>;
}

/** What `limit` says of a store opened with default options, holding `inWindow` young entries. */
export function defaultLimit(h: Pick<ContractHarness, 'maxDeliveries'>, inWindow: number): CountLimit | null {
  if (h.maxDeliveries === null) return null;
  return { maxDeliveries: h.maxDeliveries, windowDays: 4, inWindow, exceeded: inWindow > h.maxDeliveries };
}

export const SHA = (n: number) => n.toString(16).padStart(40, '0');
export const REPO = 'octo-org/app';
export const KEY = (n: number, repo = REPO): DeliveryKeyInput => ({ repo, headSha: SHA(n) });
