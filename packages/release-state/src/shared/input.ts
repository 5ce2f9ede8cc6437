// The key and input rules of the deliveries API, for both backends: how a (repository, commit)
// becomes a key, and the checks on every value a caller passes in. Nothing reaches a file or
// the server before it passes here.
import type { StorePart } from './contract';
import type {
  ClaimInput,
  ClaimStanding,
  CompleteInput,
  DeliveryKeyInput,
  DeliveryRecord,
  ExtendInput,
  ListClaimsOptions,
  ReleaseInput,
} from './contract-deliveries';
import { stateError, type StateError } from './errors';
import { FULL_SHA_TEXT, isFullSha, isUtcTime } from './formats';
import { CLAIM_STANDINGS } from './leases';
import { describeInput, describeJsonType, excerptValue, hasControlCharacter } from './text';

/** The longest lease: a week (GitHub redelivers for 3 days). */
const MAX_LEASE_MS = 7 * 24 * 60 * 60 * 1000;
/** `list({ limit })`. */
const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 100_000;

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,38})$/;
const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** What a refused input would have changed, by the part of the store it was for. */
const UNCHANGED: Readonly<Record<StorePart, [subject: string, changed: string]>> = {
  deliveries: ['the delivery ledger', 'The ledger was not changed'],
  release: ['the release state', 'The release state was not changed'],
};

export function invalidInput(where: string, field: string, what: string, part: StorePart = 'deliveries'): StateError {
  const [subject, changed] = UNCHANGED[part];
  return stateError('STATE_INVALID_INPUT', {
    path: where,
    reason: 'bad-input',
    happened: `Invalid ${field} for ${subject} in ${where}: ${what}`,
    changed,
    details: { field },
  });
}

/** The repository rule in words, for messages: "expected {REPOSITORY_TEXT}". */
export const REPOSITORY_TEXT = '"owner/name" (for example octo-org/octo-repo)';

/**
 * True for a GitHub repository name, `owner/name`: the form a claim's key starts with.
 *
 * @param repo - anything: only a string in GitHub's form passes
 * @throws Never throws.
 */
export function isRepository(repo: unknown): repo is string {
  if (typeof repo !== 'string') return false;
  const slash = repo.indexOf('/');
  const owner = repo.slice(0, slash);
  const name = repo.slice(slash + 1);
  return slash >= 0 && OWNER.test(owner) && REPO_NAME.test(name) && name !== '.' && name !== '..';
}

/** Checks `repo` (`owner/name`); returns it unchanged. `field` and `part` say where it was given. */
export function validateRepo(repo: unknown, where: string, field = 'repo', part: StorePart = 'deliveries'): string {
  const refuse = (what: string) => invalidInput(where, field, what, part);
  if (typeof repo !== 'string') throw refuse(`expected a string "owner/name", got ${describeJsonType(repo)}`);
  if (!isRepository(repo)) throw refuse(`expected ${REPOSITORY_TEXT}, got ${describeInput(repo)}`);
  return repo;
}

/**
 * `owner/repo:head_sha` after validating both parts (upper-case hex digits are folded); throws
 * STATE_INVALID_INPUT naming the field (after `prefix`, e.g. `claim.` for a fenced write's claim).
 */
export function deliveryKey(input: DeliveryKeyInput, where: string, prefix = ''): string {
  if (typeof input !== 'object' || input === null) {
    const field = prefix === '' ? 'input' : prefix.slice(0, -1);
    throw invalidInput(where, field, `expected { repo, headSha }, got ${describeJsonType(input)}`);
  }
  const repo = validateRepo(input.repo, where, `${prefix}repo`);
  const { headSha } = input;
  const sha = typeof headSha === 'string' ? headSha.toLowerCase() : headSha;
  if (!isFullSha(sha)) {
    throw invalidInput(
      where,
      `${prefix}headSha`,
      `expected ${FULL_SHA_TEXT}, got ${describeInput(headSha)}; an abbreviated SHA would make a second key for the same commit`,
    );
  }
  return `${repo}:${sha}`;
}

/**
 * The identity of a key: owner and name compared without case, as GitHub compares them (the SHA
 * is lower case already). `Octo/Web:<sha>` and `octo/web:<sha>` are one key everywhere: claims,
 * look-ups, releases, listings, entry file names and PostgreSQL's unique index (`lower(key)`),
 * and the Python file's entries when they are imported. A record keeps the spelling of its first
 * claim, which is what the Python implementation (it compares spellings) looks up in the export.
 */
