// Every file in test/corpus is a .booty.yml case, run through the built `booty`. Its expectation
// is in its first lines (or in `<case>.expect` for files that cannot hold a comment):
//
//   # expect: valid | invalid CODE        `booty config validate` (exit 0, or 2 with CODE); an
//                                         invalid case must fail `booty verifier run` the same way
//   # issue: LINE:COL key.path [words]    an issue of that error, at that place, saying the words
//   # env-issue: VARIABLE key.path [words]  an issue of that error about a variable
//   # env: NAME=value                     a variable set for every run of the case ("JSON" for spaces)
//   # value: key JSON ORIGIN              `booty config show --json`: the key's value and where it
//                                         came from (ORIGIN is matched as a prefix: .booty.yml:12)
//   # governor: STATE | invalid CODE      `booty governor status --json`: exit 0 with that state
//                                         (enabled, disabled, absent, null, empty, ...), or 2 with CODE
//   # governor-warning: CODE BLOCK [words]  a warning `governor status` gives, about that block
//   # allow-newer-keys: valid | invalid CODE  `booty config validate --allow-newer-keys`
//   # warning: CODE BLOCK [words]          a warning of every `config validate` run that passes
//   # warnings: none                       those runs, and `governor status`, give no warning at all
//
// A new case is a new file.
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { booty, cleanEnv, expectNoStackTrace, workspace, type RunResult } from './booty';

const CORPUS = path.join(__dirname, 'corpus');

// The other services' prefixes are words other software uses; no variable of the machine's may
// reach a case (cleanEnv already drops RELEASE_GOVERNOR_*).
const SERVICE_VARIABLE = /^(SECURITY|MEMORY|PLANNER|ARCHITECT|REVIEWER)_/;
function caseEnv(variables: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(cleanEnv()).filter(([name]) => !SERVICE_VARIABLE.test(name)));
  return { ...env, ...variables };
}

interface ExpectedIssue {
  line: number;
  column: number | null;
  path: string | null;
  words: string[];
}
interface Verdict {
  valid: boolean;
  code: string | null;
}
interface ExpectedWarning {
  code: string;
  block: string;
  words: string[];
}
interface Expectation extends Verdict {
  issues: ExpectedIssue[];
  envIssues: { variable: string; path: string; words: string[] }[];
  noWarnings: boolean;
  env: Record<string, string>;
  values: { key: string; json: string; origin: string }[];
  governor: { state: string | null; code: string | null } | null;
  governorWarnings: ExpectedWarning[];
  newerKeys: Verdict | null;
  warnings: ExpectedWarning[];
}
interface Issue {
  path: string;
  line: number | null;
  column: number | null;
  message: string;
  file: string | null;
  variable?: string;
}
interface Warning {
  code: string;
  block?: string;
  message: string;
  issues?: Issue[];
}

const lines = (header: string, name: string): string[] =>
  [...header.matchAll(new RegExp(`^# ${name}: (.*)$`, 'gm'))].map((m) => (m[1] ?? '').trim());
const words = (text: string): string[] => text.split(/\s+/).filter(Boolean);

function verdictOf(text: string): Verdict {
  const match = /^(valid|invalid (CONFIG_[A-Z_]+))$/.exec(text);
  if (!match) throw new Error(`not a verdict: ${text}`);
  return { valid: match[1] === 'valid', code: match[2] ?? null };
}

function warningsOf(texts: string[]): ExpectedWarning[] {
  return texts.map((text) => {
    const [code = '', block = '', ...rest] = words(text);
    return { code, block, words: rest };
  });
}

function expectationOf(file: string): Expectation {
  const sidecar = `${file}.expect`;
  const header = readFileSync(existsSync(sidecar) ? sidecar : file, 'latin1').replace(/^\xEF\xBB\xBF/, '');
  const verdict = lines(header, 'expect')[0];
  if (verdict === undefined) throw new Error(`${file}: no "# expect:" line`);
  const issues = [...header.matchAll(/^# issue: (\d+):(\d*)(?: (\S+))?(.*)$/gm)].map((m) => ({
    line: Number(m[1]),
    column: m[2] ? Number(m[2]) : null,
    path: m[3] ?? null,
    words: words(m[4] ?? ''),
  }));
  // A value in double quotes is JSON, for values with spaces at their ends.
  const env = Object.fromEntries(
    lines(header, 'env').map((text) => {
      const value = text.slice(text.indexOf('=') + 1);
      return [text.slice(0, text.indexOf('=')), value.startsWith('"') ? (JSON.parse(value) as string) : value];
    }),
  );
  const values = lines(header, 'value').map((text) => {
    // The JSON may hold spaces ("Verify main"); the key and the origin do not.
    const parts = words(text);
    return { key: parts[0] ?? '', json: parts.slice(1, -1).join(' '), origin: parts[parts.length - 1] ?? '' };
  });
  const governorLine = lines(header, 'governor')[0];
  const governor =
    governorLine === undefined
      ? null
      : governorLine.startsWith('invalid')
        ? { state: null, code: verdictOf(governorLine).code }
        : { state: governorLine, code: null };
  const newer = lines(header, 'allow-newer-keys')[0];
  const envIssues = lines(header, 'env-issue').map((text) => {
    const [variable = '', key = '', ...rest] = words(text);
    return { variable, path: key, words: rest };
  });
  return {
    ...verdictOf(verdict),
    issues,
    envIssues,
    noWarnings: lines(header, 'warnings').includes('none'),
    env,
    values,
    governor,
    governorWarnings: warningsOf(lines(header, 'governor-warning')),
    newerKeys: newer === undefined ? null : verdictOf(newer),
    warnings: warningsOf(lines(header, 'warning')),
  };
}

