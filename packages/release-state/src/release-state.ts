import { StateError } from './errors';
import { parseJsonDocument } from './json';

/** The six fields of release.json, in the order the Python implementation and the CLI show them. */
export const RELEASE_STATE_FIELDS = Object.freeze([
  'production_sha_current',
  'production_sha_previous',
  'last_deploy_attempt_sha',
  'last_deploy_time',
  'last_deploy_result',
  'last_health_check',
] as const);

export type ReleaseStateField = (typeof RELEASE_STATE_FIELDS)[number];

export type DeployResult = 'success' | 'failure' | 'pending';

/** The name of the format version field this package adds to release.json. */
export const FORMAT_VERSION_FIELD = 'format_version';
/** The release.json format this package writes. Files without the field (Python's) are read as is. */
export const RELEASE_FORMAT_VERSION = 1;

export interface ReleaseState {
  production_sha_current: string | null;
  production_sha_previous: string | null;
  last_deploy_attempt_sha: string | null;
  /** ISO-8601 time. */
  last_deploy_time: string | null;
  last_deploy_result: DeployResult | null;
  /** ISO-8601 time. */
  last_health_check: string | null;
  /** Set on every write by this package; absent in files written by the Python implementation. */
  format_version?: number;
  /** Fields this package does not know (e.g. Python's `deploy_history`) are kept on rewrite. */
  [unknown: string]: unknown;
}

const SHA_FIELDS = new Set<string>(['production_sha_current', 'production_sha_previous', 'last_deploy_attempt_sha']);
const TIME_FIELDS = new Set<string>(['last_deploy_time', 'last_health_check']);
const RESULTS: readonly string[] = ['success', 'failure', 'pending'];

/** A full commit id: 40 hex digits (SHA-1) or 64 (SHA-256), lower case. */
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** ISO-8601 UTC date-time as written by JavaScript (`Z`) or Python (`+00:00`). */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|\+00:00)$/;

/** release.json before the first deploy: every field null. */
export function skeletonState(): ReleaseState {
  return {
    [FORMAT_VERSION_FIELD]: RELEASE_FORMAT_VERSION,
    production_sha_current: null,
    production_sha_previous: null,
    last_deploy_attempt_sha: null,
    last_deploy_time: null,
    last_deploy_result: null,
    last_health_check: null,
  };
}

/**
 * Parses release.json as found on disk: ours, or the Python implementation's (no format
 * version, `pending` result, naive or offset times). A missing known field reads as null.
 * Anything else that is wrong is STATE_CORRUPT naming the file and the field.
 */
export function parseReleaseState(bytes: Uint8Array, file: string): ReleaseState {
  const value = parseJsonDocument(bytes, file, 'release');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw corrupt(file, `holds ${describeJsonType(value)}, not a JSON object`, 'not-object');
  }
  const record = value as Record<string, unknown>;
  const version = record[FORMAT_VERSION_FIELD];
  if (version !== undefined && (!Number.isInteger(version) || (version as number) < 1)) {
    throw corrupt(file, `has "${FORMAT_VERSION_FIELD}": ${JSON.stringify(version)}, expected a positive integer`, 'bad-field', FORMAT_VERSION_FIELD);
  }
  if (typeof version === 'number' && version > RELEASE_FORMAT_VERSION) {
    throw new StateError(
      'STATE_CORRUPT',
      file,
      `${file} has ${FORMAT_VERSION_FIELD} ${version}, written by a newer @booty/release-state (this one reads up to ${RELEASE_FORMAT_VERSION}). It was not changed. Upgrade @booty/release-state on this host.`,
      { reason: 'unsupported-format-version', field: FORMAT_VERSION_FIELD },
    );
  }
  const state: Record<string, unknown> = { ...record };
  for (const field of RELEASE_STATE_FIELDS) {
    const fieldValue = record[field];
    if (fieldValue === undefined || fieldValue === null) {
      state[field] = null;
      continue;
    }
    if (typeof fieldValue !== 'string') {
      throw corrupt(file, `has "${field}": ${JSON.stringify(fieldValue)}, expected a string or null`, 'bad-field', field);
    }
    if (field === 'last_deploy_result' && !RESULTS.includes(fieldValue)) {
      throw corrupt(file, `has "${field}": ${JSON.stringify(fieldValue)}, expected one of ${RESULTS.join(', ')} or null`, 'bad-field', field);
    }
  }
  return state as ReleaseState;
}

