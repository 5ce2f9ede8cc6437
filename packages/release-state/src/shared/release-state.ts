// release.json: its fields, how it is read (ours and the Python implementation's), checked and
// written. Both backends keep it as these bytes (the PostgreSQL store in one row).
import { stateError, type StateError, type StateErrorReason } from './errors';
import { FULL_SHA_TEXT, isFullSha, isUtcTime } from './formats';
import { parseJsonDocument, resetFix } from './json';
import { describeJsonType, excerptValue } from './text';

/** The six fields of release.json, in the order the Python implementation and the CLI show them. */
export const RELEASE_STATE_FIELDS = Object.freeze([
  'production_sha_current',
  'production_sha_previous',
  'last_deploy_attempt_sha',
  'last_deploy_time',
  'last_deploy_result',
  'last_health_check',
] as const);

/** The name of one of the six fields of release.json. */
export type ReleaseStateField = (typeof RELEASE_STATE_FIELDS)[number];

/** How the last deploy ended (`pending` while it runs); read in lower case whatever the file's case. */
export type DeployResult = 'success' | 'failure' | 'pending';

/** The name of the format version field this package adds to release.json. */
export const FORMAT_VERSION_FIELD = 'format_version';
/** The release.json format this package writes. Files without the field (Python's) are read as is. */
export const RELEASE_FORMAT_VERSION = 1;

/**
 * release.json: what is in production and how the last deploy went. Every field is null before
 * the first deploy; SHAs are full commit SHAs (see `isFullSha`); times are ISO-8601 UTC.
 */
export interface ReleaseState {
  /** The commit in production now. */
  production_sha_current: string | null;
  /** The commit in production before it (what a rollback goes back to). */
  production_sha_previous: string | null;
  /** The commit of the last deploy started, whatever its result. */
  last_deploy_attempt_sha: string | null;
  /** ISO-8601 time. */
  last_deploy_time: string | null;
  /** How the last deploy attempt ended. */
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

/** The field the Python implementation added later: a list of `{sha, time, result}`, newest last. */
const DEPLOY_HISTORY_FIELD = 'deploy_history';
/** The Python implementation keeps at most this many history entries. */
const DEPLOY_HISTORY_MAX = 24;

/**
 * ISO-8601 date-time as read: the form the store writes (shared/formats.ts), and every form of
 * Python's `datetime.isoformat()`: naive (no offset) or any `±HH:MM` offset, with or without fractions.
 */
const ISO_READ = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))?$/;
// Wider than the callers' rule (shared/text.ts): a release.json value is shown to operators as
// it is, so C1 controls and the line separators are refused too.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** True when `value` is a real calendar date-time in one of the ISO_READ forms. */
function isReadableTime(value: string): boolean {
  const m = ISO_READ.exec(value);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetOk
  );
}

/** The rule for a value of `field` as read; a message fragment when it breaks it, else null. */
function readRule(field: string, value: string): string | null {
  if (CONTROL.test(value)) return 'holds a control character (a newline, say); no release.json value does';
  if (SHA_FIELDS.has(field) || field === 'sha') return isFullSha(value) ? null : `is not ${FULL_SHA_TEXT}`;
  if (TIME_FIELDS.has(field) || field === 'time') {
    return isReadableTime(value) ? null : 'is not an ISO-8601 date-time such as 2026-02-16T12:00:00+00:00';
  }
  if (field === 'last_deploy_result' || field === 'result') {
    return RESULTS.includes(value.toLowerCase()) ? null : `is not one of ${RESULTS.join(', ')}`;
  }
  return null;
}

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
 * A release state no deploy has touched: the six fields null and nothing else but the format
 * version. Both backends ask it before a restore into a store that is not empty.
 */
export function isSkeleton(state: ReleaseState): boolean {
  const fields: readonly string[] = RELEASE_STATE_FIELDS;
  return Object.keys(state).every(
    (key) => key === FORMAT_VERSION_FIELD || (fields.includes(key) && state[key] === null),
  );
}

