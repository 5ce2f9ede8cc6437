// `nx release` is how maintainers cut versions (README.md, "Releasing"): the packages are
// versioned together, with changelogs, and a dry run changes nothing. Runs the real Nx, on this
// repository and, to prove the whole flow, in a scratch clone with a few conventional commits.
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { git, gitEnv } from './support/git-fixture';
import { childEnv, describeRun, repoRoot, run } from './support/run';
import { workspacePackages } from './support/workspace';

// Nx computes the project graph and reads git history; the limit only stops a hung run.
jest.setTimeout(180_000);

const packages = workspacePackages();
const env = childEnv({ NX_DAEMON: 'false' });

/** The README's release commands (its "A maintainer cuts a version" block), as written, comments dropped. */
const readmeBlock = /\n {3}```sh\n([\s\S]*?)\n {3}```/.exec(readFileSync(path.join(repoRoot, 'README.md'), 'utf8'));
const readmeCommands = (readmeBlock?.[1] ?? '')
  .split('\n')
  .map((line) => line.replace(/#.*$/, '').trim())
  .filter(Boolean);
const [README_DRY_RUN = '', README_RELEASE = '', README_PUSH = ''] = readmeCommands;
/** Runs a README command line as a shell would. */
const shell = (line: string, cwd: string, extra: NodeJS.ProcessEnv) => run('bash', ['-c', line], { cwd, env: extra });

/** What a release would touch: manifests, changelogs, the lockfile. */
async function releaseFilesStatus(): Promise<string> {
  const result = await run('git', [
    'status',
    '--porcelain',
    '--',
    'package-lock.json',
    'CHANGELOG.md',
    'packages/*/package.json',
    'packages/*/CHANGELOG.md',
  ]);
  return result.stdout;
}

describe('nx release', () => {
  it("is run here with the README's commands: a dry run, the release, the push", () => {
    const commands = ['npx nx release --dry-run', 'npx nx release --skip-publish', 'git push --follow-tags'];
    expect(readmeCommands).toEqual(commands);
  });

  it('is configured for every workspace package, fixed versioning, changelogs at the root and per package', () => {
    const release = JSON.parse(readFileSync(path.join(repoRoot, 'nx.json'), 'utf8')).release;
    expect([...release.projects].sort()).toEqual(packages.map((pkg) => pkg.name).sort());
    expect(release.projectsRelationship).toBe('fixed');
    expect(release.releaseTag.pattern).toBe('v{version}');
    expect(release.changelog.workspaceChangelog).toBeTruthy();
    expect(release.changelog.projectChangelogs).toBeTruthy();
  });

  it('siblings depend on each other by a caret range of the current version, which a release moves', () => {
    // A range npm can deduplicate (two packages that need @booty/config share one copy), moved by
    // every release even when the new version would still match (so a fix cannot lean on an older
    // sibling's code).
    const release = JSON.parse(readFileSync(path.join(repoRoot, 'nx.json'), 'utf8')).release;
    expect(release.version).toMatchObject({ versionPrefix: '^', preserveMatchingDependencyRanges: false });
    for (const pkg of packages) {
      const manifest = JSON.parse(readFileSync(path.join(pkg.dir, 'package.json'), 'utf8'));
      for (const [dep, range] of Object.entries<string>({ ...manifest.dependencies, ...manifest.devDependencies })) {
        if (!dep.startsWith('@booty/')) continue;
        expect({ pkg: pkg.name, dep, range }).toEqual({ pkg: pkg.name, dep, range: `^${pkg.version}` });
      }
    }
  });

  it('nx release --dry-run runs without prompting and changes nothing', async () => {
    const before = await releaseFilesStatus();
    const result = await shell(README_DRY_RUN, repoRoot, env);
    expect(describeRun(result)).toMatch(/^exit 0\n/);
    expect(`${result.stdout}${result.stderr}`).toContain('The "dryRun" flag means no changes were made.');
    expect(await releaseFilesStatus()).toBe(before);
  });

  it('a version bump moves every package and the internal ranges together, with a changelog entry each', async () => {
    const before = await releaseFilesStatus();
    const result = await run('npx', ['nx', 'release', '9.9.9', '--dry-run', '--skip-publish'], { env });
    expect(describeRun(result)).toMatch(/^exit 0\n/);
    for (const pkg of packages) {
      const dir = path.relative(repoRoot, pkg.dir);
      expect(result.stdout).toContain(`${pkg.name} ✍️  New version 9.9.9 written to manifest: ${dir}/package.json`);
      expect(result.stdout).toContain(`Previewing an entry in ${dir}/CHANGELOG.md for v9.9.9`);
      const internal = Object.keys(pkg.dependencies).filter((name) => name.startsWith('@booty/')).length;
      if (internal > 0) {
        expect(result.stdout).toContain(
          `${pkg.name} ✍️  Updated ${internal} dependenc${internal === 1 ? 'y' : 'ies'} in manifest: ${dir}/package.json`,
        );
      }
    }
    expect(result.stdout).toContain('Previewing an entry in CHANGELOG.md for v9.9.9');
    expect(result.stdout).toContain('Skipped publishing packages.');
    expect(await releaseFilesStatus()).toBe(before);
  });
});

/** The commit where the convention begins (tools/deploy/commits.mjs). */
const commitsScript = path.join(repoRoot, 'tools', 'deploy', 'commits.mjs');
const conventionSince = /CONVENTION_SINCE = '([0-9a-f]{40})'/.exec(readFileSync(commitsScript, 'utf8'))?.[1] ?? '';

/** The next version for a bump (fix: patch; feat: minor, a patch on 0.x, as Nx shifts bumps down before 1.0). */
function bumped(version: string, change: 'feat' | 'fix'): string {
  const [major = 0, minor = 0, patch = 0] = version.split('-')[0]?.split('.').map(Number) ?? [];
  return change === 'feat' && major > 0 ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;
}

describe('the release flow, in a scratch clone: the 0.1.0 history, then conventional commits', () => {
  let clone: string;
  let remote: string | undefined;
  const nxEnv = { ...gitEnv, NX_DAEMON: 'false' };
  const current = packages[0]?.version ?? '';
  const first = bumped(current, 'feat');
  const second = bumped(first, 'fix');
  const release = (...args: string[]) =>
    run('npx', ['nx', 'release', '--skip-publish', ...args], { cwd: clone, env: nxEnv });

  /** Appends a line to a file of the clone and commits it with `message`. */
  async function change(file: string, message: string): Promise<void> {
    const full = path.join(clone, file);
    await run('bash', ['-c', `printf '%s\\n' "$1" >> "$2"`, 'append', `// ${message}`, full]);
    await git(clone, 'add', file);
    await git(clone, 'commit', '--quiet', '-m', message);
  }

  beforeAll(async () => {
    clone = await mkdtemp(path.join(tmpdir(), 'booty-release-flow-'));
    await git(tmpdir(), 'clone', '--quiet', '--no-tags', repoRoot, clone);
    // The history main starts from: the commits before the convention (0.1.0, no tag), then all
    // the work since as one chore commit (no bump, hidden from changelogs), taken from this work
    // tree as it is, so that the release set-up under test is the one here, uncommitted or not.
    await git(clone, 'reset', '--quiet', '--soft', conventionSince);
    const listed = await git(repoRoot, 'ls-files', '--cached', '--others', '--exclude-standard', '-z');
    const files = listed.split('\0').filter(Boolean);
    for (const file of files.filter((name) => existsSync(path.join(repoRoot, name)))) {
      await mkdir(path.dirname(path.join(clone, file)), { recursive: true });
      await copyFile(path.join(repoRoot, file), path.join(clone, file));
    }
    await git(clone, 'add', '--all');
    const everything = 'chore(repo): the work since the convention began, as one commit';
    await git(clone, 'commit', '--quiet', '--allow-empty', '-m', everything);
    for (const dir of ['.', ...packages.map((pkg) => path.relative(repoRoot, pkg.dir))]) {
      const modules = path.join(repoRoot, dir, 'node_modules');
      if (existsSync(modules)) await symlink(modules, path.join(clone, dir, 'node_modules'));
    }
    await change('packages/config/src/index.ts', 'feat(config): scratch feature in config');
    await change('packages/cli/src/index.ts', 'fix(cli): scratch fix in cli');
    await change('README.md', 'docs(repo): scratch docs');
  }, 120_000);

  afterAll(async () => {
    if (clone) await rm(clone, { recursive: true, force: true });
    if (remote) await rm(remote, { recursive: true, force: true });
  });

  it(`nx release --dry-run proposes ${first} (from ${current}), changelog entries of new commits only`, async () => {
    const result = await release('--dry-run');
    expect(describeRun(result)).toMatch(/^exit 0\n/);
    for (const pkg of packages) {
      const dir = path.relative(repoRoot, pkg.dir);
      const written = `${pkg.name} ✍️  New version ${first} written to manifest: ${dir}/package.json`;
      expect(result.stdout).toContain(written);
      expect(result.stdout).toContain(`Previewing an entry in ${dir}/CHANGELOG.md for v${first}`);
    }
    expect(result.stdout).toContain('+ - **config:** scratch feature in config');
    expect(result.stdout).toContain('+ - **cli:** scratch fix in cli');
    // Neither the commits before the convention, nor chores and docs, reach a changelog.
    const before = await git(clone, 'log', '-1', '--format=%s', conventionSince);
    expect(result.stdout).not.toContain(before);
    expect(result.stdout).not.toContain('the work since the convention began');
    expect(result.stdout).not.toContain('scratch docs');
    expect(await git(clone, 'status', '--porcelain', '--untracked-files=no')).toBe('');
  });

  it(`nx release --skip-publish writes v${first}: versions, ranges, CHANGELOGs over 0.1.0, commit, tag`, async () => {
    const result = await shell(README_RELEASE, clone, nxEnv);
    expect(describeRun(result)).toMatch(/^exit 0\n/);
    expect(await git(clone, 'log', '-1', '--format=%s')).toBe(`chore(release): v${first}`);
    expect(await git(clone, 'tag', '--points-at', 'HEAD')).toBe(`v${first}`);
    for (const pkg of packages) {
      const dir = path.join(clone, path.relative(repoRoot, pkg.dir));
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      expect({ pkg: pkg.name, version: manifest.version }).toEqual({ pkg: pkg.name, version: first });
      for (const [dep, range] of Object.entries<string>({ ...manifest.dependencies, ...manifest.devDependencies })) {
        if (dep.startsWith('@booty/')) {
          expect({ pkg: pkg.name, dep, range }).toEqual({ pkg: pkg.name, dep, range: `^${first}` });
        }
      }
      const changelog = readFileSync(path.join(dir, 'CHANGELOG.md'), 'utf8');
      expect(changelog.startsWith(`## ${first} (`)).toBe(true);
      expect(changelog.indexOf('\n## 0.1.0 (')).toBeGreaterThan(0);
    }
    const configChangelog = readFileSync(path.join(clone, 'packages', 'config', 'CHANGELOG.md'), 'utf8');
    expect(configChangelog).toContain('- **config:** scratch feature in config');
    // The release commit is in the form the commit check accepts.
    const check = await run(process.execPath, [commitsScript, '--repo', clone], { env: childEnv() });
    expect(describeRun(check)).toMatch(/^exit 0\n/);
  });

  it(`git push --follow-tags takes the release commit and its tag v${first} to the remote`, async () => {
    // The remote: a bare repository standing for GitHub, never the repository under test.
    remote = await mkdtemp(path.join(tmpdir(), 'booty-release-remote-'));
    await git(remote, 'init', '--quiet', '--bare');
    await git(clone, 'remote', 'set-url', 'origin', remote);
    expect(await git(clone, 'remote', 'get-url', 'origin')).toBe(remote);
    // main as the maintainer has it: the branch up to date with the remote before the release.
    await git(clone, 'checkout', '--quiet', '-B', 'main');
    await git(clone, 'push', '--quiet', 'origin', 'HEAD~1:refs/heads/main');
    await git(clone, 'fetch', '--quiet', 'origin');
    await git(clone, 'branch', '--quiet', '--set-upstream-to', 'origin/main');
    const result = await shell(README_PUSH, clone, nxEnv);
    expect(describeRun(result)).toMatch(/^exit 0\n/);
    expect(await git(remote, 'rev-parse', 'main')).toBe(await git(clone, 'rev-parse', 'HEAD'));
    expect(await git(remote, 'tag', '--points-at', 'main')).toBe(`v${first}`);
  });

  it(`after the release, a fix proposes ${second}, with only that fix in the changelog`, async () => {
    await change('packages/release-state/src/index.ts', 'fix(release-state): scratch fix after the release');
    const result = await release('--dry-run');
    expect(describeRun(result)).toMatch(/^exit 0\n/);
    const manifest = 'packages/release-state/package.json';
    const written = `@booty/release-state ✍️  New version ${second} written to manifest: ${manifest}`;
    expect(result.stdout).toContain(written);
    expect(result.stdout).toContain('+ - **release-state:** scratch fix after the release');
    expect(result.stdout).not.toContain('scratch feature in config');
  });
});
