// The deploy to a local registry: verdaccio on 127.0.0.1 (storage in a temp directory, no uplink
// for @booty/*, everything else proxied to the normal registry), the deploy script publishing this
// workspace to it (twice: the second run only skips, support/deploy.ts), a registry refusing a
// publish, and what the published tarballs hold.
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { deployed, publishScript, usingDeploy } from '../support/deploy';
import { fixtureRepo } from '../support/git-fixture';
import { tarballProblems } from '../support/tarball';
import { workspacePackages } from '../support/workspace';

// Every step here is a real npm, node or tsc process; the limit only stops a hung one.
jest.setTimeout(120_000);

const packages = workspacePackages();
const site = usingDeploy('deploy');
const { sh } = site;

describe('deploy to a local registry', () => {
  it('publishes every package at HEAD, dependencies before dependents', async () => {
    const { registry, deploy } = site;
    const { head } = deploy;
    const result = deployed(deploy);
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
    const { registry, deploy } = site;
    const { head, second: secondDeploy } = deploy;
    deployed(deploy);
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
    const { registry } = site;
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
    const { deploy, work } = site;
    deployed(deploy);
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
