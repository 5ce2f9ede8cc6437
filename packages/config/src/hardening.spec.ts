import { releaseGovernorEnvVariables } from './env-overrides';
import { governor, parse, parseError, v1 } from '../test/helpers';

// Files people actually write, and files an attacker commits: each gets a message in our words,
// at the right place, with nothing of the content echoed that is not config-shaped.

describe('commands with control characters (CONFIG_SCHEMA)', () => {
  test.each([
    ['a NUL', 'test_command: "npm\\0 test"', 'test_command', '\\x00', 4],
    ['a carriage return', 'test_command: "npm test\\rfake: passed"', 'test_command', '\\r', 9],
    ['an escape sequence', 'setup_command: "\\e[2Kmake"', 'setup_command', '\\e', 1],
    ['DEL', 'install_command: "npm ci\\x7f"', 'install_command', '\\x7f', 7],
    ['a C1 control', 'allowed_commands: ["ls\\x9b"]', 'allowed_commands.0', '\\x9b', 3],
  ])('%s in a command is refused, shown escaped, with its position', (_name, line, key, shown, position) => {
    const error = parseError(
      'CONFIG_SCHEMA',
      v1(line).replace('test_command: npm test\n', line.startsWith('test_command') ? '' : 'test_command: npm test\n'),
    );
    const issue = error.issues.find((i) => i.path === key);
    expect(issue?.message).toContain(`holds the control character ${shown} at character ${position}`);
    expect(JSON.stringify(error.issues).includes('\\u00')).toBe(false);
    // eslint-disable-next-line no-control-regex
    expect(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(error.message)).toBe(false);
  });

  test('approval_command from the environment meets the same rule', () => {
    const error = parseError('CONFIG_ENV', governor('enabled: true'), {
      RELEASE_GOVERNOR_APPROVAL_COMMAND: '/deploy\u001b[2K',
    });
    expect(error.issues[0]?.message).toContain('holds the control character \\e');
  });

  test('tabs and line breaks (a block scalar, one command per line) are fine', () => {
    const config = parse('schema_version: 1\ntest_command: |\n  npm ci\n  npm\ttest\n').config;
    expect(config?.test_command).toBe('npm ci\nnpm\ttest');
  });

  test('the accepted values of RELEASE_GOVERNOR_APPROVAL_COMMAND say so', () => {
    expect(releaseGovernorEnvVariables.find((v) => v.key === 'approval_command')?.accepts).toContain(
      'without control characters',
    );
  });
});

describe('outside text in messages is escaped', () => {
  test('a key holding an erase-line sequence and a carriage return', () => {
    const error = parseError('CONFIG_SCHEMA', v1('"\\e[2Kok\\rtimeout_seconds": 1'));
    const text = JSON.stringify(error.issues) + error.message;
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\r');
    expect(error.issues[0]?.path).toBe('\\e[2Kok\\rtimeout_seconds');
    expect(error.issues[0]?.message).toContain('unknown key `\\e[2Kok\\rtimeout_seconds`');
  });

  test('a duplicate key with a bidi override', () => {
    const error = parseError('CONFIG_YAML', v1('"a\u202eb": 1', '"a\u202eb": 2'));
    expect(error.issues[0]?.message).toContain('duplicate key `a\\u{202e}b`');
    expect(JSON.stringify(error.issues)).not.toContain('\u202e');
  });

  test('a long value is cut short with its length', () => {
    const error = parseError('CONFIG_SCHEMA', v1(`network_policy: ${'x'.repeat(5000)}`));
    expect(error.issues[0]?.message).toContain('(5000 characters)');
    expect(error.issues[0]?.message.length).toBeLessThan(400);
  });
});

