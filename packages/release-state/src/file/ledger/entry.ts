// The ledger's entry format: the file name of a key, and what one entry file holds. (The key
// itself, its identity and the checks on a caller's values are the shared rules: shared/input.ts.)
import { createHash } from 'node:crypto';
import type { DeliveryRecord } from '../../shared/contract-deliveries';
import { REPAIR_COMMAND, stateError } from '../../shared/errors';
import { fullRecord, keyIdentity, recordProblem } from '../../shared/input';
import { parseJsonDocument } from '../../shared/json';
import { describeJsonType, excerptValue } from '../../shared/text';

export const LEDGER_DIR = 'deliveries';
export const PYTHON_LEDGER_FILE = 'delivery_ids.json';
export const MARKER_FILE = '.ledger.json';
const ENTRY_SUFFIX = '.json';
export const ENTRY_MAX_BYTES = 64 * 1024;
/** The temp files of entries are named after this (`.entry.<…>.tmp`); entry names never start with a dot. */
export const ENTRY_TEMP_BASE = 'entry';
/** Entries keep format 1: the lease fields are additions an older reader ignores. */
export const LEDGER_FORMAT_VERSION = 1;

/**
 * The entry file name of a key: its identity (owner and name in lower case: `keyIdentity`), so
 * that every spelling of a repository finds the one file, percent-encoded (readable, reversible,
 * no `/`), never starting with a dot (dot names are the ledger's own files). Keys too long for a
 * file name are hashed; `%` followed by a lower-case letter never comes out of
 * encodeURIComponent, so the reserved names cannot collide with an encoded key.
 */
export function entryName(key: string): string {
  return encodeName(keyIdentity(key));
}

/**
 * The name an earlier version gave a key's entry: the key as spelled, so `Octo/Web` and
 * `octo/web` were two files. Such entries are renamed before the next write (spellings.ts).
 */
export function spelledEntryName(key: string): string {
  return encodeName(key);
}

function encodeName(key: string): string {
  if (key === '') return `%empty${ENTRY_SUFFIX}`;
  let encoded = encodeURIComponent(key);
  if (encoded.startsWith('.')) encoded = `%2E${encoded.slice(1)}`;
  if (Buffer.byteLength(encoded) > 200) return `%h${createHash('sha256').update(key).digest('hex')}${ENTRY_SUFFIX}`;
  return `${encoded}${ENTRY_SUFFIX}`;
}

/**
 * The key an entry file name encodes (this version's names encode the key's identity, an earlier
 * version's the key as spelled), or null when only the file knows it (hashed names).
 */
export function keyOfEntryName(name: string): string | null {
  if (!name.endsWith(ENTRY_SUFFIX) || name.startsWith('.')) return null;
  const stem = name.slice(0, -ENTRY_SUFFIX.length);
  if (stem === '%empty') return '';
  if (stem.startsWith('%h')) return null;
  try {
    return decodeURIComponent(stem);
  } catch {
    return null;
  }
}

export function isEntryName(name: string): boolean {
  return !name.startsWith('.') && name.endsWith(ENTRY_SUFFIX);
}

/** The bytes of one entry file. */
export function serializeEntry(
  record: Pick<DeliveryRecord, 'key' | 'deliveryId' | 'recordedAt'> & Partial<DeliveryRecord>,
  importedFrom?: string,
): Buffer {
  const body: Record<string, unknown> = { format_version: LEDGER_FORMAT_VERSION, ...fullRecord(record) };
  if (importedFrom !== undefined) body['imported_from'] = importedFrom;
  return Buffer.from(`${JSON.stringify(body)}\n`, 'utf8');
}

/**
 * Parses and checks the bytes of an entry file. Entries of the previous version have no lease
 * fields: they read as attempt 1, final.
 */
export function parseEntry(bytes: Uint8Array, file: string, key: string | null): DeliveryRecord {
  const value = parseJsonDocument(bytes, file, 'deliveries');
  const bad = (what: string) =>
    stateError('STATE_CORRUPT', {
      path: file,
      reason: 'bad-entry',
      happened: `${file} ${what}`,
      changed: 'It was not changed',
      fix: `Repair it by hand, or run \`${REPAIR_COMMAND.deliveries}\` (it moves damaged entries aside and keeps the rest)`,
    });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(`holds ${describeJsonType(value)}, not a ledger entry object`);
  }
  const entry = value as Record<string, unknown>;
  const { key: storedKey, deliveryId, recordedAt } = entry;
  if (
    typeof storedKey !== 'string' ||
    typeof deliveryId !== 'string' ||
    !(recordedAt === null || typeof recordedAt === 'string')
  ) {
    throw bad('is not a ledger entry (expected "key" and "deliveryId" strings and "recordedAt" string or null)');
  }
  // A name is the key's identity (owner and name folded), the file keeps the key as first spelled.
  if (key !== null && storedKey !== key && keyIdentity(storedKey) !== keyIdentity(key)) {
    throw bad(`records the key ${excerptValue(storedKey)}, but its name is for ${excerptValue(key)}`);
  }
  // Fields the previous version did not write read as attempt 1, final; their values are checked
  // by the record rule below, which is the one every store holds a claim to.
  const attempt = (entry['attempt'] ?? 1) as number;
  const leaseExpiresAt = (entry['leaseExpiresAt'] ?? null) as string | null;
  const completedAt = (entry['completedAt'] ?? null) as string | null;
  const outcome = (entry['outcome'] ?? null) as string | null;
  const record = { key: storedKey, deliveryId, recordedAt, attempt, leaseExpiresAt, completedAt, outcome };
  // What reads as healthy here can be copied into either backend.
  const problem = recordProblem(record);
  if (problem !== null) throw bad(problem);
  return record;
}
