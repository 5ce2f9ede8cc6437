// Every operator command explains itself: `--help` has a description, details and examples, and
// each example is a command line booty accepts: run for real (its host pointed at a closed port,
// its directories inside a temp dir), it gets past parsing to the command's own work.
import * as path from 'node:path';
import { booty, cleanEnv, expectNoStackTrace, tempDir } from './booty';

const COMMANDS = [
  ['config', 'show'],
  ['governor', 'status'],
  ['state', 'check'],
  ['state', 'reset'],
  ['state', 'claims'],
  ['state', 'claim', 'show'],
  ['state', 'claim', 'forget'],
  ['state', 'prune'],
  ['state', 'copy'],
];

/**
 * `VAR=value booty a b --c d` → its variables and argv (our examples use no quoting), with the
 * example's server moved to a closed local port and its absolute directories into `sandbox`.
 */
function commandOf(example: string, sandbox: string): { env: Record<string, string>; argv: string[] } {
  const words = example.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0] !== undefined && /^[A-Z_]+=/.test(words[0])) {
    const [name, value] = (words.shift() as string).split('=') as [string, string];
    env[name] = value;
  }
  expect(words.shift()).toBe('booty');
  const argv = words.map((word) =>
    word.replace('@db.internal/', '@127.0.0.1:1/').replace(/^\/(var|srv|home)\//, `${sandbox}/$1/`),
  );
  return { env, argv };
}

describe('operator commands: --help', () => {
  test.each(COMMANDS.map((words) => [words.join(' '), words] as const))(
    'booty %s --help: description, details, real examples',
    async (_name, words) => {
      const help = await booty([...words, '--help']);
      expect(help.stderr).toBe('');
      expect(help.status).toBe(0);
      const description = help.stdout.split('\n')[0] as string;
      expect(description.length).toBeGreaterThan(30);
      expect(help.stdout).toMatch(/\nDetails\n\n\S/);
      expect(help.stdout).toMatch(/\nExit status: 0 /);
      const examples = [...help.stdout.matchAll(/^ {2}\$ (.+)$/gm)].map((match) => match[1] as string);
      expect(examples.length).toBeGreaterThanOrEqual(2);
      for (const example of examples) {
        const sandbox = tempDir('booty-example-');
        const { env, argv } = commandOf(example, sandbox);
        expect(argv.slice(0, words.length)).toEqual(words);
        const result = await booty(argv, { cwd: sandbox, env: cleanEnv({ ...env, HOME: path.join(sandbox, 'home') }) });
        // Parsing failures are the only outputs that send the reader to `booty --help`.
        expect({ example, stderr: result.stderr }).not.toEqual({
          example,
          stderr: expect.stringContaining('booty --help'),
        });
        expect([0, 1, 2]).toContain(result.status);
        expectNoStackTrace(result);
      }
    },
  );
});
