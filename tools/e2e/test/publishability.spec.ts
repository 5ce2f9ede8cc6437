// Can each workspace package be published as it stands? Each is packed for real (`npm pack`, the
// tarball npm would upload), and that tarball is what the ecosystem's own checkers read: publint
// (the manifest against the files it ships) and arethetypeswrong (its types in every resolution
// mode TypeScript has: node10, node16 from CommonJS and from ESM, bundler). Both are pinned
// development dependencies and read the tarball offline. No registry needed (registry/*.spec.ts
// publishes and installs for real).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { childEnv, describeRun, repoRoot, run } from './support/run';
import { tarballProblems } from './support/tarball';
import { workspacePackages, type WorkspacePackage } from './support/workspace';

jest.setTimeout(120_000);

const packages = workspacePackages();
const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);

/** attw's strict profile checks each of these; its report names each one it resolved. */
const RESOLUTION_MODES = ['node10', 'node16 (from CJS)', 'node16 (from ESM)', 'bundler'];

interface Packed {
  tarball: string;
  files: string[];
  size: number;
  unpackedSize: number;
}

let packDir: string;
const packed = new Map<string, Packed>();

/** `npm pack` into a temp directory: the real tarball, and npm's own account of what it holds. */
async function pack(pkg: WorkspacePackage): Promise<Packed> {
  const args = ['pack', '--json', '--pack-destination', packDir];
  const result = await run('npm', args, { cwd: pkg.dir, env: childEnv() });
  if (result.code !== 0) throw new Error(`npm pack of ${pkg.name} failed:\n${describeRun(result)}`);
  const [info] = JSON.parse(result.stdout);
  const tarball = path.join(packDir, info.filename);
  return {
    tarball,
    files: info.files.map((file: { path: string }) => file.path),
    size: statSync(tarball).size,
    unpackedSize: info.unpackedSize,
  };
}

function packedOf(pkg: WorkspacePackage): Packed {
  const found = packed.get(pkg.name);
  if (!found) throw new Error(`${pkg.name} was not packed (see the first failure above)`);
  return found;
}

beforeAll(async () => {
  packDir = mkdtempSync(path.join(tmpdir(), 'booty-pack-'));
  for (const pkg of packages) packed.set(pkg.name, await pack(pkg));
});

afterAll(() => {
  if (packed.size > 0) {
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    const rows = [...packed].map(
      ([name, { size, unpackedSize, files }]) =>
        `${name.padEnd(22)} ${kib(size).padStart(10)} packed, ${kib(unpackedSize).padStart(10)} unpacked, ` +
        `${files.length} files`,
    );
    console.log(`npm pack:\n${rows.join('\n')}`);
  }
  if (packDir) rmSync(packDir, { recursive: true, force: true });
});

describe.each(packages.map((pkg) => [pkg.name, pkg] as const))('%s is publishable', (_name, pkg) => {
  const manifest = JSON.parse(readFileSync(path.join(pkg.dir, 'package.json'), 'utf8'));

  it('its tarball ships only built code, types, README, LICENSE (and its declared extras)', () => {
    expect(tarballProblems(manifest, packedOf(pkg).files)).toEqual([]);
  });

  it('publint finds nothing in its tarball, suggestions included', async () => {
    const args = [bin('publint'), 'run', packedOf(pkg).tarball, '--strict', '--level', 'suggestion'];
    const result = await run(process.execPath, args, { env: childEnv() });
    expect(describeRun(result)).toMatch(/^exit 0\n[\s\S]*\nAll good!\n/);
  });

  it('arethetypeswrong finds nothing in its tarball, in every resolution mode', async () => {
    const args = [bin('attw'), packedOf(pkg).tarball, '--profile', 'strict', '--format', 'ascii'];
    args.push('--no-emoji', '--no-color');
    const result = await run(process.execPath, args, { env: childEnv() });
    expect(describeRun(result)).toMatch(/^exit 0\n[\s\S]*No problems found/);
    // Every entry point the manifest exports, resolved in every mode.
    const sections = result.stdout.split('***********************************');
    for (const entry of Object.keys(manifest.exports)) {
      const section = sections.find((part) => part.includes(`"${path.posix.join(pkg.name, entry)}"`));
      const modes = RESOLUTION_MODES.filter((mode) => section?.includes(`\n${mode}: `));
      expect({ entry, modes }).toEqual({ entry, modes: RESOLUTION_MODES });
    }
  });

  it('its manifest says what is public: exports with types first, files, engines, license, repository', () => {
    expect(manifest.private).not.toBe(true);
    expect(manifest.license).toBe('MIT');
    expect(manifest.engines?.node).toMatch(/^>=20/);
    expect(Array.isArray(manifest.files)).toBe(true);
    expect(Object.keys(manifest.exports['.'])[0]).toBe('types');
    expect(manifest.repository?.directory).toBe(path.relative(repoRoot, pkg.dir));
    for (const target of [manifest.main, manifest.types, manifest.exports['.'].types, manifest.exports['.'].default]) {
      expect({ target, exists: existsSync(path.join(pkg.dir, target)) }).toEqual({ target, exists: true });
    }
    for (const bin of Object.values<string>(manifest.bin ?? {})) {
      expect({ bin, exists: existsSync(path.join(pkg.dir, bin)) }).toEqual({ bin, exists: true });
    }
  });

  it('depends on the workspace packages at the versions being published (fixed versioning)', () => {
    for (const [dep, range] of Object.entries(pkg.dependencies).filter(([name]) => name.startsWith('@booty/'))) {
      const inner = packages.find((candidate) => candidate.name === dep);
      // nx release rewrites these ranges; whatever their prefix, they name the version published with them.
      expect({ dep, version: range.replace(/^[\^~=]/, '') }).toEqual({ dep, version: inner?.version });
    }
    expect(new Set(packages.map((candidate) => candidate.version)).size).toBe(1);
  });
});