export function keyIdentity(key: string): string {
  return key.toLowerCase();
}

/**
 * Orders two records of one key, the one the ledger keeps first. Only an earlier version made
 * such pairs (it compared keys with case, so `Octo/Web` and `octo/web` could each win): a final
 * or completed claim before a leased one (the commit was acted on; the lease's holder then gets
 * STATE_LEASE_LOST), then the earlier first claim (a Python entry, which has no time, first),
 * then the spelling. PostgreSQL's migration orders the same way in SQL (postgres/schema.ts).
 */
export function keptFirst(a: DeliveryRecord, b: DeliveryRecord): number {
  const leased = (record: DeliveryRecord) => (record.completedAt === null && record.leaseExpiresAt !== null ? 1 : 0);
  if (leased(a) !== leased(b)) return leased(a) - leased(b);
  if (a.recordedAt !== b.recordedAt) {
    if (a.recordedAt === null) return -1;
    if (b.recordedAt === null) return 1;
    return Date.parse(a.recordedAt) - Date.parse(b.recordedAt) || (a.recordedAt < b.recordedAt ? -1 : 1);
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * True for a short caller-given text: not blank, at most 200 characters (code points, as
 * PostgreSQL counts them: postgres/records.ts holds the same rule in SQL), no control characters.
 */
export function isShortText(value: unknown): value is string {
  if (typeof value !== 'string' || value.trim() === '' || hasControlCharacter(value)) return false;
  return value.length <= 200 || Array.from(value).length <= 200;
}

function validateText(value: unknown, where: string, field: string, what: string): string {
  if (!isShortText(value)) {
    const rule = 'non-empty, at most 200 characters, no control characters';
    throw invalidInput(where, field, `expected ${what} (${rule}), got ${describeInput(value)}`);
  }
  return value;
}

export function validateDeliveryId(deliveryId: unknown, where: string, field = 'deliveryId'): string {
  return validateText(deliveryId, where, field, 'the X-GitHub-Delivery id');
}

export function validateOutcome(outcome: unknown, where: string, field = 'outcome'): string | null {
  return outcome === undefined ? null : validateText(outcome, where, field, 'a short word for what was done');
}

/** A whole number from `min` to `max`, or undefined (null then); else STATE_INVALID_INPUT naming `field`. */
function wholeNumber(
  value: unknown,
  where: string,
  field: string,
  min: number,
  max: number,
  what: string,
): number | null {
  if (value === undefined) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidInput(
      where,
      field,
      `expected ${what}, got ${typeof value === 'number' ? String(value) : describeInput(value)}`,
    );
  }
  return value;
}

/** `leaseMs`: undefined (a final claim) or a whole number of milliseconds up to a week. */
export function validateLeaseMs(leaseMs: unknown, where: string): number | null {
  return wholeNumber(
    leaseMs,
    where,
    'leaseMs',
    1,
    MAX_LEASE_MS,
    `a whole number of milliseconds from 1 to ${MAX_LEASE_MS} (7 days)`,
  );
}

export function validateAttempt(attempt: unknown, where: string, field = 'attempt'): number | null {
  const what = 'the record.attempt the claim returned (a whole number from 1)';
  return wholeNumber(attempt, where, field, 1, Number.MAX_SAFE_INTEGER, what);
}

/** `attempt` where it is required (a renewal, a fenced write): the fence cannot be left out. */
export function requiredAttempt(attempt: unknown, where: string, field = 'attempt'): number {
  const checked = validateAttempt(attempt, where, field);
  if (checked === null) {
    const what = 'expected the record.attempt the claim returned (a whole number from 1), got nothing';
    throw invalidInput(where, field, what);
  }
  return checked;
}

export function validateListLimit(limit: unknown, where: string): number {
  return (
    wholeNumber(limit, where, 'limit', 1, MAX_LIST_LIMIT, `a whole number from 1 to ${MAX_LIST_LIMIT}`) ??
    DEFAULT_LIST_LIMIT
  );
}

/** A claim's input, checked: its key, delivery id and lease (null: a final claim). */
export function checkClaim(
  input: ClaimInput,
  where: string,
): { key: string; deliveryId: string; leaseMs: number | null } {
  const key = deliveryKey(input, where);
  return {
    key,
    deliveryId: validateDeliveryId(input.deliveryId, where),
    leaseMs: validateLeaseMs(input.leaseMs, where),
  };
}

/** `release`'s input, checked: the key, and whether a running lease may be forgotten. */
export function checkRelease(input: ReleaseInput, where: string): { key: string; force: boolean } {
  const key = deliveryKey(input, where);
  const { force } = input;
  if (force !== undefined && typeof force !== 'boolean') {
    throw invalidInput(where, 'force', `expected true, false or nothing, got ${describeJsonType(force)}`);
  }
  return { key, force: force === true };
}

export function checkComplete(
  input: CompleteInput,
  where: string,
): { key: string; deliveryId: string; outcome: string | null; attempt: number | null } {
  const key = deliveryKey(input, where);
  return {
    key,
    deliveryId: validateDeliveryId(input.deliveryId, where),
    outcome: validateOutcome(input.outcome, where),
    attempt: validateAttempt(input.attempt, where),
  };
}

/** `extend`'s input, checked: the holder (key, delivery id, attempt) and the new lease. */
export function checkExtend(
  input: ExtendInput,
  where: string,
): { key: string; deliveryId: string; attempt: number; leaseMs: number } {
  const key = deliveryKey(input, where);
  const deliveryId = validateDeliveryId(input.deliveryId, where);
  const attempt = requiredAttempt(input.attempt, where);
  const leaseMs = validateLeaseMs(input.leaseMs, where);
  if (leaseMs === null) {
    throw invalidInput(where, 'leaseMs', 'expected how long the lease runs from now, in milliseconds, got nothing');
  }
  return { key, deliveryId, attempt, leaseMs };
}

export function checkList(
  options: ListClaimsOptions | undefined,
  where: string,
): { repo: string | null; limit: number; standing: ClaimStanding | null } {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw invalidInput(where, 'options', `expected { repo?, limit?, standing? }, got ${describeJsonType(options)}`);
  }
  const { repo, limit, standing } = options ?? {};
  if (standing !== undefined && !CLAIM_STANDINGS.includes(standing)) {
    const known = CLAIM_STANDINGS.join(', ');
    throw invalidInput(where, 'standing', `expected one of ${known}, got ${describeInput(standing)}`);
  }
  return {
    repo: repo === undefined ? null : validateRepo(repo, where),
    limit: validateListLimit(limit, where),
    standing: standing ?? null,
  };
}

