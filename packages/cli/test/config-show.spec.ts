import { readdirSync } from 'node:fs';
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
    expect(shown.values['release_governor.max_deploys_per_hour']).toEqual({ value: 4, origin: 'RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR' });
    expect(shown.values['release_governor.cooldown_minutes']).toEqual({ value: 30, origin: '.booty.yml:4:3' });
    expect(shown.values['test_command']).toEqual({ value: 'npm test', origin: '.booty.yml:2:1' });
    expect(shown.values['release_governor.approval_mode']).toEqual({ value: expect.any(String), origin: 'default' });
    expect(shown.values['timeout_seconds']).toEqual({ value: expect.any(Number), origin: 'default' });
    expect(shown.ignored).toEqual([]);
    expect(shown.overrides).toEqual(['RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR']);
    // Every value has exactly the two fields, and every origin is one of the three kinds.
    for (const [key, entry] of Object.entries(shown.values as Record<string, { origin: string }>)) {
      expect({ key, fields: Object.keys(entry).sort() }).toEqual({ key, fields: ['origin', 'value'] });
      expect({ key, origin: entry.origin }).toEqual({ key, origin: expect.stringMatching(/^(\.booty\.yml:\d+:\d+|RELEASE_GOVERNOR_[A-Z_]+|default)$/) });
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
    expect(result.stdout).toMatch(/^ {2}release_governor\.max_deploys_per_hour +4 +RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR$/m);
    expect(result.stdout).toMatch(/^ {2}release_governor\.cooldown_minutes +30 +\.booty\.yml:4:3$/m);
    expect(result.stdout).toMatch(/^ {2}test_command +"npm test" +\.booty\.yml:2:1$/m);
    const valueColumn = (lines[1] as string).indexOf('VALUE');
    for (const line of lines.slice(2)) expect({ line, at: line.slice(valueColumn - 2, valueColumn).trim() }).toEqual({ line, at: '' });
  });

  test('unknown and inapplicable RELEASE_GOVERNOR_* names are listed as ignored, in both forms', async () => {
    const dir = workspace({ '.booty.yml': YML });
    const env = cleanEnv({ RELEASE_GOVERNOR_COOLDOWN_MINUTE: '5' });
    const json = JSON.parse((await booty(['config', 'show', '--json'], { cwd: dir, env })).stdout);
    expect(json.ignored).toEqual([expect.objectContaining({ variable: 'RELEASE_GOVERNOR_COOLDOWN_MINUTE', code: 'CONFIG_ENV_UNKNOWN', suggestion: 'RELEASE_GOVERNOR_COOLDOWN_MINUTES' })]);
    expect(json.values['release_governor.cooldown_minutes']).toEqual({ value: 30, origin: '.booty.yml:4:3' });
    const human = await booty(['config', 'show'], { cwd: dir, env });
    expect(human.stdout).toMatch(/Ignored variables:\n {2}RELEASE_GOVERNOR_COOLDOWN_MINUTE is not a known variable/);
  });

  test('an escape sequence in a value is shown escaped', async () => {
    const dir = workspace({ '.booty.yml': 'schema_version: 1\ntest_command: npm test\nlabels:\n  team: "a\\e[2Kb\\u202e"\n' });
    const result = await booty(['config', 'show'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).not.toContain('\u202e');
  });

  test('no .booty.yml: says so, exit 0, writes nothing; an invalid one is exit 2 with its place', async () => {
    const empty = workspace();
    const none = await booty(['config', 'show', '--json'], { cwd: empty });
    expect(none.status).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual({ ok: true, path: null, values: {}, overrides: [], ignored: [] });
    expect(readdirSync(empty)).toEqual([]);

    const bad = workspace({ '.booty.yml': 'schema_version: 1\ntest_command: npm test\ntimeout_seconds: 99999\n' });
    const invalid = await booty(['config', 'show'], { cwd: bad });
    expect(invalid.status).toBe(2);
    expect(invalid.stderr).toMatch(/^\.booty\.yml:3:\d+ {2}timeout_seconds/m);
    expectNoStackTrace(invalid);
  });
});
