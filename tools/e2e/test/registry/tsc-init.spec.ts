// A TypeScript project as `tsc --init` (TypeScript 6.0, the repository's) makes it, with the four
// packages installed from the local registry (support/deploy.ts): it compiles against them as it
// is, and the addition each package README's install section gives (@types/node, "types": ["node"])
// makes their Node types real.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { tsc } from '../support/consumers';
import { deployed, usingDeploy } from '../support/deploy';
import { describeRun, repoRoot } from '../support/run';
import { workspacePackages } from '../support/workspace';

// Every step here is a real npm, node or tsc process; the limit only stops a hung one.
jest.setTimeout(120_000);

const packages = workspacePackages();
const site = usingDeploy('tsc-init');
const { sh } = site;

describe('a TypeScript project made with tsc --init', () => {
  let dir: string;
  const names = packages.map((pkg) => `${pkg.name}@${pkg.version}`);
  const rootManifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const typesNode = rootManifest.devDependencies['@types/node'];
  const tscInit = (...args: string[]) => sh(process.execPath, [tsc, ...args], dir);

  beforeAll(async () => {
    deployed(site.deploy);
    dir = await mkdtemp(path.join(site.work, 'tsc-init-'));
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
