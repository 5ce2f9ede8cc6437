// The harness of the key tests (src/keys-*.spec.ts): a case per key (its default, values it
// accepts, values it refuses with a fragment of the message), the file that puts one value in
// place, and the tests every case gets. Apart from the specs so that the top-level keys and the
// service blocks keep their cases in files of their own and are checked by the same rules.
import type { BootyConfigV0, BootyConfigV1, ServiceName } from '../src/types';
import { FILE, parse, parseError } from './helpers';

export type Scope = 'v0' | 'v1' | ServiceName;

export interface KeyCase {
  key: string;
  scope: Scope;
  default: unknown;
  /** YAML text of a value and what it loads as. */
  accepts: [string, unknown][];
  /** YAML text of a value and a fragment of the message it gets. */
  refuses: [string, string][];
}

/** The default of protected_paths. */
export const PROTECTED = [
  '.github/workflows/**',
  '.env',
  '.env.*',
  '**/*.env',
  '**/secrets.*',
  'Dockerfile',
  'docker-compose*.yml',
];
/** The largest count a key without an upper limit accepts. */
export const MAX = Number.MAX_SAFE_INTEGER;

export const wholeNumber = (min: number, max: number | null): KeyCase['refuses'] => [
  [
    String(min - 1),
    max === null
      ? `must be a whole number ${min} or more, found ${min - 1}`
      : `must be a whole number from ${min} to ${max}, found ${min - 1}`,
  ],
  ...(max === null ? [] : ([[String(max + 1), `from ${min} to ${max}, found ${max + 1}`]] as [string, string][])),
  [`${min}.5`, `expected a whole number, found ${min}.5; use a whole number without a fraction`],
  [`"${min}"`, `expected a whole number, found the string "${min}"; remove the quotes`],
  ['[1]', 'expected a whole number, found a list'],
  ['.inf', 'found infinity'],
];

export const nullableWholeNumber = (min: number): KeyCase['refuses'] => [
  [String(min - 1), `must be a whole number ${min} or more, found ${min - 1}`],
  [String(MAX + 2), `at most ${MAX}`],
  ['2.5', 'expected a whole number or null, found 2.5'],
  ['yes', 'expected a whole number or null, found the string "yes"'],
];

export const stringList = (): KeyCase['refuses'] => [
  ['"a, b"', 'expected a list, found the string "a, b"; write a list'],
  ['[a, 1]', 'expected a string, found 1; put it in quotes'],
  ['[a, ""]', 'must not be empty'],
  ['[a, "  "]', 'must not be blank'],
  ['{a: 1}', 'expected a list, found a mapping'],
];

/** The file for one key and value, with the line the key is on. */
function fileWith(scope: Scope, key: string, value: string | null): { text: string; line: number; column: number } {
  const entry = value === null ? [] : [`${key}: ${value}`];
  switch (scope) {
    case 'v0': {
      const lines = key === 'test_command' ? ['max_retries: 3', ...entry] : ['test_command: npm test', ...entry];
      return { text: `${lines.join('\n')}\n`, line: lines.length, column: key.length + 3 };
    }
    case 'v1': {
      const lines =
        key === 'test_command'
          ? ['schema_version: 1', ...entry]
          : ['schema_version: 1', 'test_command: npm test', ...entry];
      return { text: `${lines.join('\n')}\n`, line: lines.length, column: key.length + 3 };
    }
    default: {
      // The Governor's block gets another key first, so that it is never empty ({} is disabled);
      // the others are written as {} when the key is left out (every default).
      const filler =
        scope !== 'release_governor' ? [] : [key === 'enabled' ? '  approval_mode: environment' : '  enabled: true'];
      const block =
        entry.length === 0 && filler.length === 0
          ? [`${scope}: {}`]
          : [`${scope}:`, ...filler, ...entry.map((l) => `  ${l}`)];
      const lines = ['schema_version: 1', 'test_command: npm test', ...block];
      return { text: `${lines.join('\n')}\n`, line: lines.length, column: key.length + 5 };
    }
  }
}

function loaded(scope: Scope, text: string): Record<string, unknown> {
  const result = parse(text);
  const config = result.config as BootyConfigV0 | BootyConfigV1;
  if (scope !== 'v0' && scope !== 'v1') return result.services[scope].settings as unknown as Record<string, unknown>;
  return config as unknown as Record<string, unknown>;
}

function pathOf(scope: Scope, key: string): string {
  return scope === 'v0' || scope === 'v1' ? key : `${scope}.${key}`;
}

/** The tests of every case: its default (or that it is required), each value it accepts, each it refuses. */
export function describeKeyCases(cases: KeyCase[]): void {
  describe.each(cases.map((c) => [`${c.scope} ${c.key}`, c] as const))('%s', (_name, c) => {
    if (c.default !== undefined) {
      it(`defaults to ${JSON.stringify(c.default)}`, () => {
        const { text } = fileWith(c.scope, c.key, null);
        expect(loaded(c.scope, text)[c.key]).toEqual(c.default);
      });
    } else {
      it('is required', () => {
        const { text } = fileWith(c.scope, c.key, null);
        const error = parseError('CONFIG_SCHEMA', text);
        expect(error.issues).toEqual([
          expect.objectContaining({
            path: '',
            message: expect.stringContaining(`missing required key \`${c.key}\``),
            file: FILE,
            line: 1,
            column: 1,
          }),
        ]);
      });
    }

    it.each(c.accepts)('accepts %s', (yamlValue, expected) => {
      const { text } = fileWith(c.scope, c.key, yamlValue);
      expect(loaded(c.scope, text)[c.key]).toEqual(expected);
    });

    it.each(c.refuses)('refuses %s', (yamlValue, fragment) => {
      const { text, line, column } = fileWith(c.scope, c.key, yamlValue);
      const error = parseError('CONFIG_SCHEMA', text);
      expect(error.issues).toHaveLength(1);
      const [issue] = error.issues;
      expect(issue).toMatchObject({ file: FILE, line });
      expect(issue?.path.startsWith(pathOf(c.scope, c.key))).toBe(true);
      expect(issue?.message).toContain(fragment);
      // The value itself (or, for an item in a list, a column after the key).
      expect(issue?.column).toBeGreaterThanOrEqual(column);
    });
  });
}
