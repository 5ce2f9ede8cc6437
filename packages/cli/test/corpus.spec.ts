// Every file in test/corpus is a .booty.yml case. Its expectation is in its first lines
// (`# expect: valid` or `# expect: invalid CODE`, then `# issue: LINE:COL key.path [words]`),
// or in `<case>.expect` for files that cannot hold a comment. A new case is a new file.
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { booty, expectNoStackTrace, workspace } from './booty';

const CORPUS = path.join(__dirname, 'corpus');

interface ExpectedIssue {
  line: number;
  column: number | null;
  path: string | null;
  words: string[];
}
interface Expectation {
  valid: boolean;
  code: string | null;
  issues: ExpectedIssue[];
}

function expectationOf(file: string): Expectation {
  const sidecar = `${file}.expect`;
  const header = readFileSync(existsSync(sidecar) ? sidecar : file, 'latin1');
  const verdict = /^\uFEFF?# expect: (valid|invalid (CONFIG_[A-Z_]+))$/m.exec(header.replace(/^\xEF\xBB\xBF/, ''));
  if (!verdict) throw new Error(`${file}: no "# expect:" line`);
  const issues = [...header.matchAll(/^# issue: (\d+):(\d*)(?: (\S+))?(.*)$/gm)].map((m) => ({
    line: Number(m[1]),
    column: m[2] ? Number(m[2]) : null,
    path: m[3] ?? null,
    words: (m[4] ?? '').trim().split(/\s+/).filter(Boolean),
  }));
  return { valid: verdict[1] === 'valid', code: verdict[2] ?? null, issues };
}

const cases = readdirSync(CORPUS).filter((name) => name.endsWith('.yml')).sort();

test('the corpus has at least 30 cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(30);
});

describe.each(cases)('booty config validate on corpus/%s', (name) => {
  const expected = expectationOf(path.join(CORPUS, name));

  test(expected.valid ? 'is valid: exit 0' : `is invalid: exit 2 with ${expected.code}`, async () => {
    const dir = workspace();
    copyFileSync(path.join(CORPUS, name), path.join(dir, '.booty.yml'));
    const before = readFileSync(path.join(dir, '.booty.yml'));

    const json = await booty(['config', 'validate', '--json'], { cwd: dir });
    const human = await booty(['config', 'validate'], { cwd: dir });
    expectNoStackTrace(json);
    expectNoStackTrace(human);
    expect(readFileSync(path.join(dir, '.booty.yml'))).toEqual(before);
    expect(readdirSync(dir)).toEqual(['.booty.yml']);

    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      error?: { code: string; issues: { path: string; line: number | null; column: number | null; message: string; file: string | null }[] };
    };
    if (expected.valid) {
      expect({ status: json.status, ok: report.ok }).toEqual({ status: 0, ok: true });
      expect(human.status).toBe(0);
      expect(human.stdout).toMatch(/^valid: \.booty\.yml/);
      return;
    }
    expect({ status: json.status, ok: report.ok, code: report.error?.code }).toEqual({ status: 2, ok: false, code: expected.code });
    expect(human.status).toBe(2);
    expect(human.stdout).toBe('');
    const issues = report.error?.issues ?? [];
    expect(issues.length).toBeGreaterThan(0);
    for (const want of expected.issues) {
      const found = issues.find(
        (issue) =>
          issue.line === want.line &&
          (want.column === null || issue.column === want.column) &&
          (want.path === null || (want.path === '(document)' ? issue.path === '' : issue.path === want.path)),
      );
      expect({ want, found: found ?? issues }).toEqual({ want, found: expect.objectContaining({ file: path.join(dir, '.booty.yml') }) });
      for (const word of want.words) expect(found?.message.toLowerCase()).toContain(word.toLowerCase());
      // The human form names the same place: FILE:LINE:COL  key.path  message
      const place = `.booty.yml:${want.line}:${found?.column ?? ''}`;
      expect(human.stderr).toContain(`${place}  ${want.path === '(document)' || found?.path === '' ? '(document)' : found?.path}  `);
    }
  });
});
