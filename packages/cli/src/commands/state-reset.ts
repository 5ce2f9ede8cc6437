import { Option, UsageError } from 'clipanion';
import type { StorePart } from '@booty/release-state';
import { EXIT } from '../errors';
import { plural, styleFor, text, writeJson, writeLine } from '../output';
import { StoreCommand, storeJson, storeLabel } from '../store-options';

const PARTS: readonly StorePart[] = ['release', 'deliveries'];

export class StateResetCommand extends StoreCommand {
  static override paths = [['state', 'reset']];

  static override usage = StoreCommand.Usage({
    category: 'State',
    description: 'repair damaged release state or ledger entries, keeping the damaged bytes beside them',
    details: `
      \`release\` replaces a damaged \`release.json\` (or its row), and each damaged repository's own
      release state, with the empty skeleton; \`deliveries\` moves damaged ledger entries aside. Only what
      is damaged is replaced: healthy ledger entries stay, and the damaged bytes are kept beside the store
      (the command prints where) so nothing is lost. Run \`booty state check\` first to see what is
      damaged.

      When nothing in that part is damaged, the command refuses and changes nothing (exit 2, like any request that does
      not apply: there is nothing to repair).

      Exit status: 0 when repaired, 2 when there was nothing to repair or for usage errors, 1 when the store cannot be
      read or written.
    `,
    examples: [
      ['Repair a corrupt release.json', '$0 state reset release'],
      [
        'Move damaged ledger entries aside in a PostgreSQL store',
        '$0 state reset deliveries --store-url postgres://booty@db.internal/booty',
      ],
    ],
  });

  part = Option.String({ name: 'release|deliveries' });

  protected async run(): Promise<number> {
    const part = PARTS.find((name) => name === this.part);
    if (part === undefined)
      throw new UsageError(
        'booty state reset takes `release` or `deliveries` (`booty state check` shows what is damaged)',
      );
    const { stdout, env } = this.context;
    return this.withStore(async (store) => {
      const result = await store.reset(part);
      if (this.json) {
        writeJson(stdout, {
          ok: true,
          store: storeJson(store),
          part: result.part,
          repaired: result.repaired,
          keptAt: result.keptAt,
        });
        return EXIT.ok;
      }
      const what =
        part === 'release'
          ? 'the release state'
          : plural(result.repaired, 'damaged ledger entry', 'damaged ledger entries');
      writeLine(stdout, text`${styleFor(stdout, env).bold('repaired')}: ${what} in the ${storeLabel(store)}`);
      for (const place of result.keptAt) writeLine(stdout, text`  damaged bytes kept at ${place}`);
      writeLine(stdout, text`Run \`booty state check\` to confirm the store is healthy.`);
      return EXIT.ok;
    });
  }
}
