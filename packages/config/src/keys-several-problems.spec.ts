// Several problems in one file: every one is reported in the same error, sorted by position.
// Apart from the cases of single keys (keys-*.spec.ts), which each have exactly one problem.
import { FILE, parseError } from '../test/helpers';

describe('several problems', () => {
  it('are all reported in one error, sorted by line and column', () => {
    const text = [
      'schema_version: 1',
      'test_command: "  "',
      'timeout_seconds: 5',
      'release_governor:',
      '  cooldown_minutes: -1',
      '  approval_mode: lable',
      '  enabeld: true',
      'network_policy: deny',
      'max_retries: 1.5',
      '',
    ].join('\n');
    const error = parseError('CONFIG_SCHEMA', text);
    expect(error.issues.map((i) => [i.line, i.path])).toEqual([
      [2, 'test_command'],
      [3, 'timeout_seconds'],
      [5, 'release_governor.cooldown_minutes'],
      [6, 'release_governor.approval_mode'],
      [7, 'release_governor.enabeld'],
      [8, 'network_policy'],
      [9, 'max_retries'],
    ]);
    expect(error.message).toBe(
      `${FILE}:2:15: test_command: must not be blank (only white space); found the string "  " (and 6 more problems)`,
    );
  });
});
