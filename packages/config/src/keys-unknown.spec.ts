// Keys that no schema knows: ignored in v0, errors in v1 wherever they are, with "did you mean"
// or the list of known keys. Apart from the keys' own cases (keys-*.spec.ts) because the rule is
// about the file's shape, not any one key.
import { FILE, parse, parseError, v1 } from '../test/helpers';
import { PROTECTED } from '../test/key-cases';
import type { BootyConfigV1 } from './types';

describe('unknown keys', () => {
  it('are ignored in v0, as the first loader did', () => {
    const result = parse(
      'test_command: npm test\ntimeout_seconds: 5\nrelease_governor:\n  enabled: true\nwhatever: [1]\n',
    );
    expect(result.config).toEqual({
      schema_version: 0,
      test_command: 'npm test',
      timeout: 300,
      max_retries: 3,
      protected_paths: PROTECTED,
    });
    expect(result.releaseGovernor.state).toBe('absent');
  });

  it('are errors in v1 at the top, pointing at the key, with a suggestion', () => {
    const error = parseError('CONFIG_SCHEMA', v1('tets_command: x', 'timeout: 30'));
    expect(error.issues).toEqual([
      {
        path: 'tets_command',
        message: 'unknown key `tets_command` at the top level; did you mean `test_command`?',
        file: FILE,
        line: 3,
        column: 1,
        suggestion: 'test_command',
      },
      {
        path: 'timeout',
        message: 'unknown key `timeout` at the top level; did you mean `timeout_seconds`?',
        file: FILE,
        line: 4,
        column: 1,
        suggestion: 'timeout_seconds',
      },
    ]);
  });

  it('are errors in release_governor, with "did you mean"', () => {
    const error = parseError('CONFIG_SCHEMA', v1('release_governor:', '  enabeld: true'));
    expect(error.issues).toEqual([
      {
        path: 'release_governor.enabeld',
        message: 'unknown key `enabeld` in release_governor; did you mean `enabled`?',
        file: FILE,
        line: 4,
        column: 3,
        suggestion: 'enabled',
      },
    ]);
  });

  it('list the known keys when nothing is close', () => {
    const error = parseError('CONFIG_SCHEMA', v1('release_governor:', '  colour: blue'));
    expect(error.issues[0]?.message).toBe(
      'unknown key `colour` in release_governor; remove it (known keys: enabled, production_environment_name, ' +
        'require_approval_for_first_deploy, high_risk_paths, migration_paths, deploy_workflow_name, ' +
        'deploy_workflow_ref, ' +
        'cooldown_minutes, max_deploys_per_hour, approval_mode, approval_label, approval_command, medium_risk_paths, ' +
        'verification_workflow_name); if a newer booty reads it, booty 0.1.0 skips it with `--allow-newer-keys`',
    );
    expect(error.issues[0]?.suggestion).toBeUndefined();
  });

  it('say so when a release_governor key is written at the top level', () => {
    const error = parseError('CONFIG_SCHEMA', v1('cooldown_minutes: 10'));
    expect(error.issues[0]?.message).toContain('it belongs under release_governor');
  });

  it('are errors in any nested mapping (release_governor inside labels is just a label)', () => {
    const result = parse(v1('labels:', '  release_governor: x'));
    expect((result.config as BootyConfigV1).labels).toEqual({ release_governor: 'x' });
  });
});
