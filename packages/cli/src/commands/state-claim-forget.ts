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
      Removes what the store holds for \`owner/repo\` at commit \`SHA\`. The next webhook delivery for that commit (a
      redelivery from GitHub, or a re-run) is then evaluated as if it were the first: use it when a held commit has been
      approved, or when a claim blocks a commit that must be looked at again. Look at the claim first with \`booty state
      claim show\`.

      A claim whose lease is running belongs to a worker still at it: it is refused (exit 1, naming
      the delivery that holds it and when the lease ends) unless \`--force\` is given; that worker's
      \`complete\` then fails (STATE_LEASE_LOST). An ended lease, a completed claim and a final one
      need no \`--force\`. The owner and name may be given in any case. A forgotten claim leaves the
      first implementation's \`delivery_ids.json\` at once, so neither a copy of the state directory
      nor that implementation brings it back.

      Exit status: 0 when the claim was forgotten, 1 when there was no claim or its lease is running
      (nothing changed) or the store cannot be written, 2 for usage errors (including a malformed
      repository or SHA).
    `,
    examples: [
      [
        'Let a held commit be evaluated again',
        '$0 state claim forget octo-org/web 4b825dc642cb6eb9a060e54bf8d69288fbee4904',
      ],
      [
        'Forget a claim whose worker is known to be gone',
        '$0 state claim forget octo-org/web 4b825dc642cb6eb9a060e54bf8d69288fbee4904 --force',
      ],
      [
        'The same on a PostgreSQL store, as JSON',
        '$0 state claim forget octo-org/web 4b825dc642cb6eb9a060e54bf8d69288fbee4904 --store-url postgres://booty@db.internal/booty --json',
      ],
    ],
  });

  repo = Option.String({ name: 'owner/repo' });
  sha = Option.String({ name: 'sha' });
  force = Option.Boolean('--force', false, {
    description: 'Forget it even while its lease runs (that worker is then turned away)',
  });

  protected async run(): Promise<number> {
    const { stdout, stderr, env } = this.context;
    await checkCommitArguments({ repo: this.repo, sha: this.sha }, { repo: 'OWNER/REPO', sha: 'SHA' });
    return this.withStore(async (store) => {
      const commit = { repo: this.repo, headSha: this.sha };
      // What a forced forget took from a worker, said afterwards (the refusal is the library's).
      const before = this.force ? await store.deliveries.get(commit) : null;
      const forgotten = await store.deliveries.release({ ...commit, force: this.force });
      const { claimStanding } = await import('@booty/release-state');
      const held = before !== null && forgotten && claimStanding(before, Date.now()) === 'leased' ? before : null;
      if (this.json) {
        const { deliveryId, attempt, leaseExpiresAt } = held ?? {};
        const forcedLease = held === null ? null : { deliveryId, attempt, leaseExpiresAt };
        const { repo, sha: headSha } = this;
        writeJson(stdout, { ok: true, store: storeJson(store), repo, headSha, forgotten, forcedLease });
        return forgotten ? EXIT.ok : EXIT.failed;
      }
      if (!forgotten) {
        writeNotClaimed(stderr, env, store, { repo: this.repo, sha: this.sha }, text`. Nothing was changed.`);
        return EXIT.failed;
      }
      const style = styleFor(stdout, env);
      const claim = text`the claim on ${this.repo} at ${this.sha}`;
      writeLine(stdout, text`${style.bold('forgotten')}: ${claim}; its next delivery will be evaluated afresh.`);
      if (held !== null) {
        const holder = text`delivery ${held.deliveryId} (attempt ${held.attempt}) until ${held.leaseExpiresAt ?? ''}`;
        writeLine(stdout, text`Its lease, held by ${holder}, was still running: that worker's complete will fail.`);
      }
      return EXIT.ok;
    });
  }
}
