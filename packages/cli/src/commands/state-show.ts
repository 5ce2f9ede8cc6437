import { UsageError } from 'clipanion';
import { checkCommitArguments } from '../claim-view';
import { columns } from '../columns';
import { stringOption } from '../context';
import { EXIT } from '../errors';
import { text, writeJson, writeLine } from '../output';
import { stateRows } from '../release-view';
import { StoreCommand, storeJson, storeLabel } from '../store-options';

export class StateShowCommand extends StoreCommand {
  static override paths = [['state', 'show']];

  static override usage = StoreCommand.Usage({
    category: 'State',
    description: "show a release state: the store's own (release.json), or one repository's",
    details: `
      Prints every field of the store's own release state (\`release.json\`, what a single-repository
      deployment and the first implementation use), or with \`--repo OWNER/NAME\` that repository's own
      state, in a store that keeps one per repository (a GitHub App that serves several). A repository
      nothing was recorded for has every field \`(none)\`. Without \`--repo\` it also lists the
      repositories that have a state of their own.

      Unlike \`booty governor status\`, it does not read \`.booty.yml\`: it works when the configuration
      is broken or the Governor is disabled. It never creates a store.

      Exit status: 0 when shown, 1 when the store cannot be read (a damaged state: \`booty state
      check\`), 2 for usage errors (including a malformed repository or a state directory that does not
      exist).
    `,
    examples: [
      ["The store's own release state", '$0 state show'],
      ['One repository of an App, as JSON', '$0 state show --repo octo-org/web --json'],
    ],
  });

  repo = stringOption('--repo', 'OWNER/NAME', "This repository's own release state (default: the store's own)");

  protected async run(): Promise<number> {
    if (this.repo === '') throw new UsageError('--repo needs a repository, owner/name');
    await checkCommitArguments({ repo: this.repo }, { repo: '--repo' });
    const { RELEASE_STATE_FIELDS } = await import('@booty/release-state');
    const { stdout } = this.context;
    const repo = this.repo ?? null;
    return this.withStore(async (store) => {
      const scope = repo === null ? undefined : { repo };
      const [state, repositories] = await Promise.all([store.readState(scope), store.repositories()]);
      if (this.json) {
        writeJson(stdout, { ok: true, store: storeJson(store), repo, state, repositories });
        return EXIT.ok;
      }
      const whose = repo === null ? 'release state (release.json)' : `release state of ${repo}`;
      writeLine(stdout, text`The ${whose} in the ${storeLabel(store)}:`);
      for (const line of columns(stateRows(state, RELEASE_STATE_FIELDS), { indent: '  ' })) writeLine(stdout, line);
      if (repo === null && repositories.length > 0) {
        const listed = repositories.join(', ');
        writeLine(stdout, text`Repositories with a state of their own (booty state show --repo OWNER/NAME): ${listed}`);
      }
      return EXIT.ok;
    });
  }
}
