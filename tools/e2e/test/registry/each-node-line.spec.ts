// Every Node line users run (tools/e2e/node-lines): the packages installed alone from the local
// registry (support/installs.ts, the same installs as the other specs), run by each line's own
// binary from the npm registry. One describe per line, so a failure names the line.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { CLAIM_CJS, CONSUMER_CJS, CONSUMER_MJS, CONSUMER_MTS, CONSUMER_TS, tsc, tscFlags } from '../support/consumers';
import { usingDeploy } from '../support/deploy';
import { installAlone } from '../support/installs';
import { declaredNodeLines, installNodeLines } from '../support/node-lines';
import { describeRun } from '../support/run';
import { packageNamed } from '../support/workspace';

// Every step here is a real npm, node or tsc process; the limit only stops a hung one.
jest.setTimeout(120_000);

const site = usingDeploy('node-lines');
const { sh } = site;

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
      const base = await mkdtemp(path.join(site.work, `node-${line.major}-`));
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
