import { MAX_YAML_DEPTH, MAX_YAML_TOKENS } from './limits';
import type { BootyConfigV1 } from './types';
import { FILE, parse, parseError, v1 } from '../test/helpers';

function bomb(levels: number): string {
  const lines = ['test_command: npm test', 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= levels; i++) {
    const refs = Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ');
    lines.push(`a${i}: &a${i} [${refs}]`);
  }
  return `${lines.join('\n')}\n`;
}

describe('YAML syntax problems (CONFIG_YAML)', () => {
  it('reports a duplicate key at the second key, naming the first line', () => {
    const error = parseError('CONFIG_YAML', 'test_command: a\ntimeout: 30\ntest_command: b\n');
    expect(error.issues).toEqual([
      {
        path: 'test_command',
        message: 'duplicate key `test_command` (first at line 1); keep one of them',
        file: FILE,
        line: 3,
        column: 1,
      },
    ]);
  });

  it('reports duplicate keys nested in release_governor, and keys equal only as text (1 and "1")', () => {
    const error = parseError(
      'CONFIG_YAML',
      v1('release_governor:', '  enabled: true', '  enabled: false', 'labels:', '  1: a', '  "1": b'),
    );
    expect(error.issues.map((i) => [i.line, i.column, i.path])).toEqual([
      [5, 3, 'release_governor.enabled'],
      [8, 3, 'labels.1'],
    ]);
  });

  it('reports a tab used for indentation where it is', () => {
    const error = parseError('CONFIG_YAML', 'test_command: x\nlabels:\n\ta: b\n');
    expect(error.issues[0]).toMatchObject({ file: FILE, line: 3, column: 1 });
    expect(error.issues[0]?.message).toContain(
      'a tab is used for indentation; YAML indents with spaces, so use spaces instead',
    );
  });

  it('reports every syntax error at once, in order', () => {
    const error = parseError('CONFIG_YAML', 'test_command: "unterminated\nlist: [a, b\n');
    expect(error.issues.length).toBeGreaterThanOrEqual(1);
    const lines = error.issues.map((i) => i.line ?? 0);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
    for (const issue of error.issues) expect(issue).toMatchObject({ file: FILE, path: '' });
  });

  it.each([
    ['a nested mapping on one line', 'test_command: a: b\n', 1, 15],
    ['a bad indentation', 'test_command: x\n  timeout: 5\n', 1, 15],
    ['an unclosed flow list (at its bracket)', 'protected_paths: [a, b\ntest_command: x\n', 1, 18],
    ['a second document', 'test_command: x\n---\ntest_command: y\n', 2, 1],
  ])('reports %s with its position', (_name, text, line, column) => {
    const error = parseError('CONFIG_YAML', text);
    expect(error.issues[0]).toMatchObject({ file: FILE, line, column });
  });

  it('refuses custom and non-JSON tags', () => {
    const error = parseError(
      'CONFIG_YAML',
      'test_command: !shell make\ntimeout: !!binary aGk=\nwhen: !!timestamp 2001-12-14\n',
    );
    expect(error.issues.map((i) => [i.line, i.column])).toEqual([
      [1, 15],
      [2, 19],
      [3, 19],
    ]);
    expect(error.issues[1]?.message).toContain('values tagged !!binary are not supported');
  });

  it('refuses an alias to an anchor that does not exist', () => {
    const error = parseError('CONFIG_YAML', 'test_command: *nope\n');
    expect(error.issues[0]).toMatchObject({ path: 'test_command', line: 1, column: 15 });
    expect(error.issues[0]?.message).toContain('refers to no anchor');
  });

  it('refuses a list or mapping used as a key', () => {
    const error = parseError('CONFIG_YAML', 'test_command: x\n? [a, b]\n: c\n');
    expect(error.issues[0]).toMatchObject({ line: 2, column: 3 });
    expect(error.issues[0]?.message).toContain('mapping keys must be plain words or quoted strings');
  });

  it('fails an alias bomb (billion laughs) fast, without expanding it', () => {
    const error = parseError('CONFIG_YAML', bomb(9));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.message).toContain('aliases expand to more than 10,000 values (an alias bomb?)');
  });

  it('expands a few ordinary aliases', () => {
    const result = parse(
      v1(
        'forbidden_paths: &paths [secrets/**, keys/**]',
        'allowed_commands: [make]',
        'max_loc_per_file_pathspec: *paths',
      ),
    );
    const config = result.config as BootyConfigV1;
    expect(config.max_loc_per_file_pathspec).toEqual(['secrets/**', 'keys/**']);
    expect(config.max_loc_per_file_pathspec).not.toBe(config.forbidden_paths);
  });

  it('reports an error inside an aliased value at the alias', () => {
    const error = parseError('CONFIG_SCHEMA', v1('labels: &x {a: b}', 'timeout_seconds: *x'));
    expect(error.issues).toEqual([expect.objectContaining({ path: 'timeout_seconds', line: 4, column: 18 })]);
  });

  it('refuses a recursive alias', () => {
    const error = parseError('CONFIG_YAML', 'test_command: x\nlabels: &a {b: *a}\nprotected_paths: &p [a, *p]\n');
    expect(error.issues).toEqual([
      {
        path: 'labels.b',
        message: 'alias *a refers to a value that contains it; aliases cannot be recursive',
        file: FILE,
        line: 2,
        column: 16,
      },
      {
        path: 'protected_paths.1',
        message: 'alias *p refers to a value that contains it; aliases cannot be recursive',
        file: FILE,
        line: 3,
        column: 25,
      },
    ]);
  });

  it(`refuses nesting deeper than ${MAX_YAML_DEPTH} levels before parsing it`, () => {
    const flow = parseError('CONFIG_YAML', `test_command: x\nlabels: ${'['.repeat(MAX_YAML_DEPTH + 5)}\n`);
    expect(flow.issues[0]?.message).toContain(`nested more than ${MAX_YAML_DEPTH} levels deep`);
    const block = parseError('CONFIG_YAML', `test_command: x\nlabels:${'\n'}${'- '.repeat(MAX_YAML_DEPTH + 5)}x\n`);
    expect(block.issues[0]).toMatchObject({ line: 3 });
  });

  it('refuses deep nesting built from aliases', () => {
    const lines = ['test_command: x', 'a0: &a0 [x]'];
    for (let i = 1; i <= MAX_YAML_DEPTH + 5; i++) lines.push(`a${i}: &a${i} [*a${i - 1}]`);
    const error = parseError('CONFIG_YAML', `${lines.join('\n')}\n`);
    expect(error.issues[0]?.message).toContain('levels deep (through aliases)');
  });

  it('refuses a megabyte of brackets quickly, without running the parser out of memory', () => {
    const error = parseError('CONFIG_YAML', '{'.repeat(1024 * 1024 - 1));
    expect(error.issues[0]).toMatchObject({ line: 1 });
  });

  it(`refuses more than ${MAX_YAML_TOKENS.toLocaleString('en-US')} tokens as too large`, () => {
    const text = `test_command: x\nprotected_paths: [${'a,'.repeat(MAX_YAML_TOKENS)}]\n`;
    const error = parseError('CONFIG_TOO_LARGE', text);
    expect(error.issues[0]?.message).toContain('YAML tokens');
  });

  it('reads YAML 1.2: yes/no/on/off are strings, not booleans', () => {
    const error = parseError('CONFIG_SCHEMA', v1('release_governor:', '  enabled: yes'));
    expect(error.issues[0]?.message).toContain('YAML 1.2 reads yes/no/on/off as strings');
  });
});