/**
 * Parses release.json as found on disk: ours, or the Python implementation's (no format
 * version, `pending` result, naive or offset times, `deploy_history`). A missing known field
 * reads as null. Values read meet the rules of values written (full SHAs, ISO-8601 times, one
 * of the results, no control characters), widened only to the Python implementation's forms.
 * Anything else is STATE_CORRUPT naming the file and the field, quoting a short excerpt.
 */
export function parseReleaseState(bytes: Uint8Array, file: string): ReleaseState {
  const value = parseJsonDocument(bytes, file, 'release');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw corrupt(file, `holds ${describeJsonType(value)}, not a JSON object`, 'not-object');
  }
  const record = value as Record<string, unknown>;
  const version = record[FORMAT_VERSION_FIELD];
  if (version !== undefined && (!Number.isInteger(version) || (version as number) < 1)) {
    const what = `has "${FORMAT_VERSION_FIELD}": ${excerptValue(version)}, expected a positive integer`;
    throw corrupt(file, what, 'bad-field', FORMAT_VERSION_FIELD);
  }
  if (typeof version === 'number' && version > RELEASE_FORMAT_VERSION) {
    throw stateError('STATE_CORRUPT', {
      path: file,
      reason: 'unsupported-format-version',
      happened:
        `${file} has ${FORMAT_VERSION_FIELD} ${version}, written by a newer @booty/release-state ` +
        `(this one reads up to ${RELEASE_FORMAT_VERSION})`,
      changed: 'It was not changed',
      fix: 'Upgrade booty (@booty/release-state) on this host: npm install -g @booty/cli@latest',
      details: { field: FORMAT_VERSION_FIELD },
    });
  }
  const state: Record<string, unknown> = { ...record };
  for (const field of RELEASE_STATE_FIELDS) {
    const fieldValue = record[field];
    if (fieldValue === undefined || fieldValue === null) {
      state[field] = null;
      continue;
    }
    if (typeof fieldValue !== 'string') {
      throw corrupt(file, `has "${field}": ${excerptValue(fieldValue)}, expected a string or null`, 'bad-field', field);
    }
    const broken = readRule(field, fieldValue);
    if (broken !== null) {
      const reason = CONTROL.test(fieldValue) ? 'control-character' : 'bad-field';
      throw corrupt(file, `has "${field}": ${excerptValue(fieldValue)}, which ${broken}`, reason, field);
    }
    // Results are compared case-insensitively and read in lower case, so that callers can branch
    // on the DeployResult values whatever case the file used; the next write stores lower case,
    // which every reader (the Python one too) understands.
    if (field === 'last_deploy_result') state[field] = fieldValue.toLowerCase();
  }
  if (Object.hasOwn(record, DEPLOY_HISTORY_FIELD)) {
    checkHistory(record[DEPLOY_HISTORY_FIELD], (what) => corrupt(file, what, 'bad-entry', DEPLOY_HISTORY_FIELD));
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
    throw invalid(
      file,
      `the updateState callback returned ${describeJsonType(next)}; it must return the next state object`,
      'not-object',
    );
  }
  const record = next as Record<string, unknown>;
  for (const field of RELEASE_STATE_FIELDS) {
    const value = record[field];
    if (value === undefined) {
      const what = `the updateState callback returned a state without "${field}"; set it to null to clear it`;
      throw invalid(file, what, 'missing-field', field);
    }
    if (value === current[field]) continue;
    if (value === null) continue;
    if (typeof value !== 'string') {
      throw invalid(file, `"${field}" must be a string or null, got ${describeJsonType(value)}`, 'bad-field', field);
    }
    if (SHA_FIELDS.has(field) && !isFullSha(value)) {
      throw invalid(file, `"${field}" must be ${FULL_SHA_TEXT}, got ${excerptValue(value)}`, 'bad-field', field);
    }
    if (TIME_FIELDS.has(field) && !isUtcTime(value)) {
      const what = `"${field}" must be an ISO-8601 UTC time such as ${new Date(0).toISOString()}, got ${excerptValue(value)}`;
      throw invalid(file, what, 'bad-field', field);
    }
    if (field === 'last_deploy_result' && !RESULTS.includes(value)) {
      throw invalid(
        file,
        `"${field}" must be one of ${RESULTS.join(', ')} or null, got ${excerptValue(value)}`,
        'bad-field',
        field,
      );
    }
  }
  if (Object.hasOwn(record, DEPLOY_HISTORY_FIELD) && record[DEPLOY_HISTORY_FIELD] !== current[DEPLOY_HISTORY_FIELD]) {
    checkHistory(record[DEPLOY_HISTORY_FIELD], (what) =>
      invalid(
        file,
        `"${DEPLOY_HISTORY_FIELD}" ${what.replace(/^has "deploy_history"/, 'has')}`,
        'bad-entry',
        DEPLOY_HISTORY_FIELD,
      ),
    );
  }
  const version = record[FORMAT_VERSION_FIELD];
  if (version !== undefined && version !== current[FORMAT_VERSION_FIELD] && version !== RELEASE_FORMAT_VERSION) {
    throw invalid(
      file,
      `"${FORMAT_VERSION_FIELD}" is managed by the store; leave it as it is`,
      'bad-field',
      FORMAT_VERSION_FIELD,
    );
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
  const put = (key: string, value: unknown) =>
    Object.defineProperty(ordered, key, { value, enumerable: true, writable: true, configurable: true });
  put(FORMAT_VERSION_FIELD, state[FORMAT_VERSION_FIELD] ?? RELEASE_FORMAT_VERSION);
  for (const field of RELEASE_STATE_FIELDS) put(field, state[field]);
  for (const [key, value] of Object.entries(state)) {
    if (!Object.hasOwn(ordered, key)) put(key, value);
  }
  let text: string;
  try {
    text = JSON.stringify(ordered, null, 2);
  } catch (error) {
    throw invalid(
      file,
      `the new state cannot be written as JSON (${error instanceof Error ? error.message : String(error)})`,
      'not-json',
    );
  }
  return Buffer.from(`${text}\n`, 'utf8');
}

