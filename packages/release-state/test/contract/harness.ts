// The contract suite's harness: what a backend's factory gives the suite, and the keys it uses.
import type { ClaimResult, DeliveryKeyInput, ReleaseStore } from '../../src/shared/contract';

export interface ContractDamage {
  corruptRelease(): Promise<void>;
  corruptDelivery(input: DeliveryKeyInput): Promise<void>;
  backdate(input: DeliveryKeyInput, ageMs: number): Promise<void>;
}

export interface ContractHarness {
  store: ReleaseStore;
  reopen(): Promise<ReleaseStore>;
  damage: ContractDamage;
  cleanup(): Promise<void>;
}

export type ContractFactory = () => Promise<ContractHarness>;

/** What one part of the suite gets from `describeStoreContract`. */
export interface SuiteContext {
  /** The running test's fresh store. */
  readonly h: ContractHarness;
  /** Another fresh, empty store (a copy target), closed by the suite. */
  another(): Promise<ContractHarness>;
  claim(n: number, deliveryId: string, more?: { leaseMs?: number; repo?: string }, store?: ReleaseStore): Promise<ClaimResult>;
}

export const SHA = (n: number) => n.toString(16).padStart(40, '0');
export const REPO = 'octo-org/app';
export const KEY = (n: number, repo = REPO): DeliveryKeyInput => ({ repo, headSha: SHA(n) });
