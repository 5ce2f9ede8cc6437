import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { booty, cleanEnv, expectNoStackTrace, workspace } from './booty';

// Line 4 sets cooldown_minutes (its key at column 3); max_deploys_per_hour is left to its default.
const YML = 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  cooldown_minutes: 30\n  enabled: true\n';

describe('booty config show', () => {
  test('RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR=4: 4 from that variable, file values with their line, defaults as default', async () => {
    const dir = workspace({ '.booty.yml': YML });
    const env = cleanEnv({ RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR: '4' });
    const result = await booty(['config', 'show', '--json'], { cwd: dir, env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const shown = JSON.parse(result.stdout);
    expect(shown.ok).toBe(true);
    expect(shown.values['release_governor.max_deploys_per_hour']).toEqual({
      value: 4,
      origin: 'RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR',
    });
    expect(shown.values['release_governor.cooldown_minutes']).toEqual({ value: 30, origin: '.booty.yml:4:3' });
    expect(shown.values['test_command']).toEqual({ value: 'npm test', origin: '.booty.yml:2:1' });
    expect(shown.values['release_governor.approval_mode']).toEqual({ value: expect.any(String), origin: 'default' });
    expect(shown.values['timeout_seconds']).toEqual({ value: expect.any(Number), origin: 'default' });
    expect(shown.ignored).toEqual([]);
    expect(shown.overrides).toEqual(['RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR']);
    // Every value has exactly the two fields, and every origin is one of the three kinds.
    for (const [key, entry] of Object.entries(shown.values as Record<string, { origin: string }>)) {
      expect({ key, fields: Object.keys(entry).sort() }).toEqual({ key, fields: ['origin', 'value'] });
      expect({ key, origin: entry.origin }).toEqual({
        key,
        origin: expect.stringMatching(/^(\.booty\.yml:\d+:\d+|RELEASE_GOVERNOR_[A-Z_]+|default)$/),
      });
    }
  });

  test('the text form is one aligned row per key: key, value, origin', async () => {
    const dir = workspace({ '.booty.yml': YML });
    const env = cleanEnv({ RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR: '4' });
    const result = await booty(['config', 'show'], { cwd: dir, env });
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Effective configuration of .booty.yml:');
    expect(lines[1]).toMatch(/^ {2}KEY +VALUE +ORIGIN$/);
    expect(result.stdout).toMatch(
      /^ {2}release_governor\.max_deploys_per_hour +4 +RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR$/m,
    );
    expect(result.stdout).toMatch(/^ {2}release_governor\.cooldown_minutes +30 +\.booty\.yml:4:3$/m);
    expect(result.stdout).toMatch(/^ {2}test_command +"npm test" +\.booty\.yml:2:1$/m);
    const valueColumn = (lines[1] as string).indexOf('VALUE');
    for (const line of lines.slice(2))
      expect({ line, at: line.slice(valueColumn - 2, valueColumn).trim() }).toEqual({ line, at: '' });
  });

  test('unknown and inapplicable RELEASE_GOVERNOR_* names are listed as ignored, in both forms', async () => {
    const dir = workspace({ '.booty.yml': YML });
    const env = cleanEnv({ RELEASE_GOVERNOR_COOLDOWN_MINUTE: '5' });
    const json = JSON.parse((await booty(['config', 'show', '--json'], { cwd: dir, env })).stdout);
    expect(json.ignored).toEqual([
      expect.objectContaining({
        variable: 'RELEASE_GOVERNOR_COOLDOWN_MINUTE',
        code: 'CONFIG_ENV_UNKNOWN',
        suggestion: 'RELEASE_GOVERNOR_COOLDOWN_MINUTES',
      }),
    ]);
    expect(json.values['release_governor.cooldown_minutes']).toEqual({ value: 30, origin: '.booty.yml:4:3' });
    const human = await booty(['config', 'show'], { cwd: dir, env });
    expect(human.stdout).toMatch(/Ignored variables:\n {2}RELEASE_GOVERNOR_COOLDOWN_MINUTE is not a known variable/);
  });

  test('an escape sequence in a value is shown escaped', async () => {
    const dir = workspace({
      '.booty.yml': 'schema_version: 1\ntest_command: npm test\nlabels:\n  team: "a\\e[2Kb\\u202e"\n',
    });
    const result = await booty(['config', 'show'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).not.toContain('\u202e');
  });

  test('no .booty.yml: says so, exit 0, writes nothing; an invalid one is exit 2 with its place', async () => {
    const empty = workspace();
    const none = await booty(['config', 'show', '--json'], { cwd: empty });
    expect(none.status).toBe(0);
    const nothing = { ok: true, path: null, values: {}, overrides: [], ignored: [], warnings: [] };
    expect(JSON.parse(none.stdout)).toEqual(nothing);
    expect(readdirSync(empty)).toEqual([]);

    const bad = workspace({ '.booty.yml': 'schema_version: 1\ntest_command: npm test\ntimeout_seconds: 99999\n' });
    const invalid = await booty(['config', 'show'], { cwd: bad });
    expect(invalid.status).toBe(2);
    expect(invalid.stderr).toMatch(/^\.booty\.yml:3:\d+ {2}timeout_seconds/m);
    expectNoStackTrace(invalid);
  });
});

// The .booty.yml of the Python implementation's own repository: security on line 10, its
// fail_severity on line 12; memory.retention_days on line 25; the Governor's block from line 18.
const PYTHON_PROJECT_YML = readFileSync(path.join(__dirname, 'corpus', '039-issue-example.yml'), 'utf8');

describe("booty config show: every service's block", () => {
  test('each key with its origin, in both forms; a variable wins and says so', async () => {
    const dir = workspace({ '.booty.yml': PYTHON_PROJECT_YML });
    const env = cleanEnv({ SECURITY_FAIL_SEVERITY: 'critical', MEMORY_LIMIT: '512m', SECURITY_PROFILE: 'strict' });
    const json = await booty(['config', 'show', '--json'], { cwd: dir, env });
    expect({ status: json.status, stderr: json.stderr }).toEqual({ status: 0, stderr: '' });
    const shown = JSON.parse(json.stdout);
    expect(shown.values['security.fail_severity']).toEqual({ value: 'critical', origin: 'SECURITY_FAIL_SEVERITY' });
    expect(shown.values['security.secret_scanner']).toEqual({ value: 'gitleaks', origin: '.booty.yml:13:3' });
    expect(shown.values['memory.retention_days']).toEqual({ value: 90, origin: '.booty.yml:25:3' });
    const name = shown.values['release_governor.verification_workflow_name'];
    expect(name).toEqual({ value: 'Verify main', origin: '.booty.yml:20:3' });
    expect(shown.values['release_governor.medium_risk_paths'].origin).toBe('default');
    expect(shown.overrides).toEqual(['SECURITY_FAIL_SEVERITY']);
    expect({ ignored: shown.ignored, warnings: shown.warnings }).toEqual({ ignored: [], warnings: [] });

    const human = await booty(['config', 'show'], { cwd: dir, env });
    expect({ status: human.status, stderr: human.stderr }).toEqual({ status: 0, stderr: '' });
    expect(human.stdout).toMatch(/^ {2}security\.fail_severity +"critical" +SECURITY_FAIL_SEVERITY$/m);
    expect(human.stdout).toMatch(/^ {2}memory\.retention_days +90 +\.booty\.yml:25:3$/m);
  });

  test('a bad SECURITY_FAIL_SEVERITY is exit 2 naming the variable, the value and what it accepts', async () => {
    const dir = workspace({ '.booty.yml': PYTHON_PROJECT_YML });
    const result = await booty(['config', 'show'], { cwd: dir, env: cleanEnv({ SECURITY_FAIL_SEVERITY: 'extreme' }) });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'SECURITY_FAIL_SEVERITY  security.fail_severity  the value "extreme" is not one of the allowed values; ' +
        'it accepts low, medium, high, critical\nerror: 1 problem in the configuration (CONFIG_ENV)\n',
    );
    expectNoStackTrace(result);
  });

  test('a service block in a schema_version 0 file is shown as ignored, with its place', async () => {
    const dir = workspace({ '.booty.yml': 'test_command: make test\nsecurity:\n  enabled: true\n' });
    const result = await booty(['config', 'show'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^warning: \.booty\.yml:2:1 {2}security {2}`security` is ignored: a schema_ver/);
    expect(result.stdout).not.toContain('security');
  });
});