/**
 * deploy_history as the Python implementation writes it: null, or a list of at most 24
 * `{sha, time, result}` objects whose values follow the rules of the fields of the same kind
 * (`time` and `result` may be null). Other keys of an entry are kept, unchecked.
 */
function checkHistory(history: unknown, fail: (what: string) => StateError): void {
  if (history === null) return;
  if (!Array.isArray(history)) {
    throw fail(
      `has "${DEPLOY_HISTORY_FIELD}": ${excerptValue(history)}, expected a list of {sha, time, result} or null`,
    );
  }
  if (history.length > DEPLOY_HISTORY_MAX) {
    throw fail(`has ${history.length} "${DEPLOY_HISTORY_FIELD}" entries; the most ever kept is ${DEPLOY_HISTORY_MAX}`);
  }
  history.forEach((entry: unknown, index) => {
    const where = `"${DEPLOY_HISTORY_FIELD}"[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw fail(`has ${where}: ${excerptValue(entry)}, expected an object {sha, time, result}`);
    }
    for (const key of ['sha', 'time', 'result'] as const) {
      const value = (entry as Record<string, unknown>)[key];
      if (value === null && key !== 'sha') continue;
      if (typeof value !== 'string') {
        const found = value === undefined ? 'missing' : excerptValue(value);
        throw fail(`has ${where}.${key}: ${found}, expected a string${key === 'sha' ? '' : ' or null'}`);
      }
      const broken = readRule(key, value);
      if (broken !== null) throw fail(`has ${where}.${key}: ${excerptValue(value)}, which ${broken}`);
    }
  });
}

function corrupt(file: string, what: string, reason: StateErrorReason, field?: string): StateError {
  return stateError('STATE_CORRUPT', {
    path: file,
    reason,
    happened: `${file} ${what}`,
    changed: 'It was not changed',
    fix: resetFix('release'),
    ...(field === undefined ? {} : { details: { field } }),
  });
}

function invalid(file: string, what: string, reason: StateErrorReason, field?: string): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: file,
    reason,
    happened: `Refused to update ${file}: ${what}`,
    changed: 'The file was not changed',
    ...(field === undefined ? {} : { details: { field } }),
  });
}
