import * as path from 'node:path';
import { Command, Option, type BaseContext } from 'clipanion';
import { DOTENV_OPTION, mergeEnv, readEnvFile } from './dotenv';
import { reportError, type EnvOrigins } from './errors';

export interface BootyContext extends BaseContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
}

// Option descriptor -> the name of its value in help (`--workspace,-w DIR`). Clipanion 3 shows
// every value as `#0`; withPlaceholders (applied by cli.ts to all usage text) puts the name there.
const placeholders = new Map<string, string>();

/** `--workspace,-w #0` in clipanion's usage text becomes `--workspace,-w DIR`. */
export function withPlaceholders(usage: string): string {
  let out = usage;
  for (const [descriptor, placeholder] of placeholders)
    out = out.split(`${descriptor} #0`).join(`${descriptor} ${placeholder}`);
  return out.replace(/ #0\b/g, ' VALUE');
}

/** A string option whose value is shown in help as `placeholder` (`--limit N`). */
export function stringOption(descriptor: string, placeholder: string, description: string): string | undefined {
  placeholders.set(descriptor, placeholder);
  return Option.String(descriptor, { description });
}

// Clipanion runs option validators while it parses, so an empty value is a usage error
// (exit 2) before any command starts; the message names the option as the user typed it.
const nonEmpty =
  (hint: string) =>
  (value: unknown, state?: { errors?: string[] }): value is string => {
    if (typeof value === 'string' && value !== '') return true;
    state?.errors?.push(`.: is empty; ${hint}`);
    return false;
  };

/**
 * A path option of any command: never empty (an empty path would silently mean the current
 * directory). Relative paths resolve against the working directory (`resolvePath`).
 */
export function pathOption(descriptor: string, placeholder: string, description: string): string | undefined {
  placeholders.set(descriptor, placeholder);
  const hint =
    placeholder === 'DIR'
      ? 'give a directory (`.` for the current one), or leave the option out'
      : 'give a file path, or leave the option out';
  return Option.String(descriptor, { description, validator: nonEmpty(hint) as never });
}

/** Options every command shares, and the one catch that turns failures into exit codes. */
export abstract class BootyCommand extends Command<BootyContext> {
  workspace = pathOption(
    '--workspace,-w',
    'DIR',
    'The repository whose .booty.yml to use (default: the current directory)',
  );

  dotenv = pathOption(
    DOTENV_OPTION,
    'FILE',
    'Read variables (e.g. RELEASE_GOVERNOR_*) from a .env file, parsed as `node --env-file` does. Variables already set ' +
      'in the environment win, as with node and dotenv, so a one-off `NAME=value booty …` still applies',
  );

  /** Variables that came from --dotenv, each with the file. */
  protected envOrigins: EnvOrigins = new Map();

  /** `value` resolved against the working directory; undefined stays undefined. */
  protected resolvePath(value: string | undefined): string | undefined {
    return value === undefined ? undefined : path.resolve(this.context.cwd, value);
  }

  protected workspaceDir(): string {
    return this.resolvePath(this.workspace) ?? this.context.cwd;
  }

  /** The command's work; returns the exit code. */
  protected abstract run(): Promise<number>;

  protected get jsonOutput(): boolean {
    return false;
  }

  override async execute(): Promise<number> {
    try {
      const envFile = this.resolvePath(this.dotenv);
      if (envFile !== undefined) {
        const merged = mergeEnv(this.context.env, await readEnvFile(envFile), envFile);
        this.context = { ...this.context, env: merged.env };
        this.envOrigins = merged.origins;
      }
      return await this.run();
    } catch (error) {
      const { stdout, stderr, env } = this.context;
      return reportError(error, { stdout, stderr, env, json: this.jsonOutput, envOrigins: this.envOrigins });
    }
  }
}
