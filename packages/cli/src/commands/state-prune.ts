import { EXIT } from '../errors';
import { styleFor, text, writeJson, writeLine } from '../output';
import { StoreCommand, storeJson, storeLabel } from '../store-options';

export class StatePruneCommand extends StoreCommand {
  static override paths = [['state', 'prune']];

  static override usage = StoreCommand.Usage({
    category: 'State',
    description: 'apply the ledger retention limits now (age and count), and say what was removed',
    details: `
      Claims are kept for weeks (GitHub redelivers an event for up to 3 days) and the ledger is capped in size; pruning normally happens as claims are made. This applies the same limits now and prints how many claims were removed and kept.

      Exit status: 0 when pruned (also when nothing was old enough), 2 for usage errors, 1 when the store cannot be written.
    `,
    examples: [
      ['Prune the default file store', '$0 state prune'],
      ['Prune a PostgreSQL store, as JSON', '$0 state prune --store-url postgres://booty@db.internal/booty --json'],
    ],
  });

  protected async run(): Promise<number> {
    const { stdout, env } = this.context;
    return this.withStore(async (store) => {
      const result = await store.deliveries.prune();
      if (this.json) {
        writeJson(stdout, { ok: true, store: storeJson(store), removed: result.removed, kept: result.kept });
        return EXIT.ok;
      }
      writeLine(stdout, text`${styleFor(stdout, env).bold('pruned')}: ${result.removed} removed, ${result.kept} kept in the ${storeLabel(store)}`);
      return EXIT.ok;
    });
  }
}
