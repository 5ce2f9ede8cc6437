import { FILE, parseError } from '../test/helpers';

// Lines and columns come from the YAML nodes' ranges; these cases pin them down in the styles
// people write.

function where(
  text: string,
  code: 'CONFIG_SCHEMA' | 'CONFIG_YAML' = 'CONFIG_SCHEMA',
): [string, number | null, number | null][] {
  return parseError(code, text).issues.map((i) => [i.path, i.line, i.column]);
}

describe('issue positions', () => {
  it('point at the value for a bad value, and at the key for an unknown key', () => {
    expect(where('schema_version: 1\ntest_command: x\ntimeout_seconds:   7\nbogus: 1\n')).toEqual([
      ['timeout_seconds', 3, 20],
      ['bogus', 4, 1],
    ]);
  });

  it('follow comments and blank lines', () => {
    expect(
      where('# header\n\nschema_version: 1   # v1\n\n# test\ntest_command: x\n\n\nmax_retries: 11 # too many\n'),
    ).toEqual([['max_retries', 9, 14]]);
  });

  it('work in nested block mappings and lists', () => {
    const text = [
      'schema_version: 1',
      'test_command: x',
      'release_governor:',
      '  high_risk_paths:',
      '    - ok/**',
      '    - 5',
      '    - ""',
      '',
    ].join('\n');
    expect(where(text)).toEqual([
      ['release_governor.high_risk_paths.1', 6, 7],
      ['release_governor.high_risk_paths.2', 7, 7],
    ]);
  });

  it('work in flow style', () => {
    expect(
      where(
        'schema_version: 1\ntest_command: x\nrelease_governor: {enabled: true, cooldown_minutes: -3, nope: 1}\nprotected_paths: [a, 7]\n',
      ),
    ).toEqual([
      ['release_governor.cooldown_minutes', 3, 53],
      ['release_governor.nope', 3, 57],
      ['protected_paths.1', 4, 22],
    ]);
  });

  it('work with CRLF line endings', () => {
    expect(where('schema_version: 1\r\ntest_command: x\r\nmax_retries: 0\r\n')).toEqual([['max_retries', 3, 14]]);
  });

  it('count columns in characters after non-ASCII text', () => {
    expect(where('schema_version: 1\ntest_command: x\nlabels: {"é✓": 1}\n')).toEqual([['labels.é✓', 3, 16]]);
  });

  it('work for quoted keys and multi-line values', () => {
    const text = ['schema_version: 1', 'test_command: >-', '  npm', '  test', '"max_retries": "3"', ''].join('\n');
    expect(where(text)).toEqual([['max_retries', 5, 16]]);
  });

  it('point at the mapping for a missing key', () => {
    expect(where('\n\nschema_version: 1\nmax_retries: 2\n')).toEqual([['', 3, 1]]);
  });

  it('point where the parser found the YAML error', () => {
    // `b` cannot be followed by a more indented `c: d`: the parser reports it at `b`.
    expect(where('test_command: x\nlabels:\n  a: b\n   c: d\n', 'CONFIG_YAML')[0]).toEqual(['', 3, 6]);
  });

  it('carry the file path on every issue', () => {
    for (const issue of parseError('CONFIG_SCHEMA', 'schema_version: 1\nx: 1\n').issues) expect(issue.file).toBe(FILE);
  });
});