describe('content that is not config-shaped is never echoed', () => {
  test('an .npmrc with a token: no part of the token in any message', () => {
    const npmrc = '//registry.npmjs.org/:_authToken=npm_SECRETTOKEN0123456789\nalways-auth=true\n';
    const error = parseError('CONFIG_SCHEMA', npmrc);
    expect(JSON.stringify(error.issues) + error.message).not.toContain('SECRET');
    expect(error.issues[0]?.message).toContain('found text (');
  });

  test('a YAML error on foreign content gives positions and our words, not source lines', () => {
    const key =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA: [SECRETBODY\n-----END OPENSSH PRIVATE KEY-----\n';
    const error = parseError('CONFIG_YAML', key);
    expect(JSON.stringify(error.issues) + error.message).not.toMatch(/SECRETBODY|b3BlbnNzaC1rZXkt|OPENSSH/);
    expect(error.issues.every((i) => i.line !== null)).toBe(true);
  });
});

describe('files people actually write', () => {
  test('UTF-16 without a byte order mark is an encoding error, not a schema error', () => {
    for (const [encoding, name] of [
      ['utf16le', 'LE'],
      ['BE', 'BE'],
    ] as const) {
      const le = Buffer.from(v1('release_governor:', '  enabled: true'), 'utf16le');
      const bytes = encoding === 'utf16le' ? le : Buffer.from(le).swap16();
      const error = parseError('CONFIG_ENCODING', bytes);
      expect(error.issues[0]?.message).toContain(`UTF-16 ${name} without a byte order mark`);
      expect(error.issues[0]?.message).toContain('save it as UTF-8');
    }
  });

  test('content after `...` is explained in our words, at the content', () => {
    const error = parseError('CONFIG_YAML', v1('...', 'timeout_seconds: 60'));
    expect(error.issues[0]).toMatchObject({ line: 4, column: 1 });
    expect(error.issues[0]?.message).toContain('content after `...` (the end of the document, line 3)');
    expect(error.message).not.toMatch(/YAML\.|parseAllDocuments|Document/);
  });

  test.each([
    ['[ on the last line', v1('protected_paths: [a, b'), 3, 18, '['],
    ['{ on the last line', v1('labels: {approved: ship-it'), 3, 9, '{'],
    [
      '[ with lines after it',
      'schema_version: 1\nallowed_paths: [src/**,\n  lib/**\ntest_command: npm test\n',
      2,
      16,
      '[',
    ],
  ])('an unclosed %s is reported at the bracket', (_name, text, line, column, char) => {
    const error = parseError('CONFIG_YAML', text);
    expect(error.issues).toContainEqual(
      expect.objectContaining({ line, column, message: expect.stringContaining(`this \`${char}\` is never closed`) }),
    );
    const lines = text.split('\n').length;
    expect(error.issues.every((i) => (i.line ?? 0) <= lines)).toBe(true);
  });

  test.each([
    ['е', 'U+0435 CYRILLIC SMALL LETTER IE', 'enabl\u0435d', 6, 'e'],
    ['а', 'U+0430 CYRILLIC SMALL LETTER A', 'en\u0430bled', 3, 'a'],
    ['ο', 'U+03BF GREEK SMALL LETTER OMICRON', 'c\u03bfoldown_minutes', 2, 'o'],
  ])('a key with the look-alike %s says which character differs', (char, name, key, position, latin) => {
    const error = parseError('CONFIG_SCHEMA', governor(`${key}: true`));
    const expected = key.startsWith('c') ? 'cooldown_minutes' : 'enabled';
    expect(error.issues[0]?.message).toContain(
      `did you mean \`${expected}\`? (\`${char}\` ${name} at position ${position} differs from \`${latin}\``,
    );
    expect(error.issues[0]?.suggestion).toBe(expected);
  });

  test('a key typed with full-width letters (a CJK input method) is recognised and explained', () => {
    const message = parseError('CONFIG_SCHEMA', governor('\uff45nabled: true')).issues[0]?.message;
    expect(message).toContain(
      'did you mean `enabled`? (`ｅ` U+FF45 FULLWIDTH LATIN SMALL LETTER E at position 1 differs from `e`',
    );
  });

  test('a value from a list with a look-alike letter says which character differs too', () => {
    const message = parseError('CONFIG_SCHEMA', governor('approval_mode: l\u0430bel')).issues[0]?.message;
    expect(message).toContain(
      'did you mean `label`? (`а` U+0430 CYRILLIC SMALL LETTER A at position 2 differs from `a`',
    );
  });

  test('an ordinary typo gets no character notes', () => {
    expect(parseError('CONFIG_SCHEMA', governor('enabeld: true')).issues[0]?.message).toMatch(
      /did you mean `enabled`\?$/,
    );
  });
});
