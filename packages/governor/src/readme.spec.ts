import examples from '@octokit/webhooks-examples';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadGovernor } from './governor';
import { readWorkflowRun } from './payload';

// The README is read by worker authors: its examples are run here as written (each `js` block,
// as an ES module importing the built package), and its GovernorStatus example must have the shape
// a real status has, key for key, so the documentation cannot drift from the code.

const packageDir = path.join(__dirname, '..');
const readme = readFileSync(path.join(packageDir, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
const recorded = (examples.find((group) => group.name === 'workflow_run')?.examples ?? []) as unknown as Array<
  Record<string, any>
>;

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'booty-governor-readme-'));
  // The built package as a user's import finds it.
  mkdirSync(path.join(root, 'node_modules', '@booty'), { recursive: true });
  symlinkSync(packageDir, path.join(root, 'node_modules', '@booty', 'governor'), 'dir');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function node(file: string, env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [file], {
    cwd: root,
    env: { PATH: process.env['PATH'], ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function documentedStatus(): Record<string, unknown> {
  const match = /#### `GovernorStatus`[\s\S]*?```json\n([\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error('README has no GovernorStatus JSON example');
  return JSON.parse(match[1]) as Record<string, unknown>;
}

test('the README has the worker example and the content example', () => {
  expect(blocks).toHaveLength(2);
  expect(blocks[0]).toContain('export async function answer(');
  expect(blocks[1]).toContain('loadGovernorFromContent');
});

test('the worker example, as written: read, filter, claim, decide, record, with its answers', () => {
  writeFileSync(path.join(root, 'answer.mjs'), blocks[0] ?? '');
  const workspace = path.join(root, 'workspace');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(
    path.join(workspace, '.booty.yml'),
    'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n',
  );
  // GitHub's recorded run (octo-org/octo-repo, default branch master) made into each case.
  const base = recorded[1];
  const run = (change: Record<string, unknown>, workflow = 'Verify main') => ({
    ...base,
    workflow: { ...base?.['workflow'], name: workflow },
    workflow_run: { ...base?.['workflow_run'], event: 'push', ...change },
  });
  const cases = [
    ['the verification run', 'd-1', run({})],
    ['the same run delivered again', 'd-1', run({})],
    ['a second copy of it', 'd-2', run({})],
    ['another workflow of the same push', 'd-3', run({ head_sha: 'b'.repeat(40) }, 'CodeQL')],
    [
      "a fork's pull request on master",
      'd-4',
      run({ head_sha: 'c'.repeat(40), event: 'pull_request', head_repository: { full_name: 'someone/octo-repo' } }),
    ],
    ['a malformed body', 'd-5', run({ head_sha: 'abc' })],
  ];
  writeFileSync(
    path.join(root, 'drive.mjs'),
    `import { loadGovernor } from '@booty/governor';
import { answer } from './answer.mjs';
const stateDir = ${JSON.stringify(path.join(root, 'state'))};
const governor = await loadGovernor({ workspace: ${JSON.stringify(workspace)}, env: {}, stateDir });
const results = [];
for (const [name, id, payload] of ${JSON.stringify(cases)}) {
  const { status, after } = await answer(governor, id, payload);
  if (after) await after();
  results.push([name, status]);
}
const headSha = ${JSON.stringify(base?.['workflow_run']['head_sha'])};
const record = await governor.store.deliveries.get({ repo: 'octo-org/octo-repo', headSha });
const others = await governor.store.deliveries.count();
await governor.close();
console.log(JSON.stringify({ results, record, others }));
`,
  );
  const result = node('drive.mjs');
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  const { results, record, others } = JSON.parse(result.stdout);
  expect(results).toEqual([
    ['the verification run', 202],
    ['the same run delivered again', 200],
    ['a second copy of it', 200],
    ['another workflow of the same push', 200],
    ["a fork's pull request on master", 200],
    ['a malformed body', 400],
  ]);
  expect(record).toMatchObject({
    deliveryId: 'd-1',
    attempt: 1,
    outcome: 'not-implemented',
    completedAt: expect.any(String),
  });
  expect(others).toBe(1);
});

test('the content example, as written, prints what its comment says', () => {
  writeFileSync(path.join(root, 'content.mjs'), blocks[1] ?? '');
  const result = node('content.mjs', { STATE_DIR: path.join(root, 'content-state') });
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  const promised = /console\.log\(.*\); \/\/ (.*)/.exec(blocks[1] ?? '')?.[1];
  expect(result.stdout.trim()).toBe(promised);
});

test('the GovernorStatus example has the keys of a real status, and the table names each', async () => {
  const workspace = mkdtempSync(path.join(tmpdir(), 'booty-governor-readme-'));
  try {
    writeFileSync(
      path.join(workspace, '.booty.yml'),
      'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n',
    );
    const governor = await loadGovernor({ workspace, env: {}, stateDir: path.join(workspace, 'state') });
    const status = (await governor.status()) as unknown as Record<string, unknown>;
    await governor.close();
    const documented = documentedStatus();
    expect(Object.keys(documented).sort()).toEqual(Object.keys(status).sort());
    expect(Object.keys(documented['store'] as object).sort()).toEqual(Object.keys(status['store'] as object).sort());
    expect(Object.keys(documented['deliveries'] as object).sort()).toEqual(
      Object.keys(status['deliveries'] as object).sort(),
    );
    const settings = documented['settings'] as Record<string, { value: unknown; origin: string }>;
    for (const [key, entry] of Object.entries(settings)) {
      expect(Object.keys((status['settings'] as Record<string, unknown>)[key] as object)).toEqual(Object.keys(entry));
    }
    for (const key of ['store', 'stateDir', 'settings', 'overrides', 'state', 'deliveries', 'advice'])
      expect(readme).toContain(`| \`${key}\` |`);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});

test('the facts table names every fact readWorkflowRun returns, and the rule table every reason', () => {
  for (const fact of Object.keys(readWorkflowRun(recorded[1]))) expect(readme).toContain(`| \`${fact}\` |`);
  for (const reason of ['not-completed', 'other-workflow', 'not-push', 'fork', 'not-default-branch', 'not-success']) {
    expect(readme).toContain(`| \`${reason}\` |`);
  }
});
