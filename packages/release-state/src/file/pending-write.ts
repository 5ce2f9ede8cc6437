// A state write that completes a claim, on files: two files change (the release state file and
// the claim's entry) and no file system renames two files at once, so the write goes through a
// pending file that makes the pair all or nothing across a crash:
//
//   1. `<state file>.pending` is written (temp file, fsync, rename): the next state and the claim
//      it completes, with the completion's time;
//   2. the claim's entry is replaced by its completed record: the COMMIT POINT;
//   3. the state file is replaced by the next state, and the pending file removed.
//
// All three run holding the claim's lock and the state file's lock (in that order, everywhere).
// A crash before 2 leaves an uncommitted pending file (the claim is not completed: its lease
// ends and it is taken over, as after any crash of a holder); after 2, a committed one. Whether a
// pending file is committed is read off the entry: completed by that delivery, at that attempt,
// at that time. Readers take no lock: they read the pending file first and, when it is
// committed, its state is the state (ReleaseFile.readState); the next writer of the file, under
// its lock, applies a committed one and removes an uncommitted one (ReleaseFile.settle). So
// neither "completed without its state" nor "state without its completion" is ever seen.
import type { DeliveryRecord } from '../shared/contract-deliveries';
import { stateError } from '../shared/errors';
import { parseJsonDocument, resetFix } from '../shared/json';
import { parseReleaseState, serializeReleaseState, type ReleaseState } from '../shared/release-state';
import { describeJsonType } from '../shared/text';
import type { FsSeam } from './fs-seam';
import { readStateFile } from './read-file';

/** The claim a pending write completes, as its entry shows it once the write is committed. */
export interface PendingClaim {
  key: string;
  deliveryId: string;
  attempt: number;
  completedAt: string;
}

export interface PendingWrite {
  claim: PendingClaim;
  /** The next state, as the state file will hold it. */
  state: ReleaseState;
}

/** Reads a claim's entry (null: none), to learn whether a pending write was committed. */
export type EntryReader = (key: string) => DeliveryRecord | null;

const PENDING_FORMAT_VERSION = 1;
const PENDING_MAX_BYTES = 9 * 1024 * 1024;

export const PENDING_SUFFIX = '.pending';

/** `<state file>.pending`: never a state file's own name, nor a temp file's or a lock's. */
export function pendingPathOf(file: string): string {
  return `${file}${PENDING_SUFFIX}`;
}

export function serializePending(pending: PendingWrite, file: string): Buffer {
  const state = JSON.parse(serializeReleaseState(pending.state, file).toString('utf8')) as unknown;
  const body = { format_version: PENDING_FORMAT_VERSION, claim: pending.claim, state };
  return Buffer.from(`${JSON.stringify(body)}\n`, 'utf8');
}

/** True when the claim's entry shows the completion the pending write made (its commit point). */
export function isCommitted(pending: PendingWrite, entry: DeliveryRecord | null): boolean {
  const { claim } = pending;
  return (
    entry !== null &&
    entry.deliveryId === claim.deliveryId &&
    entry.attempt === claim.attempt &&
    entry.completedAt !== null &&
    Date.parse(entry.completedAt) === Date.parse(claim.completedAt)
  );
}

/**
 * The pending write beside `file`, or null when there is none. A pending file that does not read
 * is damage: STATE_CORRUPT naming it (`booty state reset release` keeps it aside).
 */
export async function readPending(fs: FsSeam, file: string): Promise<PendingWrite | null> {
  const pendingPath = pendingPathOf(file);
  // The usual case is no pending file: one lstat that throws nothing.
  if (fs.lstatBigSync(pendingPath) === undefined) return null;
  const bytes = await readStateFile(fs, pendingPath, { maxBytes: PENDING_MAX_BYTES });
  if (bytes === null) return null;
  const value = parseJsonDocument(bytes, pendingPath, 'release');
  const bad = (what: string) =>
    stateError('STATE_CORRUPT', {
      path: pendingPath,
      reason: 'bad-field',
      happened: `${pendingPath} (a state write that completes a claim) ${what}`,
      changed: 'It was not changed',
      fix: resetFix('release'),
    });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(`holds ${describeJsonType(value)}, not an object`);
  }
  const { format_version: version, claim, state } = value as Record<string, unknown>;
  if (version !== PENDING_FORMAT_VERSION) {
    throw bad(`has format_version ${describeJsonType(version)}, expected ${PENDING_FORMAT_VERSION}`);
  }
  if (typeof claim !== 'object' || claim === null) throw bad('has no claim');
  const { key, deliveryId, attempt, completedAt } = claim as Record<string, unknown>;
  const claimReads =
    typeof key === 'string' &&
    typeof deliveryId === 'string' &&
    typeof attempt === 'number' &&
    Number.isInteger(attempt) &&
    typeof completedAt === 'string' &&
    !Number.isNaN(Date.parse(completedAt));
  if (!claimReads) throw bad('has a claim without key, deliveryId, attempt and completedAt');
  if (typeof state !== 'object' || state === null || Array.isArray(state)) throw bad('has no state object');
  // The state is checked by release.json's own read rules.
  const parsed = parseReleaseState(Buffer.from(JSON.stringify(state), 'utf8'), pendingPath);
  return { claim: { key, deliveryId, attempt, completedAt }, state: parsed };
}
