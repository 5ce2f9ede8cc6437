import { UsageError } from 'clipanion';
import type { ClaimStanding } from '@booty/release-state';
import { stringOption } from '../context';
import { checkCommitArguments, describeStanding, viewClaim } from '../claim-view';
import { columns } from '../columns';
import { EXIT } from '../errors';
import { progressOn } from '../progress';
import { plural, text, writeJson, writeLine } from '../output';
import { StoreCommand, storeJson, storeLabel } from '../store-options';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 10_000;

export class StateClaimsCommand extends StoreCommand {
  static override paths = [['state', 'claims']];

  static override usage = StoreCommand.Usage({
    category: 'State',
    description: 'list recent claims (one per repository and commit), newest first, with lease and outcome',
    details: `
      Each webhook delivery the Governor acts on claims its \`owner/repo:commit\` first, so that a commit is evaluated
      once. This lists the most recent claims: when, which repository and commit, where the claim stands (\`leased\`
      until a time, \`expired\` — its holder died and the next delivery takes it over, \`completed\`, or \`final\`), the
      attempt number, the outcome and the delivery id.

      A commit that is held and will not be evaluated again: find it here, look at it with \`booty state claim show\`,
      and forget it with \`booty state claim forget\`.

      \`--standing\` lists only the claims that stand so now: \`expired\` ones are what a sweeper (or
      the person on call) looks for, deliveries whose worker died before completing; the next
      delivery of the commit takes each over.

      Exit status: 0 when listed (also when there are none), 2 for usage errors, 1 when the store cannot be read.
    `,
    examples: [
      ['The 20 most recent claims', '$0 state claims'],
      ['The last 5 claims of one repository, as JSON', '$0 state claims --repo octo-org/web --limit 5 --json'],
      ['Claims whose worker died before completing', '$0 state claims --standing expired'],
    ],
  });

  repo = stringOption('--repo', 'OWNER/NAME', 'Only this repository');
  limit = stringOption('--limit', 'N', `At most this many claims (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})`);
  standing = stringOption(
    '--standing',
    'leased|expired|completed|final',
    'Only claims that stand so now (expired: the worker died before completing)',
  );

  protected async run(): Promise<number> {
    const limit = parseLimit(this.limit);
    if (this.repo === '') throw new UsageError('--repo needs a repository, owner/name');
    await checkCommitArguments({ repo: this.repo }, { repo: '--repo' });
    const { CLAIM_STANDINGS, claimStanding } = await import('@booty/release-state');
    const standing = parseStanding(this.standing, CLAIM_STANDINGS);
    const { stdout, stderr, env } = this.context;
    return this.withStore(async (store) => {
      // One read of the ledger gives the claims and the count of damaged entries.
      const progress = progressOn(stderr, env, 'the ledger');
      const recent = {
        limit,
        ...(this.repo === undefined ? {} : { repo: this.repo }),
        ...(standing === null ? {} : { standing }),
      };
      const tally = await store.deliveries
        .tally({ recent, onProgress: progress.update })
        .finally(() => progress.done());
      const records = tally.recent ?? [];
      const { damaged } = tally;
      const now = Date.now();
      const claims = records.map((record) => viewClaim(record, claimStanding(record, now)));
      if (this.json) {
        writeJson(stdout, { ok: true, store: storeJson(store), standing, claims, damaged });
        return EXIT.ok;
      }
      // A damaged entry cannot be listed; say so rather than leave a claim silently missing.
      if (damaged > 0)
        writeLine(
          stderr,
          text`${plural(damaged, 'damaged ledger entry', 'damaged ledger entries')} cannot be listed: run \`booty state check\``,
        );
      const scope = this.repo === undefined ? '' : ` for ${this.repo}`;
      const which = standing === null ? '' : `${standing} `;
      if (claims.length === 0) {
        writeLine(stdout, text`No ${which}claims${scope} in the ${storeLabel(store)}.`);
        return EXIT.ok;
      }
      const listed = plural(claims.length, `${which}claim`);
      writeLine(stdout, text`${listed}${scope}, newest first, in the ${storeLabel(store)}:`);
      const rows = [
        ['RECORDED', 'REPOSITORY', 'COMMIT', 'STANDING', 'ATTEMPT', 'OUTCOME', 'DELIVERY'],
        ...claims.map((claim) => [
          claim.recordedAt ?? '(unknown)',
          claim.repo,
          claim.headSha,
          describeStanding(claim),
          String(claim.attempt),
          claim.outcome ?? '-',
          claim.deliveryId,
        ]),
      ];
      for (const line of columns(rows)) writeLine(stdout, line);
      return EXIT.ok;
    });
  }
}

function parseStanding(text: string | undefined, standings: readonly ClaimStanding[]): ClaimStanding | null {
  if (text === undefined) return null;
  const standing = standings.find((known) => known === text);
  if (standing === undefined) throw new UsageError(`--standing takes one of ${standings.join(', ')}`);
  return standing;
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const limit = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) throw new UsageError(`--limit takes a whole number from 1 to ${MAX_LIMIT}`);
  return limit;
}
