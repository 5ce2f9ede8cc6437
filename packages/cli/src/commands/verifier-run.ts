import { BootyCommand } from '../context';
import { EXIT, writeWarnings } from '../errors';
import { displayPath } from '../output';
import { runSteps, type VerifierStep } from '../verifier';

export class VerifierRunCommand extends BootyCommand {
  static override paths = [['verifier', 'run']];

  static override usage = BootyCommand.Usage({
    category: 'Verifier',
    description: "run the repository's setup, install and test commands: the one definition of verified",
    details: `
      Validates \`.booty.yml\`, then runs \`setup_command\`, \`install_command\` and \`test_command\` (unset ones are skipped) through the shell in the workspace, streaming their output. \`test_command\` runs under \`timeout_seconds\` (\`timeout\` in schema_version 0 files); on timeout its whole process group is stopped.

      This is what the "Verify main" and pull request workflows run.

      Exit status: 0 when every step passed; otherwise the failing step's status (124 for a timeout); 2 for an invalid or missing \`.booty.yml\`.
    `,
    examples: [
      ['Verify the current repository', '$0 verifier run'],
      ['Verify another checkout', '$0 verifier run --workspace ../other'],
    ],
  });

  protected async run(): Promise<number> {
    const { loadBootyConfig } = await import('@booty/config');
    const { env, stderr } = this.context;
    const workspace = this.workspaceDir();
    const loaded = await loadBootyConfig(workspace, { env });
    writeWarnings(stderr, loaded.warnings, env);
    if (loaded.config === null) {
      stderr.write(`error: no .booty.yml in ${displayPath(workspace)}: there is no test_command to verify with.\nAdd a .booty.yml with at least \`test_command\` (see \`booty config validate --help\`).\n`);
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
    const started = Date.now();
    const results = await runSteps(steps, workspace, env, stderr);
    const last = results[results.length - 1];
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (last && last.status !== 'passed' && last.status !== 'skipped') {
      const what = last.status === 'timed-out' ? 'timed out' : `failed with exit status ${last.exitCode}`;
      stderr.write(`booty: verification failed: ${last.name} ${what} (${seconds} s)\n`);
      return last.exitCode;
    }
    stderr.write(`booty: verification passed (${results.filter((r) => r.status === 'passed').length} steps, ${seconds} s)\n`);
    return EXIT.ok;
  }
}
