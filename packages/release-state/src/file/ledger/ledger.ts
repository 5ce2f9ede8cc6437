// The delivery ledger of the file store: one small file per key under `deliveries/`. This is its
// face (the contract's `Deliveries`); each operation lives in a module of its own:
//   claim.ts        the claim, top to bottom (and the takeover of an ended lease)
//   leases.ts       complete and release
//   readers.ts      get, has, count, tally, list
//   maintenance.ts  prune (and when a claim runs one), check, reset, restore
//   python.ts       the Python implementation's delivery_ids.json
//   files.ts        where the files are and how they are read
//   entry.ts        the entry file format
import type {
  ClaimInput,
  ClaimResult,
  CompleteInput,
  Deliveries,
  DeliveryKeyInput,
  DeliveryRecord,
  ListClaimsOptions,
  PruneResult,
} from '../../shared/contract';
import { claim } from './claim';
import { LedgerFiles, type LedgerOptions } from './files';
import { complete, release } from './leases';
import { LedgerMaintenance } from './maintenance';
import { PythonBridge } from './python';
import { allRecords, get, list, tally } from './readers';

/** What the operations work on. */
export interface LedgerParts {
  readonly files: LedgerFiles;
  readonly python: PythonBridge;
  readonly maintenance: LedgerMaintenance;
}

export class DeliveryLedger implements Deliveries, LedgerParts {
  readonly files: LedgerFiles;
  readonly python: PythonBridge;
  readonly maintenance: LedgerMaintenance;

  constructor(options: LedgerOptions) {
    this.files = new LedgerFiles(options);
    this.python = new PythonBridge(this.files);
    this.maintenance = new LedgerMaintenance(this.files, this.python);
  }

  claim(input: ClaimInput): Promise<ClaimResult> {
    return claim(this, input);
  }

  complete(input: CompleteInput): Promise<DeliveryRecord> {
    return complete(this, input);
  }

  release(input: DeliveryKeyInput): Promise<boolean> {
    return release(this, input);
  }

  async has(input: DeliveryKeyInput): Promise<boolean> {
    return (await get(this, input)) !== null;
  }

  get(input: DeliveryKeyInput): Promise<DeliveryRecord | null> {
    return get(this, input);
  }

  async count(): Promise<number> {
    return (await tally(this)).entries;
  }

  tally(): Promise<{ entries: number; damaged: number }> {
    return tally(this);
  }

  list(options?: ListClaimsOptions): Promise<DeliveryRecord[]> {
    return list(this, options);
  }

  /** Every healthy record, Python entries not imported yet included. `strict`: damage is an error (snapshot). */
  records(options: { strict: boolean }): Promise<DeliveryRecord[]> {
    return allRecords(this, options);
  }

  /** Runs a prune pass now; claims run one when it is due. */
  async prune(): Promise<PruneResult> {
    await this.files.ensureDir();
    await this.python.syncForWrite();
    return this.maintenance.prune();
  }

  /** Gives back the kept directory descriptor. */
  close(): void {
    this.files.closeDir();
  }
}
