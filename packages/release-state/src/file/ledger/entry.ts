// The ledger's key codec and entry format: how a (repository, commit) becomes a key and a file
// name, what one entry file holds, and the checks on every value a caller passes in.
import { createHash } from 'node:crypto';
import type { DeliveryKeyInput, DeliveryRecord } from '../../shared/contract';
import { stateError, type StateError } from '../../shared/errors';
import { parseJsonDocument } from '../../shared/json';
import { describeJsonType } from '../../shared/release-state';

export const LEDGER_DIR = 'deliveries';
export const PYTHON_LEDGER_FILE = 'delivery_ids.json';
export const MARKER_FILE = '.ledger.json';
const ENTRY_SUFFIX = '.json';
export const ENTRY_MAX_BYTES = 64 * 1024;
/** Entries keep format 1: the lease fields are additions an older reader ignores. */
export const LEDGER_FORMAT_VERSION = 1;
export const REPAIR_DELIVERIES = 'booty state reset deliveries';
/** The longest lease: a week (GitHub redelivers for 3 days). */
const MAX_LEASE_MS = 7 * 24 * 60 * 60 * 1000;

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,38})$/;
const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const FULL_SHA = /^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|\+00:00)$/;

export function invalidInput(where: string, field: string, what: string): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: where,
    reason: 'bad-input',
    happened: `Invalid ${field} for the delivery ledger in ${where}: ${what}`,
    changed: 'The ledger was not changed',
    details: { field },
  });
}

/** A short, quoted, control-free excerpt of a caller's value for a message. */
function shown(value: unknown): string {
  if (typeof value !== 'string') return describeJsonType(value);
  const cut = value.length > 40 ? `${value.slice(0, 40)}...` : value;
  return JSON.stringify(cut);
}

/** Checks `repo` (`owner/name`); returns it unchanged. */
export function validateRepo(repo: unknown, where: string): string {
  if (typeof repo !== 'string') throw invalidInput(where, 'repo', `expected a string "owner/name", got ${describeJsonType(repo)}`);
  const slash = repo.indexOf('/');
  const owner = repo.slice(0, slash);
  const name = repo.slice(slash + 1);
  if (slash < 0 || !OWNER.test(owner) || !REPO_NAME.test(name) || name === '.' || name === '..') {
    throw invalidInput(where, 'repo', `expected "owner/name" (for example octo-org/octo-repo), got ${shown(repo)}`);
  }
  return repo;
}

/** `owner/repo:head_sha` after validating both parts; throws STATE_INVALID_INPUT naming the field. */
export function deliveryKey(input: DeliveryKeyInput, where: string): string {
  if (typeof input !== 'object' || input === null) {
    throw invalidInput(where, 'input', `expected { repo, headSha }, got ${describeJsonType(input)}`);
  }
  const repo = validateRepo(input.repo, where);
  const { headSha } = input;
  if (typeof headSha !== 'string' || !FULL_SHA.test(headSha)) {
    throw invalidInput(
      where,
      'headSha',
      `expected the full commit SHA (40 hex digits, or 64 for SHA-256 repositories), got ${shown(headSha)}; an abbreviated SHA would make a second key for the same commit`,
    );
  }
  return `${repo}:${headSha.toLowerCase()}`;
}

/** A short caller-given text (delivery id, outcome): non-empty, at most 200 characters, no control characters. */
function validateText(value: unknown, where: string, field: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 200 || CONTROL.test(value)) {
    throw invalidInput(where, field, `expected ${what} (non-empty, at most 200 characters, no control characters), got ${shown(value)}`);
  }
  return value;
}

export function validateDeliveryId(deliveryId: unknown, where: string): string {
  return validateText(deliveryId, where, 'deliveryId', 'the X-GitHub-Delivery id');
}

export function validateOutcome(outcome: unknown, where: string): string | null {
  return outcome === undefined ? null : validateText(outcome, where, 'outcome', 'a short word for what was done');
}

/** `leaseMs`: undefined (a final claim) or a whole number of milliseconds up to a week. */
export function validateLeaseMs(leaseMs: unknown, where: string): number | null {
  if (leaseMs === undefined) return null;
  if (typeof leaseMs !== 'number' || !Number.isInteger(leaseMs) || leaseMs < 1 || leaseMs > MAX_LEASE_MS) {
    throw invalidInput(where, 'leaseMs', `expected a whole number of milliseconds from 1 to ${MAX_LEASE_MS} (7 days), got ${typeof leaseMs === 'number' ? String(leaseMs) : shown(leaseMs)}`);
  }
  return leaseMs;
}

export function validateAttempt(attempt: unknown, where: string): number | null {
  if (attempt === undefined) return null;
  if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1) {
    throw invalidInput(where, 'attempt', `expected the record.attempt the claim returned (a whole number from 1), got ${typeof attempt === 'number' ? String(attempt) : shown(attempt)}`);
  }
  return attempt;
}

