import { Option, UsageError } from 'clipanion';
import * as path from 'node:path';
import { BootyCommand } from '../context';
import { EXIT, writeWarnings } from '../errors';
import { displayPath, styleFor, writeJson } from '../output';

export class GovernorStatusCommand extends BootyCommand {
  static override paths = [['governor', 'status']];

  static override usage = BootyCommand.Usage({
    category: 'Release Governor',
    description: 'show whether the Release Governor is enabled, and what is in production',
    details: `
      Loads \`.booty.yml\` with the \`RELEASE_GOVERNOR_*\` overrides. When the Governor is disabled it says why and touches nothing. When it is enabled it opens the state directory (creating it and the \`release.json\` skeleton on first use) and prints every \`release.json\` field (\`(none)\` for null) and the number of recorded webhook deliveries.

      The state directory is \`--state-dir\`, else \`RELEASE_GOVERNOR_STATE_DIR\`, else \`$HOME/.booty/state\`.

      Exit status: 0 when the status was shown (enabled or disabled), 2 for an invalid configuration or usage, 1 when the state cannot be read safely.
    `,
    examples: [
      ['Show the status of the current repository', '$0 governor status'],
      ['Use another state directory, as JSON', '$0 governor status --state-dir /var/lib/booty/state --json'],
    ],
  });

  stateDir = Option.String('--state-dir', { description: 'State directory (default: RELEASE_GOVERNOR_STATE_DIR, else $HOME/.booty/state)' });
  json = Option.Boolean('--json', false, { description: 'Print one JSON object on stdout instead of text' });

  protected override get jsonOutput(): boolean {
    return this.json;
  }

  protected async run(): Promise<number> {
    const [{ loadGovernor }, { RELEASE_STATE_FIELDS }] = await Promise.all([import('@booty/governor'), import('@booty/release-state')]);
    const { env, stdout, stderr, cwd } = this.context;
    if (this.stateDir === '') throw new UsageError('--state-dir needs a directory path');
    const governor = await loadGovernor({
      workspace: this.workspaceDir(),
      env,
      ...(this.stateDir === undefined ? {} : { stateDir: path.resolve(cwd, this.stateDir) }),
    });
    const status = await governor.status();
    if (this.json) {
      writeJson(stdout, { ok: true, ...status, warnings: governor.warnings });
      return EXIT.ok;
    }
    writeWarnings(stderr, governor.warnings, env);
    const style = styleFor(stdout, env);
    const rows: [string, string][] = [['reason', status.reason.message]];
    if (status.configPath) rows.push(['config', displayPath(status.configPath, cwd)]);
    if (status.stateDir !== null) rows.push(['state directory', status.stateDir]);
    if (status.state !== null) {
      for (const field of RELEASE_STATE_FIELDS) rows.push([field, show(status.state[field])]);
    }
    if (status.deliveries !== null) rows.push(['deliveries recorded', String(status.deliveries)]);
    const width = Math.max(...rows.map(([key]) => key.length)) + 1;
    stdout.write(`Governor: ${style.bold(status.enabled ? 'enabled' : 'disabled')}\n`);
    for (const [key, value] of rows) stdout.write(`  ${`${key}:`.padEnd(width)} ${value}\n`);
    return EXIT.ok;
  }
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
