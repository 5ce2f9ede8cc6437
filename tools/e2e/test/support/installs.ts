// Each package installed alone from the run's local registry into an empty directory, once per
// run whichever spec file asks first, with its size and dependency count; and what such an install
// must hold. The global teardown prints the sizes and writes them to tmp/registry-e2e.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { deployOnce, deployed, type Deploy } from './deploy';
import { usingLocalRegistry } from './registry';
import { describeRun, repoRoot } from './run';
import { keptValue, oncePerRun, runDir } from './shared-run';
import { workspacePackages, type WorkspacePackage } from './workspace';

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

interface InstallRow {
  package: string;
  version: string;
  installBytes: number;
  diskKiB: number;
  packages: number;
  dependencies: number;
  runtimeDependencies: string[];
}

const installKey = (pkg: { name: string }) => `install-${pkg.name.replace(/\W/g, '-')}`;

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
export async function installAlone(pkg: WorkspacePackage): Promise<string> {
  const installed = await oncePerRun(installKey(pkg), async (): Promise<InstallRow & { dir: string }> => {
    deployed(await deployOnce());
    const registry = await usingLocalRegistry();
    const dir = await mkdtemp(path.join(runDir(), `${installKey(pkg)}-`));
    await writeFile(
      path.join(dir, 'package.json'),
      `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2)}\n`,
    );
    const result = await registry.sh('npm', ['install', `${pkg.name}@${pkg.version}`, '--no-audit', '--no-fund'], dir);
    if (result.code !== 0)
      throw new Error(`npm install ${pkg.name}@${pkg.version} from ${registry.url} failed\n${describeRun(result)}`);
    const lock = JSON.parse(await readFile(path.join(dir, 'node_modules', '.package-lock.json'), 'utf8'));
    const installedKeys = Object.keys(lock.packages).filter((key) => key.startsWith('node_modules/'));
    const manifest = JSON.parse(await readFile(path.join(dir, 'node_modules', pkg.name, 'package.json'), 'utf8'));
    return {
      dir,
      package: pkg.name,
      version: pkg.version,
      installBytes: await dirBytes(path.join(dir, 'node_modules')),
      diskKiB: Number((await registry.sh('du', ['-sk', 'node_modules'], dir)).stdout.split('\t')[0]),
      packages: installedKeys.length,
      dependencies: installedKeys.length - 1,
      runtimeDependencies: Object.keys(manifest.dependencies ?? {}).sort(),
    };
  });
  return installed.dir;
}

/** `npm ls --omit=dev --all` of an install lists the package and exactly its runtime dependencies. */
export async function expectOnlyRuntimeDependencies(pkg: WorkspacePackage): Promise<void> {
  const dir = await installAlone(pkg);
  const ls = await (await usingLocalRegistry()).sh('npm', ['ls', '--omit=dev', '--all', '--json'], dir);
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

/** Prints the sizes of the installs the run made and writes them to tmp/registry-e2e.json. */
export function reportInstalls(): void {
  const rows = workspacePackages()
    .map((pkg) => keptValue<InstallRow & { dir: string }>(installKey(pkg)))
    .filter((row) => row !== undefined)
    .map(({ dir: _dir, ...row }) => row);
  if (rows.length === 0) return;
  const lines = rows.map(
    (row) =>
      `${row.package.padEnd(22)} ${row.version.padEnd(8)} ${(row.installBytes / 1024).toFixed(0).padStart(6)} KiB ` +
      `(du ${String(row.diskKiB).padStart(5)} KiB)  ${String(row.dependencies).padStart(3)} dependencies ` +
      `(${row.packages} packages)  runtime deps: ${row.runtimeDependencies.join(', ') || 'none'}`,
  );
  console.log(`Installed alone from the local registry (node_modules: apparent size, du -sk):\n${lines.join('\n')}`);
  const head = keptValue<Deploy>('deploy')?.head;
  mkdirSync(path.join(repoRoot, 'tmp'), { recursive: true });
  writeFileSync(path.join(repoRoot, 'tmp', 'registry-e2e.json'), `${JSON.stringify({ head, rows }, null, 2)}\n`);
}
