import { Option } from 'clipanion';
import { BootyCommand } from '../context';
import { EXIT, writeWarnings } from '../errors';
import { displayPath, styleFor, text, writeJson, writeLine } from '../output';

/** What `--allow-newer-keys` does, in the help of every command that has it. */
export const NEWER_KEYS = `A key this booty does not know is an error too, unless \`--allow-newer-keys\` is
      given: then a key that is not a misspelling of a known one (perhaps a newer booty's) is a warning, for a CI that
      pins an older booty while the file is written for a newer one. Misspelt keys (\`securty\`, \`cooldown_minute\`)
      stay errors.`;

/** `--allow-newer-keys`: the strict authors' side, relaxed for keys of a newer booty. */
export function allowNewerKeysOption(): boolean {
  return Option.Boolean('--allow-newer-keys', false, {
    description: "Warn instead of failing on keys this booty does not know that are not misspellings (a newer booty's)",
  });
}

export class ConfigValidateCommand extends BootyCommand {
  static override paths = [['config', 'validate']];

  static override usage = BootyCommand.Usage({
    category: 'Configuration',
    description: 'check all of .booty.yml, every service block included, against the schema and the environment',
    details: `
      Reads \`.booty.yml\` in the workspace and validates all of it, every service's block included
      (\`release_governor\`, \`security\`, \`memory\`, \`planner\`, \`architect\`, \`reviewer\`), against the
      strict JSON Schema for its \`schema_version\`, then applies the variables that override the blocks
      (\`RELEASE_GOVERNOR_*\`, \`SECURITY_FAIL_SEVERITY\`, ...) and validates again. Every problem is reported at
      once as \`FILE:LINE:COL  key.path  message\` on stderr. This is the authors' side: a problem in any block
      fails, so a broken block is caught in the pull request that breaks it (a service on its own goes on when
      only another's block is broken, and says so).

      ${NEWER_KEYS}

      A workspace without \`.booty.yml\` is valid: it has no configuration, and every service is off.

      Exit status: 0 when valid, 2 when invalid (and for usage errors).
    `,
    examples: [
      ['Validate the current repository', '$0 config validate'],
      ['Validate another checkout, as JSON', '$0 config validate --workspace ../other --json'],
      ['Validate with the overrides a server keeps in a .env file', '$0 config validate --dotenv /etc/booty/booty.env'],
      ['Validate with an older booty a file written for a newer one', '$0 config validate --allow-newer-keys'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'Print one JSON object on stdout instead of text' });

  allowNewerKeys = allowNewerKeysOption();

  protected override get jsonOutput(): boolean {
    return this.json;
  }

  protected async run(): Promise<number> {
    const { loadBootyConfig } = await import('@booty/config');
    const { env, stdout, stderr } = this.context;
    const workspace = this.workspaceDir();
    const loaded = await loadBootyConfig(workspace, { env, unknownKeys: this.allowNewerKeys ? 'warn' : 'error' });
    const schemaVersion = loaded.config ? loaded.config.schema_version : null;
    const services = Object.entries(loaded.services);
    if (this.json) {
      writeJson(stdout, {
        ok: true,
        path: loaded.path,
        schemaVersion,
        releaseGovernor: { state: loaded.releaseGovernor.state, enabled: loaded.releaseGovernor.enabled },
        services: Object.fromEntries(services.map(([name, { state, enabled }]) => [name, { state, enabled }])),
        warnings: loaded.warnings,
      });
      return EXIT.ok;
    }
    writeWarnings(stderr, loaded.warnings, env, this.envOrigins);
    const style = styleFor(stdout, env);
    if (loaded.path === null) {
      writeLine(
        stdout,
        text`${style.bold('valid')}: no .booty.yml in ${displayPath(workspace)} (no configuration; the Governor is disabled)`,
      );
    } else {
      // The Governor's state always, the other blocks when the file writes them.
      const states = services
        .filter(([name, { state }]) => name === 'release_governor' || state !== 'absent')
        .map(([name, { state }]) => `${name} ${state}`);
      const what = `schema_version ${schemaVersion}, ${states.join(', ')}`;
      writeLine(stdout, text`${style.bold('valid')}: ${displayPath(loaded.path)} (${what})`);
    }
    return EXIT.ok;
  }
}
