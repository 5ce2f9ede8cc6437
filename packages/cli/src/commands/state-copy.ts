import { Option, UsageError } from 'clipanion';
import { stringOption } from '../context';
import type { ReleaseStore } from '@booty/release-state';
import { EXIT } from '../errors';
import { plural, styleFor, text, writeJson, writeLine } from '../output';
import { locate, openExisting, StoreCommand, storeJson, storeLabel, useAndClose, type StoreChoice } from '../store-options';

// Anything shaped like a URL is one (the library refuses, redacted, what is not postgres://), so
// `--to mysql://user:pw@host` is never taken for a directory named after it.
const URL_SHAPE = /^[a-z][a-z0-9+.-]*:\/\//i;

export class StateCopyCommand extends StoreCommand {
  static override paths = [['state', 'copy']];

  static override usage = StoreCommand.Usage({
    category: 'State',
    description: 'copy everything in one store into another: a file store into PostgreSQL, or back',
    details: `
      Copies \`release.json\` (every field, also ones this version does not know) and every claim (delivery id, times, lease, attempt, outcome) from the source store into \`--to\`, a \`postgres://\` URL or a state directory. The source is \`--from\`, else the store the usual options name (\`--store-url\`, \`--state-dir\`, the \`RELEASE_GOVERNOR_*\` variables). The source is only read.

      Use it when a deployment grows from one host to several (file store → PostgreSQL), and to keep a backup of a PostgreSQL store in a directory. Stop the webhook workers first: claims made during the copy may not be in the copy.

      A target that already holds claims or a release state is refused, and nothing is changed, unless \`--replace\` is given: then the target's contents are replaced by the source's. A damaged source is refused: run \`booty state check\` on it first.

      Exit status: 0 when copied, 2 for usage errors (including a non-empty target without \`--replace\`), 1 when a store cannot be read or written.
    `,
    examples: [
      ['Move the default file store into PostgreSQL', '$0 state copy --to postgres://booty@db.internal/booty'],
      ['Back a PostgreSQL store up into a directory', '$0 state copy --from postgres://booty@db.internal/booty --to /var/backups/booty-state --replace'],
    ],
  });

  from = stringOption('--from', 'URL|DIR', 'The source store: a postgres:// URL or a state directory (default: the store the other options name)');
  to = stringOption('--to', 'URL|DIR', 'The target store (required): a postgres:// URL or a state directory, created if missing');
  replace = Option.Boolean('--replace', false, { description: 'Replace what the target holds instead of refusing a non-empty target' });

  protected async run(): Promise<number> {
    const { env, cwd, stdout } = this.context;
    if (this.from !== undefined && (this.stateDir !== undefined || this.storeUrl !== undefined)) {
      throw new UsageError('--from names the source store: give it, or --state-dir / --store-url, not both');
    }
    const sourceChoice = this.from === undefined ? this.storeChoice() : choiceOf(this.from, '--from');
    if (this.to === undefined) throw new UsageError('booty state copy needs --to, the target store: a postgres:// URL or a state directory');
    const { copyStore, openReleaseStore } = await import('@booty/release-state');
    // The target is only what --to says: no RELEASE_GOVERNOR_* variable may redirect it.
    const targetLocation = await locate(choiceOf(this.to, '--to'), { env: homeOnly(env), cwd });
    const source = await openExisting(sourceChoice, { env, cwd });
    return useAndClose(source, async () => {
      const target: ReleaseStore = await openReleaseStore(targetLocation);
      return useAndClose(target, async () => {
        if (source.kind === target.kind && source.location === target.location) {
          throw new UsageError(`--to names the source store itself (${source.location}): nothing was copied. Give another directory or URL.`);
        }
        const { deliveries, repositories } = await copyStore(source, target, { replace: this.replace });
        if (this.json) {
          const [from, to] = [storeJson(source), storeJson(target)];
          writeJson(stdout, { ok: true, from, to, deliveries, repositories, replaced: this.replace });
          return EXIT.ok;
        }
        const states = repositories === 0 ? '' : `, ${plural(repositories, 'repository state', 'repository states')}`;
        const what = `release state${states} and ${plural(deliveries, 'claim')}`;
        const copied = styleFor(stdout, env).bold('copied');
        writeLine(stdout, text`${copied}: ${what} from the ${storeLabel(source)} to the ${storeLabel(target)}`);
        const variable = target.kind === 'postgres' ? 'RELEASE_GOVERNOR_STORE_URL' : 'RELEASE_GOVERNOR_STATE_DIR';
        writeLine(stdout, text`To use it, set ${variable} on every host (or pass --store-url / --state-dir).`);
        return EXIT.ok;
      });
    });
  }
}

/** A `--from`/`--to` value: a URL (scheme://…), else a directory (relative to the working directory). */
function choiceOf(value: string, option: string): StoreChoice {
  if (value === '') throw new UsageError(`${option} needs a postgres:// URL or a state directory`);
  return URL_SHAPE.test(value) ? { url: value } : { stateDir: value };
}

function homeOnly(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env['HOME'] === undefined ? {} : { HOME: env['HOME'] };
}
