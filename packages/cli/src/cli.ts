import { Builtins, Cli } from 'clipanion';
import type { Writable } from 'node:stream';
import { ConfigValidateCommand } from './commands/config-validate';
import { GovernorStatusCommand } from './commands/governor-status';
import { VerifierRunCommand } from './commands/verifier-run';
import type { BootyContext } from './context';
import { EXIT } from './errors';
import { styleFor } from './output';

// Read at run time so the version printed is the one in the installed package.json.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

export interface RunOptions {
  stdin?: NodeJS.ReadableStream;
  stdout?: Writable;
  stderr?: Writable;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

function buildCli(): Cli<BootyContext> {
  const cli = new Cli<BootyContext>({ binaryLabel: 'booty', binaryName: 'booty', binaryVersion: version });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  cli.register(ConfigValidateCommand);
  cli.register(GovernorStatusCommand);
  cli.register(VerifierRunCommand);
  return cli;
}

/** Runs the `booty` command line and resolves to its exit status (it never calls process.exit). */
export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const context: BootyContext = {
    stdin: (options.stdin ?? process.stdin) as BootyContext['stdin'],
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    colorDepth: 1,
  };
  const cli = buildCli();
  if (argv.length === 0) {
    context.stdout.write(cli.usage(null));
    return EXIT.ok;
  }
  let command;
  try {
    command = cli.process([...argv], context);
  } catch (error) {
    // Unknown commands and bad options are usage errors: exit 2, message on stderr.
    const style = styleFor(context.stderr, context.env);
    const message = error instanceof Error ? error.message : String(error);
    context.stderr.write(`${style.red('error')}: ${message}\n\nRun \`booty --help\` for the commands and their options.\n`);
    return EXIT.usage;
  }
  return cli.run(command, context);
}
