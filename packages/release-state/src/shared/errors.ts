// How the package fails: typed errors with stable codes, one composer for every message, and the
// booty commands an operator runs to repair or inspect a store.
import type { StorePart } from './contract';

/** The commands that repair each part of a store, as messages name them. */
export const REPAIR_COMMAND: Readonly<Record<StorePart, string>> = Object.freeze({
  release: 'booty state reset release',
  deliveries: 'booty state reset deliveries',
});

/** The command that lists what is damaged, changing nothing. */
export const CHECK_COMMAND = 'booty state check';

/** Stable codes: callers branch on these, never on messages. */
export type StateErrorCode =
  | 'STATE_CORRUPT'
  | 'STATE_UNSAFE'
  | 'STATE_LOCK_TIMEOUT'
  | 'STATE_WRITE'
  | 'STATE_READ'
  | 'STATE_INVALID_INPUT'
  /**
   * The caller no longer holds the claim it acts on (complete, extend, a state write under it): taken
   * over after its lease ended, released, pruned, or completed.
   */
  | 'STATE_LEASE_LOST'
  /** A claim whose lease is running cannot be forgotten without `force` (a worker is still at it). */
  | 'STATE_LEASE_HELD'
  /** The store's server cannot be reached, refused us, or timed out (PostgreSQL). */
  | 'STATE_UNAVAILABLE';

/**
 * The stable sub-kinds of `details.reason`. Add to this union rather than inventing strings
 * at call sites; the README lists them.
 */
export type StateErrorReason =
  | 'backup'
  | 'bad-entry'
  | 'bad-field'
  | 'missing-field'
  | 'not-object'
  | 'not-utf8'
  | 'open'
  | 'read'
  | 'bad-input'
  | 'bad-marker'
  | 'bad-option'
  | 'bad-path'
  | 'bad-python-ledger'
  | 'claim-race'
  | 'closed'
  | 'create'
  | 'dir-fsync'
  | 'empty'
  | 'foreign-owner'
  | 'group-writable'
  | 'world-writable'
  | 'lease-lost'
  | 'lease-held'
  | 'lock-create'
  | 'lock-lost'
  | 'lock-timeout'
  | 'missing'
  | 'mkdir'
  | 'no-home'
  | 'home-missing'
  | 'relative-path'
  | 'contradictory'
  | 'bad-url'
  | 'control-character'
  | 'not-directory'
  | 'not-json'
  | 'not-regular-file'
  | 'nothing-to-reset'
  | 'readdir'
  | 'schema-newer'
  | 'schema-older'
  | 'empty-source'
  | 'same-store'
  | 'inside-store'
  | 'not-a-store'
  | 'interrupted'
  | 'stat'
  | 'symlink'
  | 'target-not-empty'
  | 'too-deep'
  | 'too-large'
  | 'unsupported-format-version'
  | 'auth'
  | 'unreachable'
  | 'timeout'
  | 'tls'
  | 'refused-parameter'
  | 'server'
  | 'no-driver'
  | 'write';

/** Structured facts about a failure; every field is optional and only set when it applies. */
export interface StateErrorDetails {
  /** A finer, stable sub-kind, e.g. `empty`, `not-json`, `symlink`, `group-writable`, `lock-lost`. */
  readonly reason?: StateErrorReason;
  /** The sidecar lock file involved. */
  readonly lockPath?: string;
  /** How old the lock file was when we gave up, in milliseconds. */
  readonly ageMs?: number;
  /** How long we waited for the lock, in milliseconds. */
  readonly waitedMs?: number;
  /** The stale threshold in force, in milliseconds. */
  readonly staleMs?: number;
  /** Process id recorded in the lock file by its holder, when known. */
  readonly holderPid?: number;
  /** 1-based position of a JSON syntax error. */
  readonly line?: number;
  readonly column?: number;
  /** The field, option or key that is wrong. */
  readonly field?: string;
  /** The operating system error code (ENOSPC, EACCES, EROFS, ...). */
  readonly errno?: string;
  readonly syscall?: string;
  /** For ownership problems: our uid and the owner's uid. */
  readonly uid?: number;
  readonly ownerUid?: number;
  /** For permission problems: the octal mode found, e.g. `0777`. */
  readonly mode?: string;
  /**
   * STATE_LEASE_HELD: the delivery that holds the lease, its attempt, and when the lease ends (ISO-8601 UTC).
   * STATE_LEASE_LOST: the delivery that holds the claim now, and its attempt (when one does).
   */
  readonly deliveryId?: string;
  readonly attempt?: number;
  readonly leaseExpiresAt?: string;
  /** STATE_UNAVAILABLE (PostgreSQL): `none` when the call certainly did not take effect, `unknown` when its reply was lost. */
  readonly effect?: 'none' | 'unknown';
}

