import { Option, UsageError } from 'clipanion';
import { stringOption } from '../context';
import { EXIT } from '../errors';
import { plural, styleFor, text, writeJson, writeLine } from '../output';
import { onStopSignal, signalExit, type StopSignal } from '../signals';
import {
  locate,
  openExisting,
  StoreCommand,
  storeJson,
  storeLabel,
  useAndClose,
  type StoreChoice,
} from '../store-options';

// Anything shaped like a URL is one (the library refuses, redacted, what is not postgres://), so
// `--to mysql://user:pw@host` is never taken for a directory named after it.
const URL_SHAPE = /^[a-z][a-z0-9+.-]*:\/\//i;

export class StateCopyCommand extends StoreCommand {
  static override paths = [['state', 'copy']];

  static override usage = StoreCommand.Usage({
    category: 'State',
    description: 'copy everything in one store into another: a file store into PostgreSQL, or back',
    details: `
      Copies \`release.json\` (every field, also ones this version does not know), each repository's own release state
      and every claim (delivery id, times, lease, attempt, outcome) from the source store into \`--to\`, a
      \`postgres://\` URL or a state directory. The source is \`--from\`, else the store the usual options name
      (\`--store-url\`, \`--state-dir\`, the \`RELEASE_GOVERNOR_*\` variables); it must exist, and it is only read.

      The copy is all or nothing: it is built beside the target (in one transaction on PostgreSQL) and switched in when
      complete, so a copy that fails or is stopped (Ctrl-C, a closed terminal, kill -9) leaves the target as it was. The
      target is created by the copy when it does not exist; it is never the source itself (however it is spelt), never
      inside another store, and an existing directory must be a store or empty.

      Use it when a deployment grows from one host to several (file store → PostgreSQL), and to keep a backup of a
      PostgreSQL store in a directory. Stop the webhook workers first: claims made during the copy may not be in the
      copy.

      A target that already holds claims or a release state (its own or a repository's) is refused, and nothing is
      changed, unless \`--replace\` is given: then the target's contents are replaced by the source's. An empty source
      (no claims, every release field null, its own and each repository's) replaces a target that holds data only with
      \`--force\` too: it is most often the wrong source. A damaged source is refused: run \`booty state check\` on it
      first.

      Exit status: 0 when copied, 2 for usage errors (including a non-empty target without \`--replace\`, a source that
      does not exist, a target that is the source), 1 when a store cannot be read or written, 128+N when stopped by
      signal N.
    `,
    examples: [
      ['Move the default file store into PostgreSQL', '$0 state copy --to postgres://booty@db.internal/booty'],
      [
        'Back a PostgreSQL store up into a directory',
        '$0 state copy --from postgres://booty@db.internal/booty --to /var/backups/booty-state --replace',
      ],
    ],
  });

  from = stringOption(
    '--from',
    'URL|DIR',
    'The source store: a postgres:// URL or a state directory (default: the store the other options name)',
  );
  to = stringOption(
    '--to',
    'URL|DIR',
    'The target store (required): a postgres:// URL or a state directory, created if missing',
  );
  replace = Option.Boolean('--replace', false, {
    description: 'Replace what the target holds instead of refusing a non-empty target',
  });
  force = Option.Boolean('--force', false, {
    description: 'With --replace: let an empty source empty a target that holds data',
  });

  protected async run(): Promise<number> {
    const { env, cwd, stdout, stderr } = this.context;
    if (this.from !== undefined && (this.stateDir !== undefined || this.storeUrl !== undefined)) {
      throw new UsageError('--from names the source store: give it, or --state-dir / --store-url, not both');
    }
    if (this.force && !this.replace)
      throw new UsageError('--force only applies with --replace (an empty source over a target that holds data)');
    const sourceChoice = this.from === undefined ? this.storeChoice() : choiceOf(this.from, '--from');
    if (this.to === undefined)
      throw new UsageError('booty state copy needs --to, the target store: a postgres:// URL or a state directory');
    const { copyStore } = await import('@booty/release-state');
    // The target is only what --to says: no RELEASE_GOVERNOR_* variable may redirect it.
    const toNames = { url: '--to', stateDir: '--to' };
    const targetLocation = await locate(choiceOf(this.to, '--to'), { env: homeOnly(env), cwd, names: toNames });
    const fromNames = this.from === undefined ? undefined : { url: '--from', stateDir: '--from' };
    const source = await openExisting(sourceChoice, {
      env,
      cwd,
      ...(fromNames === undefined ? {} : { names: fromNames }),
    });
    return useAndClose(source, async () => {
      // A stop signal (Ctrl-C, a closed terminal, kill) stops the copy before its switch, and the
      // target stays as it was; after the switch the copy is finished first. Either way: 128+N.
      const controller = new AbortController();
      let stoppedBy: StopSignal | null = null;
      const unregister = onStopSignal((signal) => {
        stoppedBy ??= signal;
        controller.abort();
      });
      let result;
      try {
        const options = { replace: this.replace, force: this.force, signal: controller.signal, env };
        result = await copyStore(source, targetLocation, options);
      } catch (error) {
        if (stoppedBy !== null) {
          writeLine(stderr, text`booty: stopped by ${stoppedBy}: nothing was copied; the target was left as it was`);
          return signalExit(stoppedBy);
        }
        throw error;
      } finally {
        unregister();
      }
      const { deliveries, repositories, to } = result;
      const target = { kind: to.kind, location: to.location } as const;
      if (this.json) {
        const from = storeJson(source);
        writeJson(stdout, { ok: true, from, to: target, deliveries, repositories, replaced: this.replace });
      } else {
        const states = repositories === 0 ? '' : `, ${plural(repositories, 'repository state', 'repository states')}`;
        const what = `release state${states} and ${plural(deliveries, 'claim')}`;
        const copied = styleFor(stdout, env).bold('copied');
        writeLine(stdout, text`${copied}: ${what} from the ${storeLabel(source)} to the ${storeLabel(target)}`);
        const variable = to.kind === 'postgres' ? 'RELEASE_GOVERNOR_STORE_URL' : 'RELEASE_GOVERNOR_STATE_DIR';
        writeLine(stdout, text`To use it, set ${variable} on every host (or pass --store-url / --state-dir).`);
      }
      if (stoppedBy !== null) {
        writeLine(stderr, text`booty: stopped by ${stoppedBy} after the copy was complete: the target holds the copy`);
        return signalExit(stoppedBy);
      }
      return EXIT.ok;
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
