import { BootyCommand } from '../context';
import { allowNewerKeysOption, NEWER_KEYS } from './config-validate';
import { EXIT, writeWarnings } from '../errors';
import { displayPath, plural, text, writeLine } from '../output';
import { runSteps, unrunnableStep, type VerifierStep } from '../verifier';

export class VerifierRunCommand extends BootyCommand {
  static override paths = [['verifier', 'run']];

  static override usage = BootyCommand.Usage({
    category: 'Verifier',
    description: "run the repository's setup, install and test commands: the one definition of verified",
    details: `
      Validates \`.booty.yml\`, then runs \`setup_command\`, \`install_command\` and \`test_command\` (unset ones are
      skipped) through the shell in the workspace, streaming their output. \`test_command\` runs under
      \`timeout_seconds\` (\`timeout\` in schema_version 0 files); on timeout its whole process group is stopped.

      This is what the "Verify main" and pull request workflows run.

      On SIGHUP, SIGINT, SIGTERM or SIGQUIT the running step's whole process group is stopped (SIGTERM, then SIGKILL
      after 5 s) and booty exits 128+N. A reader that closes booty's output early (\`| head\`) changes nothing: booty
      still waits for the step and exits with its status.

      The whole of \`.booty.yml\` must be valid, every service's block included, so that a pull request that
      breaks any block fails here. ${NEWER_KEYS}

      Exit status: 0 when every step passed; otherwise the failing step's status (124 for a timeout); 2 for an invalid
      or missing \`.booty.yml\`; 128+N when stopped by signal N.
    `,
    examples: [
      ['Verify the current repository', '$0 verifier run'],
      ['Verify another checkout', '$0 verifier run --workspace ../other'],
      ['Verify with the variables a deployment keeps in a .env file', '$0 verifier run --dotenv /etc/booty/booty.env'],
    ],
  });

  allowNewerKeys = allowNewerKeysOption();

  protected async run(): Promise<number> {
    const { loadBootyConfig, ConfigError } = await import('@booty/config');
    const { env, stderr } = this.context;
    const workspace = this.workspaceDir();
    const loaded = await loadBootyConfig(workspace, { env, unknownKeys: this.allowNewerKeys ? 'warn' : 'error' });
    writeWarnings(stderr, loaded.warnings, env, this.envOrigins);
    if (loaded.config === null) {
      writeLine(
        stderr,
        text`error: no .booty.yml in ${displayPath(workspace)}: there is no test_command to verify with.`,
      );
      writeLine(stderr, text`Add a .booty.yml with at least \`test_command\` (see \`booty config validate --help\`).`);
      return EXIT.usage;
    }
    const config = loaded.config;
    const steps: VerifierStep[] =
      config.schema_version === 1
        ? [
            { name: 'setup_command', command: config.setup_command ?? null, timeoutSeconds: null },
            { name: 'install_command', command: config.install_command ?? null, timeoutSeconds: null },
            { name: 'test_command', command: config.test_command, timeoutSeconds: config.timeout_seconds },
          ]
        : [{ name: 'test_command', command: config.test_command, timeoutSeconds: config.timeout }];
    // The schema refuses such commands; this guard keeps any that slip through from reaching spawn.
    const unrunnable = unrunnableStep(steps);
    if (unrunnable) {
      throw new ConfigError('CONFIG_SCHEMA', [
        {
          path: unrunnable.name,
          message:
            'holds a control character (tab and line feed aside), which no shell command can carry; ' +
            'nothing was run; remove it from .booty.yml',
          file: loaded.path,
          line: null,
          column: null,
        },
      ]);
    }
    const started = Date.now();
    const results = await runSteps(steps, workspace, env, stderr);
    const last = results[results.length - 1];
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (last?.status === 'interrupted' && last.signal !== undefined) {
      writeLine(stderr, text`booty: stopped by ${last.signal}; ${last.name}'s process group was terminated`);
      return last.exitCode;
    }
    if (last && last.status !== 'passed' && last.status !== 'skipped') {
      const what = last.status === 'timed-out' ? 'timed out' : `failed with exit status ${last.exitCode}`;
      writeLine(stderr, text`booty: verification failed: ${last.name} ${what} (${seconds} s)`);
      return last.exitCode;
    }
    writeLine(
      stderr,
      text`booty: verification passed (${plural(results.filter((r) => r.status === 'passed').length, 'step')}, ${seconds} s)`,
    );
    return EXIT.ok;
  }
}
