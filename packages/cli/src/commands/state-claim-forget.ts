import { Option } from 'clipanion';
import { checkCommitArguments, writeNotClaimed } from '../claim-view';
import { EXIT } from '../errors';
import { styleFor, text, writeJson, writeLine } from '../output';
import { StoreCommand, storeJson } from '../store-options';

export class StateClaimForgetCommand extends StoreCommand {
  static override paths = [['state', 'claim', 'forget']];

  static override usage = StoreCommand.Usage({
    category: 'State',
    description: 'forget the claim on one commit, so that its next delivery is evaluated afresh',
    details: `
      Removes what the store holds for \`owner/repo\` at commit \`SHA\`. The next webhook delivery for that commit (a redelivery from GitHub, or a re-run) is then evaluated as if it were the first: use it when a held commit has been approved, or when a claim blocks a commit that must be looked at again. Look at the claim first with \`booty state claim show\`.

      Exit status: 0 when the claim was forgotten, 1 when there was no claim (nothing changed) or the store cannot be written, 2 for usage errors (including a malformed repository or SHA).
    `,
    examples: [
      ['Let a held commit be evaluated again', '$0 state claim forget octo-org/web 4b825dc642cb6eb9a060e54bf8d69288fbee4904'],
      ['The same on a PostgreSQL store, as JSON', '$0 state claim forget octo-org/web 4b825dc642cb6eb9a060e54bf8d69288fbee4904 --store-url postgres://booty@db.internal/booty --json'],
    ],
  });

  repo = Option.String({ name: 'owner/repo' });
  sha = Option.String({ name: 'sha' });

  protected async run(): Promise<number> {
    const { stdout, stderr, env } = this.context;
    await checkCommitArguments({ repo: this.repo, sha: this.sha }, { repo: 'OWNER/REPO', sha: 'SHA' });
    return this.withStore(async (store) => {
      const forgotten = await store.deliveries.release({ repo: this.repo, headSha: this.sha });
      if (this.json) {
        writeJson(stdout, { ok: true, store: storeJson(store), repo: this.repo, headSha: this.sha, forgotten });
        return forgotten ? EXIT.ok : EXIT.failed;
      }
      if (!forgotten) {
        writeNotClaimed(stderr, env, store, { repo: this.repo, sha: this.sha }, text`. Nothing was changed.`);
        return EXIT.failed;
      }
      writeLine(stdout, text`${styleFor(stdout, env).bold('forgotten')}: the claim on ${this.repo} at ${this.sha}; its next delivery will be evaluated afresh.`);
      return EXIT.ok;
    });
  }
}
