// @booty/cli installed alone from the local registry (support/deploy.ts) and run with npx, and the
// CLI README's install block run as written.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { deployed, usingDeploy } from '../support/deploy';
import { expectOnlyRuntimeDependencies, installAlone } from '../support/installs';
import { describeRun } from '../support/run';
import { packageNamed } from '../support/workspace';

// Every step here is a real npm, node or tsc process; the limit only stops a hung one.
jest.setTimeout(120_000);

const site = usingDeploy('cli');
const { sh } = site;

describe('@booty/cli installed alone', () => {
  let dir: string;
  let home: string;
  const cli = packageNamed('@booty/cli');

  beforeAll(async () => {
    dir = await installAlone(cli);
    home = await mkdtemp(path.join(site.work, 'home-'));
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
    const workspace = await mkdtemp(path.join(site.work, 'workspace-bare-'));
    const result = await booty('governor', 'status', '--workspace', workspace);
    expect({ code: result.code, first: result.stdout.split('\n')[0] }).toEqual({
      code: 0,
      first: 'Governor: disabled',
    });
    expect(await readdir(workspace)).toEqual([]);
    expect(existsSync(path.join(home, '.booty'))).toBe(false);
  });

  it('npx booty governor status in a workspace whose .booty.yml enables it: enabled, release.json skeleton created', async () => {
    const workspace = await mkdtemp(path.join(site.work, 'workspace-enabled-'));
    const stateDir = path.join(site.work, 'state-enabled');
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

describe("the CLI README's install block, as written", () => {
  it('npm install --save-dev @booty/cli, then each npx booty command it shows', async () => {
    deployed(site.deploy);
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
    const project = await mkdtemp(path.join(site.work, 'readme-install-'));
    const home = await mkdtemp(path.join(site.work, 'readme-home-'));
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
