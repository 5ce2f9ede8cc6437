import { Command, Option } from 'clipanion';
import { withPlaceholders, type BootyContext } from '../context';
import { EXIT, writeUsageError } from '../errors';
import { SafeText, text, writeLine, writeText } from '../output';

/** `booty help [COMMAND...]`: the same text as `booty --help` and `booty COMMAND --help`. */
export class HelpCommand extends Command<BootyContext> {
  static override paths = [['help']];

  static override usage = Command.Usage({
    description: 'show the commands, or the details and examples of one command',
    details: `
      \`booty help\` is \`booty --help\`; \`booty help governor status\` is \`booty governor status --help\`.
    `,
    examples: [
      ['List every command', '$0 help'],
      ['Show the options and examples of one command', '$0 help verifier run'],
    ],
  });

  words = Option.Rest();

  override async execute(): Promise<number> {
    const { stdout, stderr, env } = this.context;
    if (this.words.length === 0) {
      writeText(stdout, new SafeText(this.cli.usage()));
      return EXIT.ok;
    }
    try {
      this.cli.process([...this.words, '--help']);
    } catch {
      // A group of commands (`booty help state`): the commands in it.
      const prefix = `booty ${this.words.join(' ')} `;
      const group = this.cli.definitions().filter((definition) => definition.path.startsWith(prefix));
      if (group.length > 0) {
        writeLine(stdout, text`The \`${prefix.trim()}\` commands:`);
        for (const definition of group)
          writeLine(
            stdout,
            new SafeText(`\n  ${withPlaceholders(definition.usage)}\n    ${(definition.description ?? '').trim()}`),
          );
        writeLine(stdout, text`\nRun \`booty help COMMAND\` for the details and examples of one.`);
        return EXIT.ok;
      }
      writeUsageError(stderr, env, text`there is no command \`booty ${this.words.join(' ')}\``);
      return EXIT.usage;
    }
    // Known words: exactly what `booty WORDS --help` prints.
    return this.cli.run([...this.words, '--help']);
  }
}
