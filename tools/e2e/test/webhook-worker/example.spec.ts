// examples/webhook-worker as its users get it (support/webhook-worker.ts: installed from the local
// registry with @octokit/webhooks, compiled by tsc with strict and exactOptionalPropertyTypes): the
// issue's consumer compiles against it without a cast, errors are recognised across two installed
// copies, and its README says what is checked here.
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { tsc, typeRoots } from '../support/consumers';
import { describeRun } from '../support/run';
import { example, usingWorkerSite } from '../support/webhook-worker';

jest.setTimeout(120_000);

// The consumer of the issue that asked for this, word for word: it must compile with strict,
// exactOptionalPropertyTypes and no casts, against the installed packages.
const CONSUMER = `import { Webhooks } from '@octokit/webhooks';
import { handleWorkflowRun, loadGovernor } from '@booty/governor';
const webhooks = new Webhooks({ secret: 'x' });
webhooks.on('workflow_run.completed', async ({ payload }) => {
  const g = await loadGovernor({ workspace: '.' });
  if (g.enabled) {
    await g.store.readState();
    g.settings.cooldown_minutes;
    await handleWorkflowRun(payload, g);
  }
});
`;

const site = usingWorkerSite('webhook-example');
const { ready, sh } = site;

describe('the example as installed from the registry', () => {
  it("compiles with strict and exactOptionalPropertyTypes, as does the issue's consumer, without a cast", async () => {
    const dir = ready();
    await writeFile(path.join(dir, 'src', 'consumer.ts'), CONSUMER);
    const result = await sh(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit', ...typeRoots()], dir);
    expect(describeRun(result)).toMatch(/^exit 0\n/);
  });

  it('the consumer does not compile without `if (g.enabled)`: the narrowing is what makes it type-check', async () => {
    const dir = ready();
    await writeFile(path.join(dir, 'src', 'consumer.ts'), CONSUMER.replace('if (g.enabled) {', '{'));
    const result = await sh(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit', ...typeRoots()], dir);
    await rm(path.join(dir, 'src', 'consumer.ts'));
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/consumer\.ts\(\d+,\d+\): error TS18047: 'g\.store' is possibly 'null'/);
    expect(result.stdout).toMatch(/consumer\.ts\(\d+,\d+\): error TS18047: 'g\.settings' is possibly 'null'/);
  });

  it('errors are recognised across two installed copies of the packages, where instanceof is not', async () => {
    const dir = ready();
    const second = path.join(site.work, 'second-copy');
    await mkdir(second);
    await cp(path.join(dir, 'node_modules'), path.join(second, 'node_modules'), { recursive: true });
    const script = `const { createRequire } = require('node:module');
const a = createRequire(${JSON.stringify(path.join(dir, 'x.cjs'))})('@booty/governor');
const b = createRequire(${JSON.stringify(path.join(second, 'x.cjs'))})('@booty/governor');
const caught = async (promise) => promise.then(() => null, (error) => error);
(async () => {
  const yml = (block) => 'schema_version: 1\\ntest_command: x\\nrelease_governor:\\n  ' + block + ': true\\n';
  const url = 'mysql://db.example/booty';
  const state = await caught(b.loadGovernorFromContent({ content: yml('enabled'), file: 'f', url }));
  const config = await caught(b.loadGovernorFromContent({ content: yml('enabeld'), file: 'f' }));
  const payload = await caught(b.handleWorkflowRun({}, { enabled: false, settings: null, store: null }));
  const stateError = new b.StateError('STATE_READ', '/x', 'x');
  console.log(JSON.stringify({
    distinct: a.StateError !== b.StateError && a.ConfigError !== b.ConfigError && a.PayloadError !== b.PayloadError,
    instanceOf: [stateError instanceof a.StateError, config instanceof a.ConfigError, payload instanceof a.PayloadError]
      .map(Boolean),
    checks: [a.isStateError(stateError), a.isConfigError(config), a.isPayloadError(payload)],
    crossed: [a.isStateError(config), a.isConfigError(payload), a.isPayloadError(stateError)],
    thrown: [state && state.code, config && config.code, payload && payload.code],
    stateChecked: a.isStateError(state),
  }));
})();
`;
    await writeFile(path.join(site.work, 'copies.cjs'), script);
    const result = await sh(process.execPath, [path.join(site.work, 'copies.cjs')], site.work);
    expect(describeRun(result)).toMatch(/^exit 0\n/);
    expect(JSON.parse(result.stdout)).toEqual({
      distinct: true,
      instanceOf: [false, false, false],
      checks: [true, true, true],
      crossed: [false, false, false],
      thrown: [expect.stringMatching(/^STATE_/), 'CONFIG_SCHEMA', 'PAYLOAD_INVALID'],
      stateChecked: true,
    });
  });
});

// The example's README promises a few things that are checked here rather than trusted.
describe('examples/webhook-worker/README.md', () => {
  it('names each step of the order and the answers the worker gives', async () => {
    const readme = await readFile(path.join(example, 'README.md'), 'utf8');
    for (const word of ['read', 'filter', 'claim', 'decide', 'record', '202', '409', '401', '400', '503'])
      expect(readme).toContain(word);
  });
});
