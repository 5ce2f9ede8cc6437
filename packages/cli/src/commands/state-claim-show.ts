import { Option } from 'clipanion';
import { checkCommitArguments, describeStanding, viewClaim, writeNotClaimed } from '../claim-view';
import { columns } from '../columns';
import { EXIT } from '../errors';
import { text, writeJson, writeLine } from '../output';
import { StoreCommand, storeJson, storeLabel } from '../store-options';

export class StateClaimShowCommand extends StoreCommand {
  static override paths = [['state', 'claim', 'show']];

  static override usage = StoreCommand.Usage({
    category: 'State',
    description: 'show the claim on one commit: its delivery, lease, attempt and outcome',
    details: `
      Shows what the store holds for \`owner/repo\` at commit \`SHA\` (the full commit SHA): the delivery id that
      claimed it, when, the attempt number, where the claim stands (\`leased\`, \`expired\`, \`completed\`, \`final\`)
      and the outcome.

      Exit status: 0 when the commit is claimed, 1 when it is not (nothing is recorded for it) or the store cannot be
      read, 2 for usage errors (including a malformed repository or SHA).
    `,
    examples: [
      ['Show the claim on one commit', '$0 state claim show octo-org/web 4b825dc642cb6eb9a060e54bf8d69288fbee4904'],
      [
        'The same, as JSON, from a PostgreSQL store',
        '$0 state claim show octo-org/web 4b825dc642cb6eb9a060e54bf8d69288fbee4904 --store-url postgres://booty@db.internal/booty --json',
      ],
    ],
  });

  repo = Option.String({ name: 'owner/repo' });
  sha = Option.String({ name: 'sha' });

  protected async run(): Promise<number> {
    const { stdout, stderr, env } = this.context;
    await checkCommitArguments({ repo: this.repo, sha: this.sha }, { repo: 'OWNER/REPO', sha: 'SHA' });
    return this.withStore(async (store) => {
      const commit = { repo: this.repo, headSha: this.sha };
      const [record, library] = await Promise.all([store.deliveries.get(commit), import('@booty/release-state')]);
      const { claimStanding } = library;
      const claim = record === null ? null : viewClaim(record, claimStanding(record, Date.now()));
      if (this.json) {
        writeJson(stdout, { ok: true, store: storeJson(store), claim });
        return claim === null ? EXIT.failed : EXIT.ok;
      }
      if (claim === null) {
        writeNotClaimed(
          stderr,
          env,
          store,
          { repo: this.repo, sha: this.sha },
          text`: its next delivery will be evaluated.`,
        );
        return EXIT.failed;
      }
      const rows = [
        ['repository', claim.repo],
        ['commit', claim.headSha],
        ['delivery', claim.deliveryId],
        ['recorded', claim.recordedAt ?? '(unknown: recorded by the first implementation)'],
        ['attempt', String(claim.attempt)],
        ['standing', describeStanding(claim)],
        ['outcome', claim.outcome ?? '(none)'],
        ['store', storeLabel(store)],
      ];
      writeLine(stdout, text`Claim ${claim.key}`);
      for (const line of columns(rows, { indent: '  ' })) writeLine(stdout, line);
      const forget = text`booty state claim forget ${claim.repo} ${claim.headSha}`;
      // A running lease is a worker still at it: forgetting it takes --force (state-claim-forget.ts).
      if (claim.standing === 'leased') {
        writeLine(stdout, text`To have this commit evaluated again while its worker is still at it: ${forget} --force`);
      } else writeLine(stdout, text`To have this commit evaluated again: ${forget}`);
      return EXIT.ok;
    });
  }
}
