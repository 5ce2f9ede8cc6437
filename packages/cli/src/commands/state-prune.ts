import { EXIT } from '../errors';
import { writeOverLimit } from '../ledger-limit';
import { styleFor, text, writeJson, writeLine } from '../output';
import { StoreCommand, storeJson, storeLabel } from '../store-options';

export class StatePruneCommand extends StoreCommand {
  static override paths = [['state', 'prune']];

  static override usage = StoreCommand.Usage({
    category: 'State',
    description: 'apply the ledger retention limits now (age and count), and say what was removed',
    details: `
      Claims are kept for \`retentionDays\` (30 by default). The file store also has a count limit
      (\`maxDeliveries\`, 10,000 by default), but nothing removes a claim younger than the redelivery
      window (4 days by default: GitHub redelivers an event for up to 3 days), a claim whose lease is
      running, or a damaged entry (\`booty state reset deliveries\` repairs those). Pruning normally
      happens in the background as claims are made; this applies the same rule now, prints how many
      claims were removed and kept, and says when the ledger stays over its count limit, with what to do.

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
        const { removed, kept, limit } = result;
        writeJson(stdout, { ok: true, store: storeJson(store), removed, kept, limit });
        return EXIT.ok;
      }
      const pruned = styleFor(stdout, env).bold('pruned');
      writeLine(stdout, text`${pruned}: ${result.removed} removed, ${result.kept} kept in the ${storeLabel(store)}`);
      writeOverLimit(stdout, env, result.limit, result.kept);
      return EXIT.ok;
    });
  }
}
