import { Option } from 'clipanion';
import { BootyCommand } from '../context';
import { EXIT, writeWarnings } from '../errors';
import { displayPath, text, writeJson, writeLine } from '../output';
import { effectiveValueLines } from '../effective-values';

export class ConfigShowCommand extends BootyCommand {
  static override paths = [['config', 'show']];

  static override usage = BootyCommand.Usage({
    category: 'Configuration',
    description:
      'show every effective value of .booty.yml and where it came from: the file, a variable, or the default',
    details: `
      Loads \`.booty.yml\` as \`booty config validate\` does (schema defaults, then the variables that override
      the service blocks) and prints each effective value with its origin: \`.booty.yml:LINE:COL\` when the file
      sets it, the environment variable's name when an override set it, or \`default\`. Every service block in
      force is shown key by key (\`release_governor.cooldown_minutes\`, \`security.fail_severity\`,
      \`memory.retention_days\`, ...). Variables that were ignored (unknown \`RELEASE_GOVERNOR_*\` names, or
      overrides with no block to apply to) are listed with the reason.

      Use it when a setting does not seem to take effect: the origin says which source won.

      Exit status: 0 when shown, 2 for an invalid configuration (reported as by \`booty config validate\`) or usage.
    `,
    examples: [
      ['Show the effective configuration', '$0 config show'],
      ['Check that an override applies, as JSON', 'RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR=4 $0 config show --json'],
      ['See which severity fails Security, and where it is set', 'SECURITY_FAIL_SEVERITY=critical $0 config show'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'Print one JSON object on stdout instead of text' });

  protected override get jsonOutput(): boolean {
    return this.json;
  }

  protected async run(): Promise<number> {
    const { explainBootyConfig } = await import('@booty/config');
    const { env, stdout, stderr, cwd } = this.context;
    const workspace = this.workspaceDir();
    const explained = await explainBootyConfig(workspace, { env });
    const { values } = explained;
    const ignored = explained.warnings.flatMap(({ variable, code, message, suggestion }) =>
      variable === undefined ? [] : [{ variable, code, message, ...(suggestion === undefined ? {} : { suggestion }) }],
    );
    // The rest are about the file itself (a service block that a schema_version 0 file ignores).
    const warnings = explained.warnings.filter((warning) => warning.variable === undefined);
    if (this.json) {
      writeJson(stdout, { ok: true, path: explained.path, values, overrides: explained.overrides, ignored, warnings });
      return EXIT.ok;
    }
    writeWarnings(stderr, warnings, env, this.envOrigins);
    if (explained.path === null) {
      writeLine(
        stdout,
        text`No .booty.yml in ${displayPath(workspace, cwd)}: no configuration (the Governor is disabled).`,
      );
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