/** The record of a claim whose fields a caller (or an old entry) left out: attempt 1, final. */
export function fullRecord(
  record: Pick<DeliveryRecord, 'key' | 'deliveryId' | 'recordedAt'> & Partial<DeliveryRecord>,
): DeliveryRecord {
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

/** The longest key a store holds: owner/name:sha is at most 205 characters; the first implementation's keys may be longer. */
const MAX_KEY_LENGTH = 400;

/**
 * A key as stored: what a claim makes (`deliveryKey`), or a key the first implementation wrote
 * into delivery_ids.json in a form of its own, which is kept and copied as it is (no claim can
 * ever match it). Not empty, at most MAX_KEY_LENGTH characters, no control characters.
 */
function isStoredKey(key: unknown): boolean {
  if (typeof key !== 'string' || key === '' || hasControlCharacter(key)) return false;
  return key.length <= MAX_KEY_LENGTH || Array.from(key).length <= MAX_KEY_LENGTH;
}

/**
 * Why `record` is not a claim a store can hold, or null when it is one: the one rule of a
 * healthy record, for both backends and every path (a file entry read, a row decoded, a Python
 * entry imported, a snapshot restored). So what `check()` calls healthy is exactly what a copy
 * can write into either backend.
 */
export function recordProblem(record: DeliveryRecord): string | null {
  const { key, deliveryId, attempt, outcome } = record;
  const text = 'at most 200 characters, no control characters';
  if (!isStoredKey(key))
    return `its key ${excerptValue(key)} is empty, longer than ${MAX_KEY_LENGTH} characters or has control characters`;
  if (!isShortText(deliveryId)) return `its delivery id ${excerptValue(deliveryId)} is not a non-blank text (${text})`;
  if (!Number.isInteger(attempt) || attempt < 1)
    return `its attempt ${excerptValue(attempt)} is not a whole number from 1`;
  for (const field of ['recordedAt', 'leaseExpiresAt', 'completedAt'] as const) {
    const time = record[field];
    if (time !== null && !isUtcTime(time))
      return `its ${field} ${excerptValue(time)} is not an ISO-8601 UTC time or null`;
  }
  if (outcome !== null && !isShortText(outcome))
    return `its outcome ${excerptValue(outcome)} is not a non-blank text (${text}) or null`;
  return null;
}
