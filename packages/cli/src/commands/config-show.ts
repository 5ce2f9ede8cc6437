import { Option } from 'clipanion';
import { BootyCommand } from '../context';
import { EXIT } from '../errors';
import { displayPath, text, writeJson, writeLine } from '../output';
import { effectiveValueLines } from '../effective-values';

export class ConfigShowCommand extends BootyCommand {
  static override paths = [['config', 'show']];

  static override usage = BootyCommand.Usage({
    category: 'Configuration',
    description: 'show every effective value of .booty.yml and where it came from: the file, a variable, or the default',
    details: `
      Loads \`.booty.yml\` as every command does (schema defaults, then the \`RELEASE_GOVERNOR_*\` overrides) and prints each effective value with its origin: \`.booty.yml:LINE:COL\` when the file sets it, the environment variable's name when an override set it, or \`default\`. Variables that look like overrides but were ignored (unknown names, or overrides with no \`release_governor\` block to apply to) are listed with the reason.

      Use it when a setting does not seem to take effect: the origin says which source won.

      Exit status: 0 when shown, 2 for an invalid configuration (reported as by \`booty config validate\`) or usage.
    `,
    examples: [
      ['Show the effective configuration', '$0 config show'],
      ['Check that an override applies, as JSON', 'RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR=4 $0 config show --json'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'Print one JSON object on stdout instead of text' });

  protected override get jsonOutput(): boolean {
    return this.json;
  }

  protected async run(): Promise<number> {
    const { explainBootyConfig } = await import('@booty/config');
    const { env, stdout, cwd } = this.context;
    const workspace = this.workspaceDir();
    const explained = await explainBootyConfig(workspace, { env });
    const { values } = explained;
    const ignored = explained.warnings.map(({ variable, code, message, suggestion }) => ({ variable, code, message, ...(suggestion === undefined ? {} : { suggestion }) }));
    if (this.json) {
      writeJson(stdout, { ok: true, path: explained.path, values, overrides: explained.overrides, ignored });
      return EXIT.ok;
    }
    if (explained.path === null) {
      writeLine(stdout, text`No .booty.yml in ${displayPath(workspace, cwd)}: no configuration (the Governor is disabled).`);
    } else {
      writeLine(stdout, text`Effective configuration of ${displayPath(explained.path, cwd)}:`);
      for (const line of effectiveValueLines(values)) writeLine(stdout, line);
    }
    if (ignored.length > 0) {
      writeLine(stdout, text`Ignored variables:`);
      for (const warning of ignored) writeLine(stdout, text`  ${warning.message}`);
    }
    return EXIT.ok;
  }
}
