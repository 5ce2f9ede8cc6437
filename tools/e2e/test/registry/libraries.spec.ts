// The libraries installed alone from the local registry (support/deploy.ts) and used the way their
// users will: @booty/config from require, import and TypeScript, a delivery claimed with
// @booty/release-state, @booty/governor's contract functions; each with only its runtime dependencies.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { CLAIM_CJS, CONSUMER_CJS, CONSUMER_MJS, CONSUMER_MTS, CONSUMER_TS, tsc, tscFlags } from '../support/consumers';
import { usingDeploy } from '../support/deploy';
import { expectOnlyRuntimeDependencies, installAlone } from '../support/installs';
import { describeRun } from '../support/run';
import { packageNamed } from '../support/workspace';

// Every step here is a real npm, node or tsc process; the limit only stops a hung one.
jest.setTimeout(120_000);

const site = usingDeploy('libraries');
const { sh } = site;

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

describe('@booty/release-state installed alone', () => {
  let dir: string;
  const releaseState = packageNamed('@booty/release-state');

  beforeAll(async () => {
    dir = await installAlone(releaseState);
    await writeFile(path.join(dir, 'claim.cjs'), CLAIM_CJS);
  }, 180_000);

  it('claims a delivery exactly once across processes', async () => {
    const stateDir = path.join(site.work, 'state-claims');
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
