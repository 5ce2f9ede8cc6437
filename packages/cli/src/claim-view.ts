// How a claim (a ledger record) is shown to the person on call, in text and in --json: the
// repository and commit apart (the commands take them apart), and one word for where it stands.
import type { Writable } from 'node:stream';
import { UsageError } from 'clipanion';
import type { ClaimStanding, DeliveryRecord, ReleaseStore } from '@booty/release-state';
import { styleFor, text, writeLine, type SafeText } from './output';
import { storeLabel } from './store-options';

export interface ClaimView extends DeliveryRecord {
  repo: string;
  headSha: string;
  /**
   * `leased`: its holder is still working on it (others are turned away until `leaseExpiresAt`);
   * `expired`: the holder's lease ended without `complete` (it presumably died) — the next
   * delivery takes it over; `completed`: done, final; `final`: claimed without a lease (or by the
   * first implementation), final. The library's one rule (`claimStanding`) says which.
   */
  standing: ClaimStanding;
}

/** A record as shown, with where it stands (`claimStanding(record, now)` of @booty/release-state). */
export function viewClaim(record: DeliveryRecord, standing: ClaimStanding): ClaimView {
  const split = record.key.lastIndexOf(':');
  const repo = split < 0 ? record.key : record.key.slice(0, split);
  const headSha = split < 0 ? '' : record.key.slice(split + 1);
  return { ...record, repo, headSha, standing };
}

/** The standing in words, with the time that matters. */
export function describeStanding(claim: ClaimView): string {
  switch (claim.standing) {
    case 'leased':
      return `leased until ${claim.leaseExpiresAt}`;
    case 'expired':
      return `lease ended ${claim.leaseExpiresAt} (the next delivery takes it over)`;
    case 'completed':
      return `completed ${claim.completedAt}`;
    case 'final':
      return 'final (no lease)';
  }
}

/**
 * The one "not claimed" report (`state claim show`, `state claim forget`): nothing is recorded
 * for the commit in that store, then `consequence` (its own punctuation first), then where to look.
 */
export function writeNotClaimed(
  stderr: Writable,
  env: NodeJS.ProcessEnv,
  store: ReleaseStore,
  commit: { repo: string; sha: string },
  consequence: SafeText,
): void {
  const notClaimed = styleFor(stderr, env).red('not claimed');
  const where = text`${commit.repo} at ${commit.sha} in the ${storeLabel(store)}`;
  writeLine(stderr, text`${notClaimed}: nothing is recorded for ${where}${consequence}`);
  writeLine(stderr, text`Recent claims of that repository: booty state claims --repo ${commit.repo}`);
}

/**
 * The command line's repository and commit, checked with the store's own rules before the store
 * is opened, so a mistake names the argument as the user typed it (`OWNER/REPO`, `SHA`, `--repo`).
 */
export async function checkCommitArguments(
  given: { repo?: string | undefined; sha?: string | undefined },
  names: { repo: string; sha?: string },
): Promise<void> {
  const [library, { excerpt }] = await Promise.all([import('@booty/release-state'), import('@booty/config')]);
  const { isRepository, isFullSha, REPOSITORY_TEXT, FULL_SHA_TEXT } = library;
  if (given.repo !== undefined && !isRepository(given.repo)) {
    throw new UsageError(`${names.repo} ${excerpt(given.repo)} is not a repository: expected ${REPOSITORY_TEXT}`);
  }
  if (given.sha !== undefined && !isFullSha(given.sha.toLowerCase())) {
    const why = 'an abbreviated SHA could name another commit (`git rev-parse SHORT` prints the full one)';
    throw new UsageError(`${names.sha ?? 'SHA'} ${excerpt(given.sha)} is not ${FULL_SHA_TEXT}: ${why}`);
  }
}
