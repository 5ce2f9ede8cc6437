import * as path from 'node:path';
import { Command, Option, type BaseContext } from 'clipanion';
import { reportError } from './errors';

export interface BootyContext extends BaseContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Options every command shares, and the one catch that turns failures into exit codes. */
export abstract class BootyCommand extends Command<BootyContext> {
  workspace = Option.String('--workspace,-w', {
    description: 'The repository whose .booty.yml to use (default: the current directory)',
  });

  protected workspaceDir(): string {
    return path.resolve(this.context.cwd, this.workspace ?? '.');
  }

  /** The command's work; returns the exit code. */
  protected abstract run(): Promise<number>;

  protected get jsonOutput(): boolean {
    return false;
  }

  override async execute(): Promise<number> {
    try {
      return await this.run();
    } catch (error) {
      const { stdout, stderr, env } = this.context;
      return reportError(error, { stdout, stderr, env, json: this.jsonOutput });
    }
  }
}