/**
 * Checks what an `updateState` callback returned. Values it did not change are accepted as they
 * are (a Python file may hold naive times); values it changed must be well formed.
 * Returns the state to write, with the format version set.
 */
export function validateNextState(next: unknown, current: ReleaseState, file: string): ReleaseState {
  if (typeof next !== 'object' || next === null || Array.isArray(next)) {
    throw invalid(file, `the updateState callback returned ${describeJsonType(next)}; it must return the next state object`, 'not-object');
  }
  const record = next as Record<string, unknown>;
  for (const field of RELEASE_STATE_FIELDS) {
    const value = record[field];
    if (value === undefined) {
      throw invalid(file, `the updateState callback returned a state without "${field}"; set it to null to clear it`, 'missing-field', field);
    }
    if (value === current[field]) continue;
    if (value === null) continue;
    if (typeof value !== 'string') {
      throw invalid(file, `"${field}" must be a string or null, got ${describeJsonType(value)}`, 'bad-field', field);
    }
    if (SHA_FIELDS.has(field) && !FULL_SHA.test(value)) {
      throw invalid(file, `"${field}" must be a full commit SHA (40 or 64 lower-case hex digits), got ${JSON.stringify(value)}`, 'bad-field', field);
    }
    if (TIME_FIELDS.has(field) && (!ISO_UTC.test(value) || Number.isNaN(Date.parse(value)))) {
      throw invalid(file, `"${field}" must be an ISO-8601 UTC time such as ${new Date(0).toISOString()}, got ${JSON.stringify(value)}`, 'bad-field', field);
    }
    if (field === 'last_deploy_result' && !RESULTS.includes(value)) {
      throw invalid(file, `"${field}" must be one of ${RESULTS.join(', ')} or null, got ${JSON.stringify(value)}`, 'bad-field', field);
    }
  }
  const version = record[FORMAT_VERSION_FIELD];
  if (version !== undefined && version !== current[FORMAT_VERSION_FIELD] && version !== RELEASE_FORMAT_VERSION) {
    throw invalid(file, `"${FORMAT_VERSION_FIELD}" is managed by the store; leave it as it is`, 'bad-field', FORMAT_VERSION_FIELD);
  }
  return { ...record, [FORMAT_VERSION_FIELD]: RELEASE_FORMAT_VERSION } as ReleaseState;
}

/**
 * The bytes of release.json: format version, the six fields in order, then every other field
 * in the order it had. Throws STATE_INVALID_INPUT for values JSON cannot hold.
 */
export function serializeReleaseState(state: ReleaseState, file: string): Buffer {
  const ordered: Record<string, unknown> = {};
  // defineProperty and hasOwn, not `=` and `in`: a field named "__proto__" must stay a field.
  const put = (key: string, value: unknown) => Object.defineProperty(ordered, key, { value, enumerable: true, writable: true, configurable: true });
  put(FORMAT_VERSION_FIELD, state[FORMAT_VERSION_FIELD] ?? RELEASE_FORMAT_VERSION);
  for (const field of RELEASE_STATE_FIELDS) put(field, state[field]);
  for (const [key, value] of Object.entries(state)) {
    if (!Object.hasOwn(ordered, key)) put(key, value);
  }
  let text: string;
  try {
    text = JSON.stringify(ordered, null, 2);
  } catch (error) {
    throw invalid(file, `the new state cannot be written as JSON (${error instanceof Error ? error.message : String(error)})`, 'not-json');
  }
  return Buffer.from(`${text}\n`, 'utf8');
}

function corrupt(file: string, what: string, reason: string, field?: string): StateError {
  return new StateError(
    'STATE_CORRUPT',
    file,
    `${file} ${what}. It was not changed. Repair it by hand, or reset it with store.reset('release') (the current bytes are kept beside it).`,
    { reason, ...(field === undefined ? {} : { field }) },
  );
}

function invalid(file: string, what: string, reason: string, field?: string): StateError {
  return new StateError('STATE_INVALID_INPUT', file, `Refused to update ${file}: ${what}. The file was not changed.`, {
    reason,
    ...(field === undefined ? {} : { field }),
  });
}

export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'undefined';
  return `a ${typeof value}`;
}
