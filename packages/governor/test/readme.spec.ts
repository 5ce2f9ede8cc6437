// The README's example, run as written: an ES module, in a workspace with (or without) a
// `.booty.yml`, given one of GitHub's recorded `workflow_run` deliveries as the body it reads.
import examples from '@octokit/webhooks-examples';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const packageDir = path.resolve(__dirname, '..');
const readme = readFileSync(path.join(packageDir, 'README.md'), 'utf8');
const repoRoot = path.resolve(packageDir, '..', '..');

const [example] = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1] as string);
const recorded = examples.find((group) => group.name === 'workflow_run')?.examples ?? [];

let scratch: string;
let script: string;

beforeAll(() => {
  // Inside the repository, so that `import ... from '@booty/governor'` finds the workspace's
  // package as an installed one would be found (ES modules do not read NODE_PATH).
  mkdirSync(path.join(repoRoot, 'tmp'), { recursive: true });
  scratch = mkdtempSync(path.join(repoRoot, 'tmp', 'governor-readme-'));
  script = path.join(scratch, 'example.mjs');
  writeFileSync(script, example ?? '');
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function runIn(files: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const workspace = mkdtempSync(path.join(tmpdir(), 'booty-governor-readme-ws-'));
  const home = mkdtempSync(path.join(tmpdir(), 'booty-governor-readme-home-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(workspace, name), text);
    const result = spawnSync(process.execPath, [script], {
      cwd: workspace,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', HOME: home },
      timeout: 60_000,
    });
    return { status: result.status, stdout: result.stdout.replaceAll(workspace, '<workspace>'), stderr: result.stderr };
  } finally {
    rmSync(workspace, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

describe('the README example', () => {
  const body = JSON.stringify(recorded[0]);

  it('is there, and reads a recorded delivery', () => {
    expect(example).toContain("await readFile('workflow_run.json', 'utf8')");
    expect(recorded.length).toBeGreaterThan(0);
  });

  it('runs in a workspace without .booty.yml: the Governor is disabled, as its comment says', () => {
    expect(runIn({ 'workflow_run.json': body })).toEqual({
      status: 0,
      stdout: 'false there is no <workspace>/.booty.yml\n',
      stderr: '',
    });
  });

  it('runs in a workspace that enables the Governor: the store opens, and closes so the process can end', () => {
    const config = 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n';
    expect(runIn({ '.booty.yml': config, 'workflow_run.json': body })).toEqual({
      status: 0,
      stdout: 'true release_governor is enabled in <workspace>/.booty.yml\n',
      stderr: '',
    });
  });
});
