// `nx release` is how maintainers cut versions (tools/deploy/README.md): the packages are
// versioned together, with changelogs, and a dry run changes nothing. Runs the real Nx.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { childEnv, describeRun, repoRoot, run } from './support/run';
import { workspacePackages } from './support/workspace';

// Nx computes the project graph and reads git history; the limit only stops a hung run.
jest.setTimeout(180_000);

const packages = workspacePackages();
const env = childEnv({ NX_DAEMON: 'false' });

/** What a release would touch: manifests, changelogs, the lockfile. */
async function releaseFilesStatus(): Promise<string> {
  const result = await run('git', ['status', '--porcelain', '--', 'package-lock.json', 'CHANGELOG.md', 'packages/*/package.json', 'packages/*/CHANGELOG.md']);
  return result.stdout;
}

describe('nx release', () => {
  it('is configured for every workspace package, fixed versioning, changelogs at the root and per package', () => {
    const release = JSON.parse(readFileSync(path.join(repoRoot, 'nx.json'), 'utf8')).release;
    expect([...release.projects].sort()).toEqual(packages.map((pkg) => pkg.name).sort());
    expect(release.projectsRelationship).toBe('fixed');
    expect(release.releaseTag.pattern).toBe('v{version}');
    expect(release.changelog.workspaceChangelog).toBeTruthy();
    expect(release.changelog.projectChangelogs).toBeTruthy();
  });

  it('nx release --dry-run runs without prompting and changes nothing', async () => {
    const before = await releaseFilesStatus();
    const result = await run('npx', ['nx', 'release', '--dry-run'], { env });
    expect(describeRun(result)).toMatch(/^exit 0\n/);
    expect(`${result.stdout}${result.stderr}`).toContain('The "dryRun" flag means no changes were made.');
    expect(await releaseFilesStatus()).toBe(before);
  });

  it('a version bump moves every package and the internal pins together, with a changelog entry each', async () => {
    const before = await releaseFilesStatus();
    const result = await run('npx', ['nx', 'release', '9.9.9', '--dry-run', '--skip-publish'], { env });
    expect(describeRun(result)).toMatch(/^exit 0\n/);
    for (const pkg of packages) {
      const dir = path.relative(repoRoot, pkg.dir);
      expect(result.stdout).toContain(`${pkg.name} ✍️  New version 9.9.9 written to manifest: ${dir}/package.json`);
      expect(result.stdout).toContain(`Previewing an entry in ${dir}/CHANGELOG.md for v9.9.9`);
      const internal = Object.keys(pkg.dependencies).filter((name) => name.startsWith('@booty/')).length;
      if (internal > 0) {
        expect(result.stdout).toContain(`${pkg.name} ✍️  Updated ${internal} dependenc${internal === 1 ? 'y' : 'ies'} in manifest: ${dir}/package.json`);
      }
    }
    expect(result.stdout).toContain('Previewing an entry in CHANGELOG.md for v9.9.9');
    expect(result.stdout).toContain('Skipped publishing packages.');
    expect(await releaseFilesStatus()).toBe(before);
  });
});
