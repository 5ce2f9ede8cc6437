// The ledger's bookkeeping file, `deliveries/.ledger.json`: what it records (the last prune pass,
// the Python file last imported, the entry-name rule) and its format. Read and written by
// files.ts, which keeps it cached by the file's identity.
import { REPAIR_COMMAND, stateError } from '../../shared/errors';
import { parseJsonDocument } from '../../shared/json';
import { describeJsonType } from '../../shared/text';
import { LEDGER_FORMAT_VERSION } from './entry';

/** The ledger's bookkeeping file, `deliveries/.ledger.json`. */
export interface Marker {
  format_version: number;
  /** Identity of delivery_ids.json when we last imported or exported it ('absent': there was none); null: never synced. */
  python_source: string | null;
  last_prune: string | null;
  /**
   * `case-folded` once every entry is named by its key's identity (entry.ts); null for a ledger
   * an earlier version wrote, whose names kept each spelling (spellings.ts renames them).
   */
  entry_names: typeof ENTRY_NAMES | null;
}

/** The entry-name rule of this version, as the bookkeeping file records it. */
export const ENTRY_NAMES = 'case-folded';

/**
 * No bookkeeping file yet: nothing imported (a delivery_ids.json that appears is imported), and
 * the names not known to follow this version's rule.
 */
export const EMPTY_MARKER: Marker = {
  format_version: LEDGER_FORMAT_VERSION,
  python_source: 'absent',
  last_prune: null,
  entry_names: null,
};

/** The bookkeeping file's bytes (from `file`) as a Marker; a field it lacks, or of another type, reads as null. */
export function parseMarker(bytes: Buffer, file: string): Marker {
  const value = parseJsonDocument(bytes, file, 'deliveries');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw stateError('STATE_CORRUPT', {
      path: file,
      reason: 'bad-marker',
      happened: `${file} holds ${describeJsonType(value)}, not the ledger's bookkeeping object`,
      changed: 'It was not changed',
      fix: `Run \`${REPAIR_COMMAND.deliveries}\``,
    });
  }
  const record = value as Record<string, unknown>;
  return {
    format_version: LEDGER_FORMAT_VERSION,
    python_source: typeof record['python_source'] === 'string' ? record['python_source'] : null,
    last_prune: typeof record['last_prune'] === 'string' ? record['last_prune'] : null,
    entry_names: record['entry_names'] === ENTRY_NAMES ? ENTRY_NAMES : null,
  };
}

export function markerBytes(marker: Marker): Buffer {
  return Buffer.from(`${JSON.stringify(marker)}\n`);
}
