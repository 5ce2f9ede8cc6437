// The delivery ledger: one small file per key under `deliveries/`. The concerns live apart:
// ledger/entry.ts (key codec, entry format, input checks), ledger/claims.ts (claim, leases and
// readers), ledger/python.ts (the Python `delivery_ids.json`), ledger/maintenance.ts (prune,
// check, reset, restore). This module is the ledger's one entrance for the rest of the package.
export type { ClaimInput, ClaimResult, Deliveries, DeliveryKeyInput, DeliveryRecord } from '../shared/contract';
export { DeliveryLedger } from './ledger/claims';
export { deliveryKey, entryName, keyOfEntryName, LEDGER_DIR, PYTHON_LEDGER_FILE, serializeEntry, parseEntry } from './ledger/entry';
export type { LedgerOptions } from './ledger/files';
