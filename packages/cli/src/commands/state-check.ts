import { EXIT } from '../errors';
import { writeOverLimit } from '../ledger-limit';
import { progressOn } from '../progress';
import { plural, styleFor, text, writeJson, writeLine } from '../output';
import { StoreCommand, storeJson, storeLabel } from '../store-options';

export class StateCheckCommand extends StoreCommand {
  static override paths = [['state', 'check']];

  static override usage = StoreCommand.Usage({
    category: 'State',
    description: 'read everything in the store and list each damaged file or row, with the command that repairs it',
    details: `
      The one full scan of the store: every \`release.json\` field, every repository's own release state,
      every ledger entry, the first implementation's \`delivery_ids.json\` and the bookkeeping files (on
      PostgreSQL: the schema version and every row). Each problem is listed with the file (or table and
      key), what is wrong, and the repair command (\`booty state reset release\` or \`booty state reset
      deliveries\`). Nothing is changed.

      The store is \`--store-url\` or \`--state-dir\`, else \`RELEASE_GOVERNOR_STORE_URL\`, else
      \`RELEASE_GOVERNOR_STATE_DIR\`, else \`$HOME/.booty/state\`. State commands do not read \`.booty.yml\`: they work
      when the configuration is broken or the Governor is disabled.

      Exit status: 0 when healthy, 1 when anything is damaged (or the store cannot be read), 2 for usage errors
      (including a state directory that does not exist).
    `,
    examples: [
      ['Check the default file store', '$0 state check'],
      ['Check a PostgreSQL store, as JSON', '$0 state check --store-url postgres://booty@db.internal/booty --json'],
    ],
  });

  protected async run(): Promise<number> {
    const { stdout, stderr, env } = this.context;
    return this.withStore(async (store) => {
      const progress = progressOn(stderr, env, 'the store');
      const result = await store.check({ onProgress: progress.update }).finally(() => progress.done());
      const status = result.healthy ? EXIT.ok : EXIT.failed;
      if (this.json) {
        const { healthy, deliveries, problems, limit } = result;
        writeJson(stdout, { ok: true, healthy, store: storeJson(store), deliveries, limit, problems });
        return status;
      }
      const style = styleFor(stdout, env);
      // Over the count limit is not damage: said after the verdict, whatever it is.
      const writeOver = () => writeOverLimit(stdout, env, result.limit, result.deliveries);
      if (result.healthy) {
        const claims = plural(result.deliveries, 'claim');
        writeLine(
          stdout,
          text`${style.bold('healthy')}: ${storeLabel(store)}: release state and ${claims} read without a problem`,
        );
        writeOver();
        return status;
      }
      writeLine(
        stdout,
        text`${style.red('damaged')}: ${storeLabel(store)}: ${plural(result.problems.length, 'problem')}`,
      );
      for (const problem of result.problems) {
        // Each problem names its place (the file, or table and key) once: most messages already do.
        const line = problem.message.includes(problem.target)
          ? text`  ${problem.message}`
          : text`  ${problem.target}: ${problem.message}`;
        writeLine(stdout, line);
        writeLine(stdout, text`    repair: ${problem.repair}`);
      }
      writeLine(stdout, text`Nothing was changed.`);
      writeOver();
      return status;
    });
  }
}
