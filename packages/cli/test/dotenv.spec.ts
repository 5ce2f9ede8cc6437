// `--dotenv FILE`: the variables of a .env file, read by the built `booty` as `node --env-file`
// reads them; the real environment wins; a bad file or value is named, its content never shown.
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { booty, cleanEnv, tempDir, workspace } from './booty';

/** Writes `file` and returns its path. */
function written(file: string, content: string | Buffer): string {
  writeFileSync(file, content);
  return file;
}

describe('--dotenv: the variables of a .env file, read as `node --env-file` reads them', () => {
  // The test command prints what it got, one variable a line, so each parsing rule shows.
  const printEach = (names: string[]) => names.map((name) => `printf '%s=[%s]\\n' ${name} "$${name}"`).join('; ');
  const echo = (names: string[]) => `schema_version: 1\ntest_command: ${JSON.stringify(printEach(names))}\n`;

  test('quotes, inline comments, whitespace and export read as Node reads them', async () => {
    const names = [
      'PLAIN',
      'DOUBLE',
      'SINGLE',
      'BACKTICK',
      'COMMENTED',
      'HASH_IN_QUOTES',
      'SPACED',
      'EXPORTED',
      'NEWLINES',
      'EMPTY',
    ];
    const dir = workspace({
      '.booty.yml': echo(names),
      '.env': [
        '# a comment line',
        'PLAIN=plain value',
        'DOUBLE="double quoted"',
        "SINGLE='single quoted'",
        'BACKTICK=`back ticked`',
        'COMMENTED=value # a comment',
        'HASH_IN_QUOTES="a # b"',
        '   SPACED   =   padded   ',
        'export EXPORTED=exported',
        'NEWLINES="one\ntwo"',
        'EMPTY=',
        '',
      ].join('\n'),
    });
    const result = await booty(['verifier', 'run', '--dotenv', '.env'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        'PLAIN=[plain value]',
        'DOUBLE=[double quoted]',
        'SINGLE=[single quoted]',
        'BACKTICK=[back ticked]',
        'COMMENTED=[value]',
        'HASH_IN_QUOTES=[a # b]',
        'SPACED=[padded]',
        'EXPORTED=[exported]',
        'NEWLINES=[one',
        'two]',
        'EMPTY=[]',
        '',
      ].join('\n'),
    );
    // Nothing of the file's content is echoed by booty itself.
    expect(result.stderr).not.toMatch(/plain value|double quoted|exported/);
  });

  test('the real environment wins over the file', async () => {
    const dir = workspace({ '.booty.yml': echo(['FROM_FILE', 'BOTH']), '.env': 'FROM_FILE=file\nBOTH=file\n' });
    const result = await booty(['verifier', 'run', '--dotenv', '.env'], {
      cwd: dir,
      env: cleanEnv({ BOTH: 'environment' }),
    });
    expect(result.stdout).toBe('FROM_FILE=[file]\nBOTH=[environment]\n');
  });

  test('RELEASE_GOVERNOR_* from the file apply, and a bad one names the variable and the file', async () => {
    const dir = workspace({
      '.booty.yml': 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n',
      'governor.env': 'RELEASE_GOVERNOR_ENABLED=false\n',
      'bad.env': 'RELEASE_GOVERNOR_COOLDOWN_MINUTES=soon\n',
    });
    const applied = await booty(['config', 'validate', '--json', '--dotenv', 'governor.env'], { cwd: dir });
    expect(JSON.parse(applied.stdout)).toMatchObject({ ok: true, releaseGovernor: { enabled: false } });
    const human = await booty(['config', 'validate', '--dotenv', 'bad.env'], { cwd: dir });
    expect(human.status).toBe(2);
    expect(human.stderr).toMatch(
      /^RELEASE_GOVERNOR_COOLDOWN_MINUTES \(from --dotenv bad\.env\) {2}release_governor\.cooldown_minutes/m,
    );
    expect(human.stderr).toContain('CONFIG_ENV');
    writeFileSync(path.join(dir, 'typo.env'), 'RELEASE_GOVERNOR_COOLDOWN_MINUTE=5\n');
    const typo = await booty(['config', 'validate', '--dotenv', 'typo.env'], { cwd: dir });
    expect(typo.stderr).toMatch(/^warning: RELEASE_GOVERNOR_COOLDOWN_MINUTE .* \(set by --dotenv typo\.env\)$/m);
    const json = await booty(['config', 'validate', '--json', '--dotenv', 'bad.env'], { cwd: dir });
    const issue = JSON.parse(json.stdout).error.issues[0];
    expect(issue).toMatchObject({ variable: 'RELEASE_GOVERNOR_COOLDOWN_MINUTES', file: path.join(dir, 'bad.env') });
  });

  test.each([
    ['missing', (dir: string) => path.join(dir, 'missing.env'), 'does not exist'],
    ['a directory', (dir: string) => dir, 'is a directory'],
    [
      'not UTF-8',
      (dir: string) => written(path.join(dir, 'latin1.env'), Buffer.from('TOKEN=caf\xe9 s3cr3t\n', 'latin1')),
      'not UTF-8',
    ],
    ['holding a NUL', (dir: string) => written(path.join(dir, 'nul.env'), 'TOKEN=s3cr3t\u0000x\n'), 'NUL'],
  ])('an env file %s is exit 2 naming it, nothing runs, its content never shown', async (_what, make, says) => {
    const dir = workspace({ '.booty.yml': 'schema_version: 1\ntest_command: touch ran\n' });
    const file = make(tempDir());
    for (const args of [
      ['verifier', 'run'],
      ['config', 'validate'],
      ['governor', 'status'],
    ]) {
      const result = await booty([...args, '--dotenv', file], { cwd: dir });
      expect({ args, status: result.status }).toEqual({ args, status: 2 });
      expect(result.stderr).toContain(`--dotenv ${file} `);
      expect(result.stderr).toContain(says);
      expect(result.stderr).toContain('(ENV_FILE)');
      expect(`${result.stdout}${result.stderr}`).not.toContain('s3cr3t');
      if (args[0] !== 'verifier') {
        const json = await booty([...args, '--json', '--dotenv', file], { cwd: dir });
        expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'ENV_FILE', path: file } });
      }
    }
    expect(existsSync(path.join(dir, 'ran'))).toBe(false);
  });
});
