// The delivery ledger of the file store: one small file per key under `deliveries/`. Its parts
// are made here; each operation lives in a module of its own, and the store (../store.ts) calls
// them directly:
//   claim.ts        the claim, top to bottom (and the takeover of an ended lease)
//   leases.ts       complete and release (forget)
//   readers.ts      get, has, count, tally, list, every record
//   maintenance.ts  prune (and when a claim starts one, in the background), check, reset, restore
//   sync.ts         what every write waits for: the directory brought up to date
//   spellings.ts    entries an earlier version named by the key's spelling, renamed once
//   python.ts       the Python implementation's delivery_ids.json
//   ages.ts         how old an entry is, for the bounds
//   files.ts        where the files are, the one read of an entry, the per-key lock
//   bulk.ts         how bulk passes (scans, prune passes, imports) share the process with claims
//   marker.ts       the bookkeeping file, deliveries/.ledger.json
//   kept-dir.ts     the directory's descriptor, kept open to flush it after each claim
//   entry.ts        the entry file format
import { LedgerFiles, type LedgerOptions } from './files';
import { LedgerMaintenance } from './maintenance';
import { PythonBridge } from './python';

/** What the ledger's operations work on. */
export class DeliveryLedger {
  readonly files: LedgerFiles;
  readonly python: PythonBridge;
  readonly maintenance: LedgerMaintenance;

  constructor(options: LedgerOptions) {
    this.files = new LedgerFiles(options);
    this.python = new PythonBridge(this.files);
    this.maintenance = new LedgerMaintenance(this.files, this.python);
  }

  /** Waits for a background prune pass in progress, then gives back the kept directory descriptor. */
  async close(): Promise<void> {
    await this.maintenance.idle();
    this.files.closeDir();
  }
}

/** The parts an operation uses (a DeliveryLedger is one). */
export type LedgerParts = Pick<DeliveryLedger, 'files' | 'python' | 'maintenance'>;