const cases = readdirSync(CORPUS)
  .filter((name) => name.endsWith('.yml'))
  .sort();

test('the corpus has at least 118 cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(118);
});

/** The warnings of a run contain one of each expected code and block, saying the words. */
function expectWarnings(found: Warning[], expected: ExpectedWarning[]): void {
  for (const want of expected) {
    const match = found.find((warning) => warning.code === want.code && warning.block === want.block);
    expect({ want, found: match ?? found }).toEqual({ want, found: expect.objectContaining({ code: want.code }) });
    const issues = (match?.issues ?? []).map((issue) => `${issue.variable ?? ''} ${issue.path} ${issue.message}`);
    const text = [match?.message ?? '', ...issues].join('\n').toLowerCase();
    for (const word of want.words)
      expect({ word, text }).toEqual({ word, text: expect.stringContaining(word.toLowerCase()) });
  }
}

function parsed(
  run: RunResult,
): { ok: boolean; error?: { code: string; issues: Issue[] }; warnings?: Warning[] } & Record<string, unknown> {
  expectNoStackTrace(run);
  return JSON.parse(run.stdout) as ReturnType<typeof parsed>;
}

describe.each(cases)('corpus/%s', (name) => {
  const expected = expectationOf(path.join(CORPUS, name));
  const title = expected.valid
    ? 'config validate: valid, exit 0'
    : `config validate: invalid, exit 2 with ${expected.code}`;

  test(title, async () => {
    const dir = workspace();
    copyFileSync(path.join(CORPUS, name), path.join(dir, '.booty.yml'));
    const before = readFileSync(path.join(dir, '.booty.yml'));
    const env = caseEnv(expected.env);
    const run = (args: string[]) => booty(args, { cwd: dir, env });

    const [json, human] = await Promise.all([run(['config', 'validate', '--json']), run(['config', 'validate'])]);
    const report = parsed(json);
    expectNoStackTrace(human);
    if (expected.valid) {
      expect({ status: json.status, ok: report.ok }).toEqual({ status: 0, ok: true });
      expect(human.status).toBe(0);
      expect(human.stdout).toMatch(/^valid: \.booty\.yml/);
      expectWarnings(report.warnings ?? [], expected.warnings);
      if (expected.noWarnings)
        expect({ warnings: report.warnings, stderr: human.stderr }).toEqual({ warnings: [], stderr: '' });
    } else {
      expect({ status: json.status, ok: report.ok, code: report.error?.code }).toEqual({
        status: 2,
        ok: false,
        code: expected.code,
      });
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
        expect({ want, found: found ?? issues }).toEqual({
          want,
          found: expect.objectContaining({ file: path.join(dir, '.booty.yml') }),
        });
        for (const word of want.words) expect(found?.message.toLowerCase()).toContain(word.toLowerCase());
        // The human form names the same place: FILE:LINE:COL  key.path  message
        const place = `.booty.yml:${want.line}:${found?.column ?? ''}`;
        expect(human.stderr).toContain(
          `${place}  ${want.path === '(document)' || found?.path === '' ? '(document)' : found?.path}  `,
        );
      }
      for (const want of expected.envIssues) {
        const found = issues.find((issue) => issue.variable === want.variable && issue.path === want.path);
        expect({ want, found: found ?? issues }).toEqual({
          want,
          found: expect.objectContaining({ file: null, line: null }),
        });
        for (const word of want.words) expect(found?.message.toLowerCase()).toContain(word.toLowerCase());
        expect(human.stderr).toContain(`${want.variable}  ${want.path}  `);
      }
      // The author's side is strict everywhere: the Verifier refuses the file the same way, running nothing.
      const verifier = await run(['verifier', 'run']);
      expectNoStackTrace(verifier);
      expect({ status: verifier.status, said: verifier.stderr.includes(`(${expected.code ?? ''})`) }).toEqual({
        status: 2,
        said: true,
      });
    }

    if (expected.newerKeys !== null) {
      const relaxed = parsed(await run(['config', 'validate', '--allow-newer-keys', '--json']));
      expect(relaxed.ok ? null : relaxed.error?.code).toBe(expected.newerKeys.code);
      if (relaxed.ok) expectWarnings(relaxed.warnings ?? [], expected.warnings);
    }

    if (expected.values.length > 0) {
      const shown = parsed(await run(['config', 'show', '--json'])) as {
        values?: Record<string, { value: unknown; origin: string }>;
      };
      for (const { key, json: value, origin } of expected.values) {
        const entry = shown.values?.[key];
        expect({ key, value: entry?.value }).toEqual({ key, value: JSON.parse(value) as unknown });
        expect({ key, origin: entry?.origin.startsWith(origin) ? origin : entry?.origin }).toEqual({ key, origin });
      }
    }

    if (expected.governor !== null) {
      const status = await run(['governor', 'status', '--json']);
      const result = parsed(status) as ReturnType<typeof parsed> & { reason?: { code: string }; enabled?: boolean };
      if (expected.governor.code === null) {
        expect({ status: status.status, state: result.reason?.code, enabled: result.enabled }).toEqual({
          status: 0,
          state: expected.governor.state,
          enabled: expected.governor.state === 'enabled',
        });
        expectWarnings(result.warnings ?? [], expected.governorWarnings);
        if (expected.noWarnings) expect(result.warnings).toEqual([]);
      } else {
        expect({ status: status.status, code: result.error?.code }).toEqual({
          status: 2,
          code: expected.governor.code,
        });
      }
    }

    // Nothing in the workspace changed (a store, when one is opened, is under the private HOME).
    expect(readFileSync(path.join(dir, '.booty.yml'))).toEqual(before);
    expect(readdirSync(dir)).toEqual(['.booty.yml']);
  });
});