describe('__proto__, constructor and prototype keys', () => {
  afterEach(() => {
    // Belt and braces: a failure here must not leak into other tests.
    for (const key of ['polluted', 'enabled', 'test_command'])
      delete (Object.prototype as Record<string, unknown>)[key];
  });

  it('are unknown keys in v1 and pollute nothing', () => {
    const text = v1(
      '__proto__: {polluted: true}',
      'constructor: {prototype: {polluted: true}}',
      'prototype: {polluted: true}',
      'release_governor:',
      '  __proto__: {enabled: true}',
    );
    const error = parseError('CONFIG_SCHEMA', text);
    expect(error.issues.map((i) => i.path)).toEqual([
      '__proto__',
      'constructor',
      'prototype',
      'release_governor.__proto__',
    ]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('are ignored in v0 and do not reach the result or any prototype', () => {
    const result = parse(
      'test_command: npm test\n__proto__: {polluted: true, test_command: evil}\nconstructor: {prototype: {polluted: 1}}\n',
    );
    expect(result.config).toEqual(expect.objectContaining({ test_command: 'npm test' }));
    expect(Object.getPrototypeOf(result.config)).toBe(Object.prototype);
    expect(Object.keys(result.config ?? {})).not.toContain('__proto__');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('cannot make an empty release_governor block look enabled through its prototype', () => {
    // The only key is an unknown one, so v1 refuses the file; the block is never read as enabled.
    const error = parseError('CONFIG_SCHEMA', v1('release_governor: {__proto__: {enabled: true}}'));
    expect(error.issues).toEqual([
      expect.objectContaining({ path: 'release_governor.__proto__', line: 3, column: 20 }),
    ]);
  });

  it('are ordinary label names, kept as own properties of a normal object', () => {
    const result = parse(v1('labels: {__proto__: a, constructor: b, prototype: c}'));
    const labels = (result.config as BootyConfigV1).labels;
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.keys(labels)).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(Object.getOwnPropertyDescriptor(labels, '__proto__')?.value).toBe('a');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('give every mapping in the result a normal prototype', () => {
    const result = parse(v1('release_governor:', '  enabled: true'));
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(result.config)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(result.releaseGovernor.settings)).toBe(Object.prototype);
  });
});