/**
 * Every failure of this package. `code` is stable; `path` is the file or directory concerned;
 * `details` carries the structured facts; the message names the place, what happened, whether
 * the data was changed, and the fix.
 */
export class StateError extends Error {
  override readonly name = 'StateError';
  readonly code: StateErrorCode;
  readonly path: string;
  readonly details: StateErrorDetails;
  readonly lockPath?: string;
  readonly ageMs?: number;

  constructor(code: StateErrorCode, path: string, message: string, details: StateErrorDetails = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.path = path;
    this.details = Object.freeze({ ...details });
    if (details.lockPath !== undefined) this.lockPath = details.lockPath;
    if (details.ageMs !== undefined) this.ageMs = details.ageMs;
  }

  /** What `JSON.stringify` shows: `{ name, code, path, message, details }`, never `cause` (it may hold a secret). */
  toJSON(): { name: string; code: StateErrorCode; path: string; message: string; details: StateErrorDetails } {
    return { name: this.name, code: this.code, path: this.path, message: this.message, details: this.details };
  }
}

/** What `stateError` composes a message from. */
export interface StateErrorSpec {
  /** The file, directory, or (PostgreSQL) `table key` concerned; also `error.path`. */
  path: string;
  reason: StateErrorReason;
  /** What happened, naming the place: "release.json holds 3 where a SHA belongs". */
  happened: string;
  /** What was (not) changed: "Nothing was changed." Always said. */
  changed: string;
  /** The operator's next step, as a booty command or a shell step; omitted only when none exists. */
  fix?: string | undefined;
  /** Further structured facts (errno is taken from `cause` when it is a system error). */
  details?: Omit<StateErrorDetails, 'reason'> | undefined;
  /** The underlying error; never one that carries a secret (redact first). */
  cause?: unknown;
}

/**
 * The one place a state error's message is composed: "what happened (errno). what was (not)
 * changed. the fix" — every StateError of this package is built here.
 */
export function stateError(code: StateErrorCode, spec: StateErrorSpec): StateError {
  const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
  const parts = [sentence(spec.happened), sentence(spec.changed)];
  if (spec.fix !== undefined && spec.fix !== '') parts.push(sentence(spec.fix));
  const details: StateErrorDetails = { reason: spec.reason, ...errnoDetails(spec.cause), ...spec.details };
  return new StateError(code, spec.path, parts.join(' '), details, spec.cause);
}

/**
 * The mark every copy of this package puts on its `StateError`s. `Symbol.for` keys one registry per
 * process, so two installed copies (two versions side by side in node_modules) use the same symbol,
 * while each has its own class and `instanceof` fails across them.
 */
const STATE_ERROR_BRAND: unique symbol = Symbol.for('@booty/release-state:StateError');
Object.defineProperty(StateError.prototype, STATE_ERROR_BRAND, { value: true });

/**
 * True for a `StateError` thrown by any installed copy of `@booty/release-state`, where
 * `instanceof StateError` is true only for this copy's own errors. Branch on `error.code` after it.
 *
 * @param error - anything caught
 * @throws Never throws.
 */
export function isStateError(error: unknown): error is StateError {
  if (typeof error !== 'object' || error === null) return false;
  return STATE_ERROR_BRAND in error && error[STATE_ERROR_BRAND] === true;
}

/** The `code` of a Node.js system error (`ENOSPC`, ...), if it is one. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function syscallOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'syscall' in error) {
    const syscall = (error as { syscall: unknown }).syscall;
    if (typeof syscall === 'string') return syscall;
  }
  return undefined;
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files on this system',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a path component is not a directory',
  EISDIR: 'it is a directory',
  ELOOP: 'it is a symbolic link',
  EEXIST: 'it already exists',
  EXDEV: 'it is on another file system',
};

export function describeErrno(error: unknown): string {
  const code = errnoOf(error);
  if (code !== undefined) return `${ERRNO_TEXT[code] ?? 'system error'} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/** Details shared by every error that wraps a system error. */
function errnoDetails(error: unknown): StateErrorDetails {
  const errno = errnoOf(error);
  const syscall = syscallOf(error);
  return { ...(errno === undefined ? {} : { errno }), ...(syscall === undefined ? {} : { syscall }) };
}
