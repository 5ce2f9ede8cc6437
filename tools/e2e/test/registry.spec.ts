// Registry end to end: a local verdaccio on 127.0.0.1 (storage in a temp directory, no uplink
// for @booty/*, everything else proxied to the normal registry), the deploy script publishing this
// workspace to it (twice: the second run only skips), then each package installed alone into an
// empty directory and used the way its users will. Install sizes and dependency counts are
// printed at the end and written to tmp/registry-e2e.json.
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fixtureRepo } from './support/git-fixture';
import { declaredNodeLines, installNodeLines } from './support/node-lines';
import { startRegistry, type LocalRegistry } from './support/registry';
import { childEnv, describeRun, repoRoot, run, type RunResult } from './support/run';
import { tarballProblems } from './support/tarball';
import { packageNamed, workspacePackages, type WorkspacePackage } from './support/workspace';

// Every step here is a real npm, node or tsc process; the limit only stops a hung one.
jest.setTimeout(120_000);

const publishScript = path.join(repoRoot, 'tools', 'deploy', 'publish.mjs');
const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const packages = workspacePackages();

// Build tools that must never reach a user's install.
const DEV_ONLY = [
  'typescript',
  'jest',
  'ts-jest',
  'nx',
  'eslint',
  'typescript-eslint',
  'fast-check',
  '@types/jest',
  '@types/lockfile',
  'tslib',
];

// The consumers of the packages, the same for every test that runs them.
const CONSUMER_CJS = `const { loadBootyConfig, ConfigError } = require('@booty/config');
(async () => {
  const loaded = await loadBootyConfig(process.argv[2]);
  let failure = null;
  try {
    await loadBootyConfig(process.argv[3]);
  } catch (error) {
    failure = { isConfigError: error instanceof ConfigError, code: error.code, line: error.issues[0].line, path: error.issues[0].path };
  }
  console.log(JSON.stringify({ path: loaded.path, test: loaded.config.test_command, failure }));
})();
`;
const CONSUMER_MJS = `import { loadBootyConfig, ConfigError } from '@booty/config';
const loaded = await loadBootyConfig(process.argv[2]);
console.log(JSON.stringify({ load: typeof loadBootyConfig, error: typeof ConfigError, path: loaded.path }));
`;
const CONSUMER_TS = `import { loadBootyConfig, ConfigError, type LoadedBootyConfig } from '@booty/config';
export async function where(dir: string): Promise<string | null> {
  const loaded: LoadedBootyConfig = await loadBootyConfig(dir, { env: {} });
  return loaded.path;
}
export function codeOf(error: unknown): string | null {
  return error instanceof ConfigError ? error.code : null;
}
`;
const CONSUMER_MTS = `import { loadBootyConfig, type ConfigIssue } from '@booty/config';
const loaded = await loadBootyConfig('.');
const path: string | null = loaded.path;
const issues: ConfigIssue[] = [];
export { path, issues };
`;
const CLAIM_CJS = `const { openReleaseStore } = require('@booty/release-state');
(async () => {
  const store = await openReleaseStore({ stateDir: process.argv[2] });
  const result = await store.deliveries.claim({ repo: 'booty/governor', headSha: '${'a'.repeat(40)}', deliveryId: process.argv[3] });
  const state = await store.readState();
  console.log(JSON.stringify({ claimed: result.claimed, winner: result.record.deliveryId, current: state.production_sha_current }));
})();
`;

let work: string;
let registry: LocalRegistry | undefined;
let env: NodeJS.ProcessEnv;
let head: string;
let firstDeploy: RunResult | undefined;
let secondDeploy: RunResult | undefined;

interface InstallRow {
  package: string;
  version: string;
  installBytes: number;
  diskKiB: number;
  packages: number;
  dependencies: number;
  runtimeDependencies: string[];
}
const installs = new Map<string, InstallRow & { dir: string }>();

async function sh(
  command: string,
  args: string[],
  cwd: string,
  extra: Record<string, string> = {},
): Promise<RunResult> {
  return run(command, args, { cwd, env: { ...env, ...extra } });
}

