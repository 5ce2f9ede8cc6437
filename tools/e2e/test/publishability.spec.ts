// Can each workspace package be published as it stands? `npm pack --dry-run --json` shows the
// exact file list npm would upload; the manifest must say what is public and point at files that
// exist. No registry needed (registry.spec.ts publishes and installs for real).
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { childEnv, describeRun, repoRoot, run } from './support/run';
import { tarballProblems } from './support/tarball';
import { workspacePackages } from './support/workspace';

jest.setTimeout(60_000);

const packages = workspacePackages();

describe.each(packages.map((pkg) => [pkg.name, pkg] as const))('%s is publishable', (_name, pkg) => {
  const manifest = JSON.parse(readFileSync(path.join(pkg.dir, 'package.json'), 'utf8'));

  it('npm pack --dry-run ships only built code, types, README, LICENSE (and its declared extras)', async () => {
    const result = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: pkg.dir, env: childEnv() });
    expect(describeRun(result)).toMatch(/^exit 0\n/);
    const [info] = JSON.parse(result.stdout);
    expect(info.name).toBe(pkg.name);
    expect(tarballProblems(manifest, info.files.map((file: { path: string }) => file.path))).toEqual([]);
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
