// The formats of values every booty package agrees on: what a commit SHA is and what a time
// written by the store looks like.
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** ISO-8601 UTC date-time as the store writes it: JavaScript's `Z` or Python's `+00:00`. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|\+00:00)$/;

/** The SHA rule in words, for messages: "expected {FULL_SHA_TEXT}". */
export const FULL_SHA_TEXT = 'a full commit SHA (40 or 64 lower-case hex digits)';

/**
 * True for a full commit SHA: 40 hex digits (SHA-1) or 64 (SHA-256), in lower case. GitHub's
 * events carry this form (`head_sha`); an abbreviation is ambiguous as the record of what runs
 * in production, and would give one commit two ledger keys. Never throws.
 *
 * @param value - anything (a payload's `head_sha`, a field of `release.json`)
 */
export function isFullSha(value: unknown): value is string {
  return typeof value === 'string' && FULL_SHA.test(value);
}

/**
 * `value` as a full commit SHA in the one form the store keeps, lower case, or null when it is
 * none. Upper-case hex digits are folded, as a claim folds them, so that a SHA read from outside
 * (a payload) gives the claim's key and is accepted by `release.json` as it is.
 *
 * @param value - anything: only a string of 40 or 64 hex digits is a full SHA
 * @throws Never throws.
 */
export function toFullSha(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const sha = value.toLowerCase();
  return isFullSha(sha) ? sha : null;
}

/** True for an ISO-8601 UTC time as the store writes it (`Z` or `+00:00`) that is a real date. */
export function isUtcTime(value: unknown): value is string {
  return typeof value === 'string' && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value));
}
