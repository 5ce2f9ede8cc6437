import { Option } from 'clipanion';
import { BootyCommand } from '../context';
import { EXIT, writeWarnings } from '../errors';
import { displayPath, styleFor, text, writeJson, writeLine } from '../output';

export class ConfigValidateCommand extends BootyCommand {
  static override paths = [['config', 'validate']];

  static override usage = BootyCommand.Usage({
    category: 'Configuration',
    description: 'check .booty.yml against the schema and the RELEASE_GOVERNOR_* environment',
    details: `
      Reads \`.booty.yml\` in the workspace, validates it against the strict JSON Schema for its \`schema_version\`, applies \`RELEASE_GOVERNOR_*\` overrides and validates again. Every problem is reported at once as \`FILE:LINE:COL  key.path  message\` on stderr.

      A workspace without \`.booty.yml\` is valid: it has no configuration, and the Governor is disabled.

      Exit status: 0 when valid, 2 when invalid (and for usage errors).
    `,
    examples: [
      ['Validate the current repository', '$0 config validate'],
      ['Validate another checkout, as JSON', '$0 config validate --workspace ../other --json'],
      ['Validate with the overrides a server keeps in a .env file', '$0 config validate --dotenv /etc/booty/booty.env'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'Print one JSON object on stdout instead of text' });

  protected override get jsonOutput(): boolean {
    return this.json;
  }

  protected async run(): Promise<number> {
    const { loadBootyConfig } = await import('@booty/config');
    const { env, stdout, stderr } = this.context;
    const workspace = this.workspaceDir();
    const loaded = await loadBootyConfig(workspace, { env });
    const schemaVersion = loaded.config ? loaded.config.schema_version : null;
    if (this.json) {
      writeJson(stdout, {
        ok: true,
        path: loaded.path,
        schemaVersion,
        releaseGovernor: { state: loaded.releaseGovernor.state, enabled: loaded.releaseGovernor.enabled },
        warnings: loaded.warnings,
      });
      return EXIT.ok;
    }
    writeWarnings(stderr, loaded.warnings, env, this.envOrigins);
    const style = styleFor(stdout, env);
    if (loaded.path === null) {
      writeLine(stdout, text`${style.bold('valid')}: no .booty.yml in ${displayPath(workspace)} (no configuration; the Governor is disabled)`);
    } else {
      writeLine(stdout, text`${style.bold('valid')}: ${displayPath(loaded.path)} (schema_version ${schemaVersion}, release_governor ${loaded.releaseGovernor.state})`);
    }
    return EXIT.ok;
  }
}