/** `list({ limit })`: one rule for both backends. */
const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 100_000;

export function validateListLimit(limit: unknown, where: string): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw invalidInput(where, 'limit', `expected a whole number from 1 to ${MAX_LIST_LIMIT}, got ${typeof limit === 'number' ? String(limit) : describeJsonType(limit)}`);
  }
  return limit;
}

/**
 * The entry file name of a key: the key percent-encoded (readable, reversible, no `/`), never
 * starting with a dot (dot names are the ledger's own files). Keys too long for a file name
 * are hashed; `%` followed by a lower-case letter never comes out of encodeURIComponent, so
 * the reserved names cannot collide with an encoded key.
 */
export function entryName(key: string): string {
  if (key === '') return `%empty${ENTRY_SUFFIX}`;
  let encoded = encodeURIComponent(key);
  if (encoded.startsWith('.')) encoded = `%2E${encoded.slice(1)}`;
  if (Buffer.byteLength(encoded) > 200) return `%h${createHash('sha256').update(key).digest('hex')}${ENTRY_SUFFIX}`;
  return `${encoded}${ENTRY_SUFFIX}`;
}

/** The key of an entry file name, or null when only the file knows it (hashed names). */
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

/** The record of a claim whose fields a caller (or an old entry) left out: attempt 1, final. */
export function fullRecord(record: Pick<DeliveryRecord, 'key' | 'deliveryId' | 'recordedAt'> & Partial<DeliveryRecord>): DeliveryRecord {
  return {
    key: record.key,
    deliveryId: record.deliveryId,
    recordedAt: record.recordedAt,
    attempt: record.attempt ?? 1,
    leaseExpiresAt: record.leaseExpiresAt ?? null,
    completedAt: record.completedAt ?? null,
    outcome: record.outcome ?? null,
  };
}

/** The bytes of one entry file. */
export function serializeEntry(record: Pick<DeliveryRecord, 'key' | 'deliveryId' | 'recordedAt'> & Partial<DeliveryRecord>, importedFrom?: string): Buffer {
  const body: Record<string, unknown> = { format_version: LEDGER_FORMAT_VERSION, ...fullRecord(record) };
  if (importedFrom !== undefined) body['imported_from'] = importedFrom;
  return Buffer.from(`${JSON.stringify(body)}\n`, 'utf8');
}

function isTime(value: unknown): value is string {
  return typeof value === 'string' && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value));
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
      fix: `Repair it by hand, or run \`${REPAIR_DELIVERIES}\` (it moves damaged entries aside and keeps the rest)`,
    });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(`holds ${describeJsonType(value)}, not a ledger entry object`);
  const entry = value as Record<string, unknown>;
  const { key: storedKey, deliveryId, recordedAt } = entry;
  if (typeof storedKey !== 'string' || typeof deliveryId !== 'string' || !(recordedAt === null || typeof recordedAt === 'string')) {
    throw bad('is not a ledger entry (expected "key" and "deliveryId" strings and "recordedAt" string or null)');
  }
  if (recordedAt !== null && Number.isNaN(Date.parse(recordedAt))) throw bad(`has "recordedAt": ${shown(recordedAt)}, not a time`);
  // Case-insensitive file systems fold names; GitHub treats owner/repo case-insensitively too.
  if (key !== null && storedKey !== key && storedKey.toLowerCase() !== key.toLowerCase()) {
    throw bad(`records the key ${shown(storedKey)}, but its name is for ${shown(key)}`);
  }
  const attempt = entry['attempt'] ?? 1;
  if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1) throw bad(`has "attempt": ${JSON.stringify(attempt)}, expected a whole number from 1`);
  const timeOrNull = (field: string): string | null => {
    const time = entry[field] ?? null;
    if (time !== null && !isTime(time)) throw bad(`has "${field}": ${shown(time)}, expected an ISO-8601 UTC time or null`);
    return time;
  };
  const leaseExpiresAt = timeOrNull('leaseExpiresAt');
  const completedAt = timeOrNull('completedAt');
  const outcome = entry['outcome'] ?? null;
  if (outcome !== null && (typeof outcome !== 'string' || outcome.length > 200 || CONTROL.test(outcome))) {
    throw bad(`has "outcome": ${shown(outcome)}, expected a short text without control characters, or null`);
  }
  return { key: storedKey, deliveryId, recordedAt, attempt, leaseExpiresAt, completedAt, outcome };
}

/** The time a record counts from for retention: when it was completed, else first claimed. */
export function recordTimeMs(record: DeliveryRecord): number | null {
  const times = [record.recordedAt, record.completedAt].filter((t): t is string => t !== null).map((t) => Date.parse(t));
  return times.length === 0 ? null : Math.max(...times);
}