function deployed(): RunResult {
  if (!firstDeploy || firstDeploy.code !== 0) {
    throw new Error(
      `the deploy to the local registry failed, so nothing can be installed from it:\n${firstDeploy ? describeRun(firstDeploy) : 'it did not run'}`,
    );
  }
  return firstDeploy;
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await dirBytes(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}

/** npm install <name>@<version> into a new empty directory; records its size and package count. */
async function installAlone(pkg: WorkspacePackage): Promise<string> {
  deployed();
  const existing = installs.get(pkg.name);
  if (existing) return existing.dir;
  const dir = await mkdtemp(path.join(work, `install-${pkg.name.replace(/\W/g, '-')}-`));
  await writeFile(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2)}\n`,
  );
  const result = await sh('npm', ['install', `${pkg.name}@${pkg.version}`, '--no-audit', '--no-fund'], dir);
  if (result.code !== 0)
    throw new Error(`npm install ${pkg.name}@${pkg.version} from ${registry?.url} failed\n${describeRun(result)}`);
  const lock = JSON.parse(await readFile(path.join(dir, 'node_modules', '.package-lock.json'), 'utf8'));
  const installed = Object.keys(lock.packages).filter((key) => key.startsWith('node_modules/'));
  const manifest = JSON.parse(await readFile(path.join(dir, 'node_modules', pkg.name, 'package.json'), 'utf8'));
  installs.set(pkg.name, {
    dir,
    package: pkg.name,
    version: pkg.version,
    installBytes: await dirBytes(path.join(dir, 'node_modules')),
    diskKiB: Number((await sh('du', ['-sk', 'node_modules'], dir)).stdout.split('\t')[0]),
    packages: installed.length,
    dependencies: installed.length - 1,
    runtimeDependencies: Object.keys(manifest.dependencies ?? {}).sort(),
  });
  return dir;
}

/** `npm ls --omit=dev --all` of an install lists the package and exactly its runtime dependencies. */
async function expectOnlyRuntimeDependencies(pkg: WorkspacePackage): Promise<void> {
  const dir = await installAlone(pkg);
  const ls = await sh('npm', ['ls', '--omit=dev', '--all', '--json'], dir);
  expect({ code: ls.code, stderr: ls.stderr }).toEqual({ code: 0, stderr: '' });
  const tree = JSON.parse(ls.stdout);
  expect(Object.keys(tree.dependencies)).toEqual([pkg.name]);
  const own = tree.dependencies[pkg.name];
  expect(own.version).toBe(pkg.version);
  // An optional peer (pg for @booty/release-state) is listed by npm ls as {} and not installed.
  const manifest = JSON.parse(await readFile(path.join(pkg.dir, 'package.json'), 'utf8'));
  const optionalPeers = Object.keys(manifest.peerDependenciesMeta ?? {}).filter(
    (name) => manifest.peerDependenciesMeta[name]?.optional === true,
  );
  for (const name of optionalPeers) {
    expect({
      name,
      listed: own.dependencies?.[name] ?? {},
      installed: existsSync(path.join(dir, 'node_modules', name)),
    }).toEqual({ name, listed: {}, installed: false });
  }
  const installed = Object.keys(own.dependencies ?? {}).filter((name) => !optionalPeers.includes(name));
  expect(installed.sort()).toEqual(Object.keys(pkg.dependencies).sort());
  const names = new Set<string>();
  const walk = (node: { dependencies?: Record<string, unknown> }) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      names.add(name);
      walk(child as { dependencies?: Record<string, unknown> });
    }
  };
  walk(tree);
  expect(DEV_ONLY.filter((name) => names.has(name) || [...names].some((n) => n.startsWith('@nx/')))).toEqual([]);
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'booty-registry-e2e-'));
  // The uplink is whatever registry this machine normally uses.
  const uplink = (await run('npm', ['config', 'get', 'registry'], { env: process.env, cwd: work })).stdout.trim();
  registry = await startRegistry({ uplink, dir: path.join(work, 'registry') });
  env = childEnv({
    NPM_CONFIG_USERCONFIG: registry.npmrc,
    npm_config_registry: registry.url,
    npm_config_cache: path.join(work, 'npm-cache'),
    NX_DAEMON: 'false',
  });
  head = (await run('git', ['rev-parse', 'HEAD'], { cwd: repoRoot })).stdout.trim();
  // --allow-dirty: a developer runs this test on uncommitted work; the refusal itself is tested
  // in deploy-script.spec.ts.
  firstDeploy = await sh(process.execPath, [publishScript, '--allow-dirty'], repoRoot, { DEPLOY_SHA: head });
  if (firstDeploy.code === 0) {
    secondDeploy = await sh(process.execPath, [publishScript, '--allow-dirty'], repoRoot, {
      DEPLOY_SHA: head.slice(0, 12),
    });
  }
}, 420_000);

afterAll(async () => {
  await registry?.stop();
  if (installs.size > 0) {
    const rows = [...installs.values()].map(({ dir: _dir, ...row }) => row);
    const lines = rows.map(
      (row) =>
        `${row.package.padEnd(22)} ${row.version.padEnd(8)} ${(row.installBytes / 1024).toFixed(0).padStart(6)} KiB (du ${String(row.diskKiB).padStart(5)} KiB)  ` +
        `${String(row.dependencies).padStart(3)} dependencies (${row.packages} packages)  runtime deps: ${row.runtimeDependencies.join(', ') || 'none'}`,
    );
    console.log(`Installed alone from the local registry (node_modules: apparent size, du -sk):\n${lines.join('\n')}`);
    mkdirSync(path.join(repoRoot, 'tmp'), { recursive: true });
    writeFileSync(path.join(repoRoot, 'tmp', 'registry-e2e.json'), `${JSON.stringify({ head, rows }, null, 2)}\n`);
  }
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

describe('deploy to a local registry', () => {
  it('publishes every package at HEAD, dependencies before dependents', async () => {
    const result = deployed();
    const lines = result.stdout.split('\n');
    const at = (name: string) => lines.findIndex((line) => line.startsWith(`published ${name}@`));
    for (const pkg of packages) {
      expect(lines).toContain(`published ${pkg.name}@${pkg.version} to ${registry?.url}`);
    }
    for (const pkg of packages) {
      for (const dep of Object.keys(pkg.dependencies).filter((name) => name.startsWith('@booty/'))) {
        expect({ dep, before: pkg.name, ok: at(dep) < at(pkg.name) }).toEqual({ dep, before: pkg.name, ok: true });
      }
    }
    expect(result.stdout).toContain(`deploy ${head}: ${packages.length} published, 0 skipped`);
    for (const pkg of packages) {
      const response = await fetch(new URL(pkg.name.replace('/', '%2f'), registry?.url));
      const packument = (await response.json()) as any;
      expect(packument['dist-tags'].latest).toBe(pkg.version);
      // npm records the commit it published from: the deploy's SHA.
      expect(packument.versions[pkg.version].gitHead).toBe(head);
    }
  });

  it('a second run publishes nothing and prints a skipped line for every package', () => {
    deployed();
    expect(secondDeploy?.code).toBe(0);
    for (const pkg of packages) {
      expect(secondDeploy?.stdout).toContain(
        `skipped ${pkg.name}@${pkg.version}: already on ${registry?.url} (published from ${head.slice(0, 12)})`,
      );
    }
    expect(secondDeploy?.stdout).toContain(`0 published, ${packages.length} skipped`);
    expect(secondDeploy?.stdout).not.toMatch(/^building /m);
  });

  it('a registry that refuses the publish stops the deploy with a clear error and a non-zero exit', async () => {
    const fixture = await fixtureRepo('1.0.0');
    try {
      const badrc = path.join(fixture.root, '..', `${path.basename(fixture.root)}.npmrc`);
      const host = new URL(registry?.url ?? '').host;
      await writeFile(badrc, `registry=${registry?.url}\n//${host}/:_authToken=not-a-token-this-registry-issued\n`);
      const refused = await sh(
        process.execPath,
        [publishScript, '--root', fixture.root, '--skip-build'],
        fixture.root,
        {
          DEPLOY_SHA: fixture.head,
          NPM_CONFIG_USERCONFIG: badrc,
        },
      );
      await rm(badrc, { force: true });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('DEPLOY_PUBLISH_REFUSED');
      expect(refused.stderr).toMatch(/refused @booty\/e2e-fixture@1\.0\.0 \(npm E40[13]/);
      expect(refused.stderr).toContain('rerunning is safe');
      expect(refused.stdout).not.toMatch(/^published /m);
      // With credentials it goes through, and then it is a harmless skip.
      const accepted = await sh(
        process.execPath,
        [publishScript, '--root', fixture.root, '--skip-build'],
        fixture.root,
        { DEPLOY_SHA: fixture.head },
      );
      expect({ code: accepted.code, out: accepted.stdout }).toEqual({
        code: 0,
        out: expect.stringContaining('published @booty/e2e-fixture@1.0.0'),
      });
      const again = await sh(process.execPath, [publishScript, '--root', fixture.root, '--skip-build'], fixture.root, {
        DEPLOY_SHA: fixture.head,
      });
      expect({ code: again.code, out: again.stdout }).toEqual({
        code: 0,
        out: expect.stringContaining('skipped @booty/e2e-fixture@1.0.0: already on'),
      });
    } finally {
      await rm(fixture.root, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('published tarballs', () => {
  it('hold only built code, types, README, LICENSE (and the CLI bin and config schema)', async () => {
    deployed();
    const problems: string[] = [];
    for (const pkg of packages) {
      const result = await sh('npm', ['pack', `${pkg.name}@${pkg.version}`, '--dry-run', '--json'], work);
      expect({ pkg: pkg.name, code: result.code }).toEqual({ pkg: pkg.name, code: 0 });
      const [info] = JSON.parse(result.stdout);
      const manifest = JSON.parse(await readFile(path.join(pkg.dir, 'package.json'), 'utf8'));
      problems.push(
        ...tarballProblems(
          manifest,
          info.files.map((file: { path: string }) => file.path),
        ),
      );
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

describe('@booty/cli installed alone', () => {
  let dir: string;
  let home: string;
  const cli = packageNamed('@booty/cli');

  beforeAll(async () => {
    dir = await installAlone(cli);
    home = await mkdtemp(path.join(work, 'home-'));
  }, 180_000);

  const booty = (...args: string[]) => sh('npx', ['--no', '--', 'booty', ...args], dir, { HOME: home });

  it('npx booty --version prints the published version', async () => {
    const result = await booty('--version');
    expect({ code: result.code, stdout: result.stdout.trim() }).toEqual({
      code: 0,
      stdout: expect.stringContaining(cli.version),
    });
  });

  it('npx booty governor status in a workspace without .booty.yml: disabled, and nothing is written', async () => {
    const workspace = await mkdtemp(path.join(work, 'workspace-bare-'));
    const result = await booty('governor', 'status', '--workspace', workspace);
    expect({ code: result.code, first: result.stdout.split('\n')[0] }).toEqual({
      code: 0,
      first: 'Governor: disabled',
    });
    expect(await readdir(workspace)).toEqual([]);
    expect(existsSync(path.join(home, '.booty'))).toBe(false);
  });

  it('npx booty governor status in a workspace whose .booty.yml enables it: enabled, release.json skeleton created', async () => {
    const workspace = await mkdtemp(path.join(work, 'workspace-enabled-'));
    const stateDir = path.join(work, 'state-enabled');
    await writeFile(
      path.join(workspace, '.booty.yml'),
      ['schema_version: 1', 'test_command: npm test', 'release_governor:', '  enabled: true', ''].join('\n'),
    );
    const result = await booty('governor', 'status', '--workspace', workspace, '--state-dir', stateDir);
    expect({ code: result.code, first: result.stdout.split('\n')[0] }).toEqual({ code: 0, first: 'Governor: enabled' });
    expect(result.stdout).toMatch(/production_sha_current:\s+\(none\)/);
    const state = JSON.parse(await readFile(path.join(stateDir, 'release.json'), 'utf8'));
    expect(state.production_sha_current).toBeNull();
    const json = await booty('governor', 'status', '--workspace', workspace, '--state-dir', stateDir, '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ enabled: true, state: { production_sha_current: null } });
  });

  it('npm ls --omit=dev lists only its runtime dependencies', async () => {
    await expectOnlyRuntimeDependencies(cli);
  });
});

describe('@booty/config installed alone', () => {
  let dir: string;
  let good: string;
  let bad: string;
  const config = packageNamed('@booty/config');

  beforeAll(async () => {
    dir = await installAlone(config);
    good = path.join(dir, 'good');
    bad = path.join(dir, 'bad');
    await mkdir(good);
    await mkdir(bad);
    await writeFile(path.join(good, '.booty.yml'), 'schema_version: 1\ntest_command: npm test\n');
    await writeFile(path.join(bad, '.booty.yml'), 'schema_version: 1\ntest_command: npm test\ntimeout_seconds: 5\n');
  }, 180_000);

  it('works from a CommonJS require, with typed errors', async () => {
    await writeFile(path.join(dir, 'consumer.cjs'), CONSUMER_CJS);
    const result = await sh(process.execPath, ['consumer.cjs', good, bad], dir);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      path: path.join(good, '.booty.yml'),
      test: 'npm test',
      failure: { isConfigError: true, code: 'CONFIG_SCHEMA', line: 3, path: 'timeout_seconds' },
    });
  });

  it('works from an ESM import, with named exports', async () => {
    await writeFile(path.join(dir, 'consumer.mjs'), CONSUMER_MJS);
    const result = await sh(process.execPath, ['consumer.mjs', good], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({
      load: 'function',
      error: 'function',
      path: path.join(good, '.booty.yml'),
    });
  });

  it('ships its JSON Schema as @booty/config/schema.json', async () => {
    const result = await sh(
      process.execPath,
      ['-e', "const s = require('@booty/config/schema.json'); console.log(typeof s === 'object' && s !== null)"],
      dir,
    );
    expect({ code: result.code, stdout: result.stdout.trim() }).toEqual({ code: 0, stdout: 'true' });
  });

  it('types resolve for TypeScript consumers (a CommonJS .ts and an ESM .mts, module nodenext)', async () => {
    await writeFile(path.join(dir, 'consumer-types.ts'), CONSUMER_TS);
    await writeFile(path.join(dir, 'consumer-types.mts'), CONSUMER_MTS);
    const result = await sh(process.execPath, [tsc, ...tscFlags(), 'consumer-types.ts', 'consumer-types.mts'], dir);
    expect(describeRun(result)).toMatch(/^exit 0\n/);
  });

  it('the types are real: a wrong use in a consumer is a type error', async () => {
    await writeFile(
      path.join(dir, 'consumer-wrong.mts'),
      `import { loadBootyConfig } from '@booty/config';
const loaded = await loadBootyConfig('.');
export const n: number = loaded.path;
`,
    );
    const result = await sh(process.execPath, [tsc, ...tscFlags(), 'consumer-wrong.mts'], dir);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(
      /consumer-wrong\.mts\(3,14\): error TS2322: Type 'string \| null' is not assignable to type 'number'/,
    );
  });

  it('npm ls --omit=dev lists only its runtime dependencies', async () => {
    await expectOnlyRuntimeDependencies(config);
  });
});

function tscFlags(): string[] {
  return [
    '--noEmit',
    '--strict',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    '--types',
    'node',
    '--typeRoots',
    path.join(repoRoot, 'node_modules', '@types'),
  ];
}

describe('@booty/release-state installed alone', () => {
  let dir: string;
  const releaseState = packageNamed('@booty/release-state');

  beforeAll(async () => {
    dir = await installAlone(releaseState);
    await writeFile(path.join(dir, 'claim.cjs'), CLAIM_CJS);
  }, 180_000);

  it('claims a delivery exactly once across processes', async () => {
    const stateDir = path.join(work, 'state-claims');
    const first = await sh(process.execPath, ['claim.cjs', stateDir, 'delivery-1'], dir);
    const second = await sh(process.execPath, ['claim.cjs', stateDir, 'delivery-2'], dir);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(JSON.parse(first.stdout)).toEqual({ claimed: true, winner: 'delivery-1', current: null });
    expect(JSON.parse(second.stdout)).toEqual({ claimed: false, winner: 'delivery-1', current: null });
    expect(existsSync(path.join(stateDir, 'release.json'))).toBe(true);
  });

  it('npm ls --omit=dev lists only its runtime dependencies', async () => {
    await expectOnlyRuntimeDependencies(releaseState);
  });
});

describe('@booty/governor installed alone', () => {
  const governor = packageNamed('@booty/governor');

  it('loads from require and ESM import with its contract functions', async () => {
    const dir = await installAlone(governor);
    const names = "['isGovernorEnabled','loadGovernor','handleWorkflowRun'].map((n) => typeof m[n]).join(',')";
    const cjs = await sh(process.execPath, ['-e', `const m = require('@booty/governor'); console.log(${names})`], dir);
    const esm = await sh(
      process.execPath,
      ['--input-type=module', '-e', `import * as m from '@booty/governor'; console.log(${names})`],
      dir,
    );
    expect([cjs.stdout.trim(), esm.stdout.trim()]).toEqual([
      'function,function,function',
      'function,function,function',
    ]);
  }, 180_000);

  it('npm ls --omit=dev lists only its runtime dependencies', async () => {
    await expectOnlyRuntimeDependencies(governor);
  }, 180_000);
});

describe("the CLI README's install block, as written", () => {
  it('npm install --save-dev @booty/cli, then each npx booty command it shows', async () => {
    deployed();
    const readme = await readFile(path.join(packageNamed('@booty/cli').dir, 'README.md'), 'utf8');
    const block = /^```sh\n(npm install --save-dev @booty\/cli[\s\S]*?)^```/m.exec(readme)?.[1] ?? '';
    const lines = block.split('\n').filter((line) => line.trim() !== '');
    expect(lines.map((line) => line.replace(/#.*$/, '').trim())).toEqual([
      'npm install --save-dev @booty/cli',
      'npx booty config validate',
      'npx booty config show',
      'npx booty governor status',
      'npx booty state check',
      'npx booty verifier run',
    ]);
    const project = await mkdtemp(path.join(work, 'readme-install-'));
    const home = await mkdtemp(path.join(work, 'readme-home-'));
    const manifest = { name: 'app', version: '1.0.0', private: true };
    await writeFile(path.join(project, 'package.json'), `${JSON.stringify(manifest)}\n`);
    const config = ['schema_version: 1', 'test_command: node -e 0', 'release_governor:', '  enabled: true', ''];
    await writeFile(path.join(project, '.booty.yml'), config.join('\n'));
    const statuses: { line: string; code: number | null }[] = [];
    for (const line of lines) {
      const result = await sh('bash', ['-c', line], project, { HOME: home });
      statuses.push({ line, code: result.code });
      if (result.code !== 0) console.log(`${line}\n${describeRun(result)}`);
    }
    // governor status creates the store (enabled), so state check finds it healthy.
    expect(statuses).toEqual(lines.map((line) => ({ line, code: 0 })));
  }, 300_000);
});

// A TypeScript project as `tsc --init` (TypeScript 6.0, the repository's) makes it, with the four
// packages installed from the registry: it compiles against them as it is, and the addition each
// package README's install section gives (@types/node, "types": ["node"]) makes their Node types real.
describe('a TypeScript project made with tsc --init', () => {
  let dir: string;
  const names = packages.map((pkg) => `${pkg.name}@${pkg.version}`);
  const rootManifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const typesNode = rootManifest.devDependencies['@types/node'];
  const tscInit = (...args: string[]) => sh(process.execPath, [tsc, ...args], dir);

  beforeAll(async () => {
    deployed();
    dir = await mkdtemp(path.join(work, 'tsc-init-'));
    const manifest = { name: 'consumer', version: '1.0.0', private: true, type: 'module' };
    await writeFile(path.join(dir, 'package.json'), `${JSON.stringify(manifest)}\n`);
    const installed = await sh('npm', ['install', ...names, '--no-audit', '--no-fund'], dir);
    if (installed.code !== 0) throw new Error(`npm install ${names.join(' ')} failed\n${describeRun(installed)}`);
    const init = await tscInit('--init');
    if (init.code !== 0) throw new Error(`tsc --init failed\n${describeRun(init)}`);
    // What a user's code does with each package, without Node's own globals.
    await writeFile(
      path.join(dir, 'index.ts'),
      `import { loadBootyConfig, ConfigError } from '@booty/config';
import { openReleaseStore, resolveStateDir, StateError } from '@booty/release-state';
import { loadGovernor, handleWorkflowRun } from '@booty/governor';
import { runCli } from '@booty/cli';
const loaded = await loadBootyConfig('.', { env: {} });
const store = await openReleaseStore({ stateDir: resolveStateDir({ env: {} }) });
const governor = await loadGovernor({ workspace: '.' });
const version: number = await runCli(['--version']);
export const seen: [string | null, string, boolean, unknown, number, string, string] =
  [loaded.path, store.kind, governor.enabled, handleWorkflowRun, version, ConfigError.name, StateError.name];
`,
    );
  }, 300_000);

  it('tsc --init writes what the READMEs say: "types": [] and skipLibCheck', async () => {
    const tsconfig = await readFile(path.join(dir, 'tsconfig.json'), 'utf8');
    expect(tsconfig).toMatch(/^\s*"types": \[\],$/m);
    expect(tsconfig).toMatch(/^\s*"skipLibCheck": true,$/m);
  });

  it('compiles against the four packages as tsc --init leaves it', async () => {
    expect(describeRun(await tscInit('-p', '.', '--noEmit'))).toMatch(/^exit 0\n/);
  });

  it("as it is, Node-typed options are silently any; with the README's addition they are checked", async () => {
    const load = "import { loadBootyConfig } from '@booty/config';\n";
    await writeFile(path.join(dir, 'env.ts'), `${load}await loadBootyConfig('.', { env: 42 });\n`);
    expect(describeRun(await tscInit('-p', '.', '--noEmit'))).toMatch(/^exit 0\n/);

    const snippets = await Promise.all(
      packages.map(async (pkg) => {
        const readme = await readFile(path.join(pkg.dir, 'README.md'), 'utf8');
        const install = readme.includes('`npm install --save-dev @types/node`');
        expect({ pkg: pkg.name, install }).toEqual({ pkg: pkg.name, install: true });
        return /^```json\n(\{ "compilerOptions": [^\n]*)\n```/m.exec(readme)?.[1];
      }),
    );
    expect(new Set(snippets).size).toBe(1);
    const addition = JSON.parse(snippets[0] ?? '{}').compilerOptions;
    expect(addition).toEqual({ types: ['node'] });
    const installed = await sh('npm', ['install', '--save-dev', `@types/node@${typesNode}`, '--no-audit'], dir);
    expect(describeRun(installed)).toMatch(/^exit 0\n/);
    const file = path.join(dir, 'tsconfig.json');
    const tsconfig = await readFile(file, 'utf8');
    await writeFile(file, tsconfig.replace(/"types": \[\]/, `"types": ${JSON.stringify(addition.types)}`));

    const checked = await tscInit('-p', '.', '--noEmit');
    expect(checked.code).toBe(2);
    const error = /^env\.ts\(2,30\): error TS2322: Type 'number' is not assignable to type '[^']+'\.$/m;
    expect(checked.stdout).toMatch(error);
    await writeFile(path.join(dir, 'env.ts'), `${load}await loadBootyConfig('.', { env: process.env });\n`);
    expect(describeRun(await tscInit('-p', '.', '--noEmit'))).toMatch(/^exit 0\n/);
    expect(describeRun(await tscInit('-p', '.', '--noEmit', '--skipLibCheck', 'false'))).toMatch(/^exit 0\n/);
  }, 300_000);
});

// Every Node line users run (tools/e2e/node-lines): the same installs, run by each line's own
// binary from the npm registry. One describe per line, so a failure names the line.
describe.each(declaredNodeLines().map((line) => [`Node ${line.major}`, line] as const))(
  '%s: the installed packages',
  (_title, line) => {
    let cliDir: string;
    let configDir: string;
    let stateDir: string;
    let home: string;
    let tmp: string;
    let workspace: string;
    let bad: string;

    beforeAll(async () => {
      await installNodeLines();
      cliDir = await installAlone(packageNamed('@booty/cli'));
      configDir = await installAlone(packageNamed('@booty/config'));
      const base = await mkdtemp(path.join(work, `node-${line.major}-`));
      stateDir = path.join(base, 'state');
      home = path.join(base, 'home');
      tmp = path.join(base, 'tmp');
      workspace = path.join(base, 'workspace');
      bad = path.join(base, 'bad');
      for (const dir of [home, tmp, workspace, bad]) await mkdir(dir);
      await writeFile(
        path.join(workspace, '.booty.yml'),
        ['schema_version: 1', 'test_command: npm test', 'release_governor:', '  enabled: true', ''].join('\n'),
      );
      await writeFile(path.join(bad, '.booty.yml'), 'schema_version: 1\ntest_command: npm test\ntimeout_seconds: 5\n');
      await writeFile(path.join(configDir, 'consumer.cjs'), CONSUMER_CJS);
      await writeFile(path.join(configDir, 'consumer.mjs'), CONSUMER_MJS);
      await writeFile(path.join(configDir, 'consumer-types.ts'), CONSUMER_TS);
      await writeFile(path.join(configDir, 'consumer-types.mts'), CONSUMER_MTS);
    }, 300_000);

    // Each line's own TMPDIR, so the code cache the CLI writes there can be looked at.
    const booty = (...args: string[]) =>
      sh(line.node, [path.join(cliDir, 'node_modules', '.bin', 'booty'), ...args], cliDir, { HOME: home, TMPDIR: tmp });
    const cacheFiles = async () => {
      const dir = path.join(tmp, `booty-code-cache-${process.getuid?.()}`);
      return existsSync(dir) ? (await readdir(dir)).sort() : [];
    };

    it(`runs the pinned binary`, async () => {
      const result = await sh(line.node, ['-p', 'process.version'], cliDir);
      expect(result.stdout.trim()).toBe(`v${line.version}`);
    });

    it('booty governor status: enabled, the store created; a second run (from the code cache) prints the same', async () => {
      const first = await booty('governor', 'status', '--workspace', workspace, '--state-dir', stateDir, '--json');
      expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(first.stdout)).toMatchObject({ enabled: true, state: { production_sha_current: null } });
      expect(JSON.parse(await readFile(path.join(stateDir, 'release.json'), 'utf8')).production_sha_current).toBeNull();
      const cached = await cacheFiles();
      expect(cached).toEqual([
        expect.stringMatching(new RegExp(`-v${line.version.replace(/\./g, '\\.')}-x64-governor-status\\.v8cache$`)),
      ]);
      const second = await booty('governor', 'status', '--workspace', workspace, '--state-dir', stateDir, '--json');
      expect({ code: second.code, stdout: second.stdout, stderr: second.stderr }).toEqual({
        code: 0,
        stdout: first.stdout,
        stderr: '',
      });
      expect(await cacheFiles()).toEqual(cached);
    });

    it('booty config validate: 0 for a valid file, 2 with file:line:column for an invalid one', async () => {
      const good = await booty('config', 'validate', '--workspace', workspace);
      expect({ code: good.code, stdout: good.stdout, stderr: good.stderr }).toEqual({
        code: 0,
        stdout: expect.stringMatching(/^valid: /),
        stderr: '',
      });
      const wrong = await booty('config', 'validate', '--workspace', bad);
      expect({ code: wrong.code, stderr: wrong.stderr }).toEqual({
        code: 2,
        stderr: expect.stringContaining(`${path.join(bad, '.booty.yml')}:3:18`),
      });
      expect(wrong.stderr).not.toMatch(/\n\s+at /);
    });

    it("booty --dotenv is booty's own option: Node leaves it alone, a missing file is booty's exit 2, a present one applies", async () => {
      const missing = path.join(path.dirname(stateDir), 'missing.env');
      const refused = await booty('config', 'validate', '--workspace', workspace, '--dotenv', missing);
      expect({ code: refused.code, stderr: refused.stderr }).toEqual({
        code: 2,
        stderr: expect.stringContaining(`--dotenv ${missing} does not exist`),
      });
      const env = path.join(path.dirname(stateDir), 'booty.env');
      await writeFile(env, 'RELEASE_GOVERNOR_COOLDOWN_MINUTES=45\n');
      const applied = await booty(
        'governor',
        'status',
        '--workspace',
        workspace,
        '--state-dir',
        stateDir,
        '--json',
        '--dotenv',
        env,
      );
      expect({ code: applied.code, stderr: applied.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(applied.stdout).overrides).toEqual(['RELEASE_GOVERNOR_COOLDOWN_MINUTES']);
    });

    it("import { runCli } from '@booty/cli' works from ESM, as its types say", async () => {
      const consumer = path.join(cliDir, 'run-cli.mjs');
      await writeFile(
        consumer,
        "import { runCli } from '@booty/cli';\nprocess.exitCode = await runCli(['--version']);\n",
      );
      const result = await sh(line.node, [consumer], cliDir);
      expect({ code: result.code, stdout: result.stdout.trim(), stderr: result.stderr }).toEqual({
        code: 0,
        stdout: packageNamed('@booty/cli').version,
        stderr: '',
      });
    });

    it('a claim through @booty/release-state: exactly one of two processes wins', async () => {
      const dir = await installAlone(packageNamed('@booty/release-state'));
      await writeFile(path.join(dir, 'claim.cjs'), CLAIM_CJS);
      const claims = path.join(path.dirname(stateDir), 'claims');
      const first = await sh(line.node, ['claim.cjs', claims, 'delivery-1'], dir);
      const second = await sh(line.node, ['claim.cjs', claims, 'delivery-2'], dir);
      expect([first.code, first.stderr, second.code, second.stderr]).toEqual([0, '', 0, '']);
      expect(JSON.parse(first.stdout)).toEqual({ claimed: true, winner: 'delivery-1', current: null });
      expect(JSON.parse(second.stdout)).toEqual({ claimed: false, winner: 'delivery-1', current: null });
    });

    it('@booty/config from CommonJS and from ESM', async () => {
      const cjs = await sh(line.node, ['consumer.cjs', workspace, bad], configDir);
      expect({ code: cjs.code, stderr: cjs.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(cjs.stdout)).toEqual({
        path: path.join(workspace, '.booty.yml'),
        test: 'npm test',
        failure: { isConfigError: true, code: 'CONFIG_SCHEMA', line: 3, path: 'timeout_seconds' },
      });
      const esm = await sh(line.node, ['consumer.mjs', workspace], configDir);
      expect({ code: esm.code, stderr: esm.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(esm.stdout)).toEqual({
        load: 'function',
        error: 'function',
        path: path.join(workspace, '.booty.yml'),
      });
    });

    it("@booty/config for TypeScript consumers: the repository's tsc type-checks a .ts and an .mts consumer", async () => {
      const result = await sh(line.node, [tsc, ...tscFlags(), 'consumer-types.ts', 'consumer-types.mts'], configDir);
      expect(describeRun(result)).toMatch(/^exit 0\n/);
    });
  },
);
