import { Builtins, Cli } from 'clipanion';
import type { Writable } from 'node:stream';
import { ConfigValidateCommand } from './commands/config-validate';
import { GovernorStatusCommand } from './commands/governor-status';
import { OPERATOR_COMMANDS } from './commands/operator';
import { HelpCommand } from './commands/help';
import { VerifierRunCommand } from './commands/verifier-run';
import { withPlaceholders, type BootyContext } from './context';
import { DOTENV_OPTION } from './dotenv';
import { EXIT, messageText, writeUsageError } from './errors';
import {
  colorEnabled,
  flushed,
  guardStream,
  outputFailure,
  SafeText,
  text,
  writeJson,
  writeLine,
  writeText,
} from './output';
import { handleStopSignals, signalExit } from './signals';

// Read at run time so the version printed is the one in the installed package.json.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

/** Where `runCli` reads and writes, and the process it stands for; every option may be left out. */
export interface RunOptions {
  /** Input for the commands (default `process.stdin`); the verifier's steps get none. */
  stdin?: NodeJS.ReadableStream;
  /** Where results go (default `process.stdout`); colour only when it is a terminal. */
  stdout?: Writable;
  /** Where messages, warnings and errors go (default `process.stderr`). */
  stderr?: Writable;
  /** The environment the command sees: overrides, `NO_COLOR`, `HOME` (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The working directory: the default `--workspace` and the base of relative paths (default `process.cwd()`). */
  cwd?: string;
}

class BootyCli extends Cli<BootyContext> {
  // Every usage line and option table is built from this, so the names go in before padding.
  protected override getUsageByIndex(
    n: number,
    opts?: { detailed?: boolean; inlineOptions?: boolean },
  ): { usage: string; options: { definition: string; description: string; required: boolean }[] } {
    const { usage, options } = super.getUsageByIndex(n, opts);
    return {
      usage: withPlaceholders(usage),
      options: options.map((option) => ({ ...option, definition: withPlaceholders(option.definition) })),
    };
  }
}

const COMMANDS = [ConfigValidateCommand, GovernorStatusCommand, ...OPERATOR_COMMANDS, VerifierRunCommand];

/**
 * The commands `argv` can only mean: those whose path it starts with (`governor status ...`),
 * else all of them. clipanion compiles its parser over every registered command on each run
 * (about 10 ms for all of them, a quarter of what booty adds to Node's start on Node 24); a
 * command line that names its command gets the same parse from that command alone. Help, typos
 * and bare groups (`booty state`) get every command, so listings and suggestions stay complete.
 */
function commandsFor(argv: readonly string[]): readonly (typeof COMMANDS)[number][] {
  if (argv.some((arg) => arg === '-h' || arg === '--help')) return COMMANDS;
  const named = COMMANDS.filter((command) =>
    command.paths?.some((path) => path.length > 0 && path.every((word, i) => argv[i] === word)),
  );
  return named.length > 0 ? named : COMMANDS;
}

function buildCli(colored: boolean, argv: readonly string[] = []): Cli<BootyContext> {
  // enableColors is always decided here: clipanion's own default reads TERM, not whether the
  // output is a terminal, and so put colour codes into pipes and files.
  const cli = new BootyCli({
    binaryLabel: 'booty',
    binaryName: 'booty',
    binaryVersion: version,
    enableColors: colored,
  });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  cli.register(HelpCommand);
  for (const command of commandsFor(argv)) cli.register(command);
  return cli;
}

/**
 * Runs the `booty` command line and resolves to its exit status (it never calls process.exit).
 * Never throws for what the command meets: every failure is an exit status (2 bad usage or
 * configuration, 1 a failed job or state) and a message on `stderr`, or with `--json` an object on
 * `stdout`. Output that could not be written (a full disk, /dev/full; not a reader that went away)
 * makes a successful command exit 1, and is named on stderr.
 *
 * @param argv - the arguments after `booty`, e.g. `['governor', 'status', '--json']`
 * @param options - the streams, environment and working directory to use instead of the process's
 */
export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const code = await runCommandLine(argv, options, stdout, stderr);
  await Promise.all([flushed(stdout), flushed(stderr)]);
  const failed = outputFailure(stdout) ?? outputFailure(stderr);
  if (failed === undefined) return code;
  const which = outputFailure(stdout) === undefined ? 'stderr' : 'stdout';
  // Said on stderr when that still works; a failed stderr has nowhere left to say it.
  if (which === 'stdout') {
    writeLine(stderr, text`booty: could not write to stdout: ${describeWriteError(failed)}; the output is incomplete`);
  }
  return code === EXIT.ok ? EXIT.failed : code;
}

function describeWriteError(error: NodeJS.ErrnoException): string {
  const what: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EIO: 'input/output error',
    EFBIG: 'the file is too large',
  };
  return error.code === undefined ? error.message : `${what[error.code] ?? 'write error'} (${error.code})`;
}

async function runCommandLine(
  argv: readonly string[],
  options: RunOptions,
  stdout: Writable,
  stderr: Writable,
): Promise<number> {
  const env = options.env ?? process.env;
  const colored = colorEnabled(stdout, env);
  const context: BootyContext = {
    stdin: (options.stdin ?? process.stdin) as BootyContext['stdin'],
    stdout,
    stderr,
    env,
    cwd: options.cwd ?? process.cwd(),
    colorDepth: colored ? 8 : 1,
  };
  const cli = buildCli(colored, argv);
  if (argv.length === 0) {
    writeText(context.stdout, new SafeText(cli.usage(null)));
    return EXIT.ok;
  }
  let command;
  try {
    command = cli.process([...argv], context);
  } catch (error) {
    // Unknown commands and bad options are usage errors: exit 2, message on stderr (as JSON on
    // stdout when --json was asked for, so a script still gets an object).
    const message = withPlaceholders(error instanceof Error ? error.message : String(error)) + envFileHint(argv);
    if (argv.includes('--json')) {
      writeJson(context.stdout, { ok: false, error: { code: 'USAGE', message } });
      return EXIT.usage;
    }
    writeUsageError(context.stderr, context.env, messageText(message));
    return EXIT.usage;
  }
  return cli.run(command, context);
}

/** `--env-file` is Node's own option (see dotenv.ts): the refusal names booty's. */
function envFileHint(argv: readonly string[]): string {
  if (!argv.some((arg) => arg === '--env-file' || arg.startsWith('--env-file='))) return '';
  return `\n--env-file is Node's own option name; booty reads a .env file with ${DOTENV_OPTION} FILE`;
}

/**
 * The program: runs the command line and owns the process around it. A reader that closes
 * booty's output early changes nothing (output to it stops; the work and the exit status stay),
 * and SIGHUP/SIGINT/SIGTERM/SIGQUIT end booty with 128+N, after a running verifier step's whole
 * process group has been stopped. Never throws: it sets the exit status.
 *
 * @param argv - the arguments after `booty` (`process.argv.slice(2)`)
 */
export function main(argv: readonly string[]): void {
  guardStream(process.stdout);
  guardStream(process.stderr);
  handleStopSignals((signal) => {
    writeLine(process.stderr, text`booty: stopped by ${signal}`);
    process.exit(signalExit(signal));
  });
  runCli(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      writeLine(process.stderr, text`booty: ${messageText(error instanceof Error ? error.message : String(error))}`);
      process.exitCode = EXIT.failed;
    },
  );
}
