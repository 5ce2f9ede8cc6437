// examples/webhook-worker, as its users get it: the packages published to a local registry, the
// example installed from it with @octokit/webhooks, compiled by tsc (strict,
// exactOptionalPropertyTypes), then two worker processes on one store fed GitHub's recorded
// workflow_run delivery (@octokit/webhooks-examples) made into the events of real pushes: other
// workflows of the same push, duplicates, re-runs, a fork's pull request on a branch named like the
// default one, and a holder killed during its lease. On files and on PostgreSQL.
import examples from '@octokit/webhooks-examples';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeWithPg, startPgServer, type PgServer } from '../../../packages/release-state/test/support/pg-server';
import { startRegistry, type LocalRegistry } from './support/registry';
import { childEnv, describeRun, repoRoot, run, type RunResult } from './support/run';

jest.setTimeout(120_000);

const example = path.join(repoRoot, 'examples', 'webhook-worker');
const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const SECRET = 'webhook-secret-for-the-test';
const recorded = (examples.find((group) => group.name === 'workflow_run')?.examples ?? []) as unknown as Array<
  Record<string, any>
>;

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

let work: string;
let app: string;
let registry: LocalRegistry | undefined;
let env: NodeJS.ProcessEnv;
let installed: RunResult | undefined;
const workers: Worker[] = [];

async function sh(command: string, args: string[], cwd: string): Promise<RunResult> {
  return run(command, args, { cwd, env });
}

function ready(): string {
  if (!installed || installed.code !== 0) {
    throw new Error(
      `the example was not installed and built, so it cannot run:\n${installed ? describeRun(installed) : 'not run'}`,
    );
  }
  return app;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'booty-webhook-worker-'));
  const uplink = (await run('npm', ['config', 'get', 'registry'], { env: process.env, cwd: work })).stdout.trim();
  registry = await startRegistry({ uplink, dir: path.join(work, 'registry') });
  env = childEnv({
    NPM_CONFIG_USERCONFIG: registry.npmrc,
    npm_config_registry: registry.url,
    npm_config_cache: path.join(work, 'npm-cache'),
    NX_DAEMON: 'false',
  });
  const head = (await run('git', ['rev-parse', 'HEAD'], { cwd: repoRoot })).stdout.trim();
  const publish = await sh(
    process.execPath,
    [path.join(repoRoot, 'tools', 'deploy', 'publish.mjs'), '--allow-dirty', '--skip-build', '--sha', head],
    repoRoot,
  );
  if (publish.code !== 0) {
    installed = publish;
    return;
  }
  app = path.join(work, 'app');
  await mkdir(app);
  for (const file of ['package.json', 'tsconfig.json', 'src'])
    await cp(path.join(example, file), path.join(app, file), { recursive: true });
  // The build tools are the repository's own (tsc, @types/node): only the runtime comes from the registry.
  installed = await sh('npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], app);
  if (installed.code === 0) installed = await sh(process.execPath, [tsc, '-p', 'tsconfig.json', ...typeRoots()], app);
}, 420_000);

afterAll(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

function typeRoots(): string[] {
  return ['--typeRoots', path.join(repoRoot, 'node_modules', '@types')];
}

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
    const second = path.join(work, 'second-copy');
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
    await writeFile(path.join(work, 'copies.cjs'), script);
    const result = await sh(process.execPath, [path.join(work, 'copies.cjs')], work);
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

// ---- the workers ----------------------------------------------------------------------------

interface Worker {
  name: string;
  port: number;
  lines: Array<Record<string, unknown>>;
  child: ChildProcess;
  /** Resolves with the first log line (past or future) that matches. */
  waitFor(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  kill(signal?: NodeJS.Signals): void;
}

async function startWorker(
  name: string,
  store: Record<string, string>,
  extra: Record<string, string> = {},
): Promise<Worker> {
  const dir = ready();
  const child = spawn(process.execPath, [path.join(dir, 'dist', 'main.js')], {
    cwd: dir,
    env: childEnv({
      WEBHOOK_SECRET: SECRET,
      BOOTY_WORKSPACE: path.join(work, 'workspace'),
      PORT: '0',
      HOME: work,
      ...store,
      ...extra,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{
    match: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }> = [];
  let stderr = '';
  let buffer = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
      buffer = buffer.slice(newline + 1);
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.match(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`worker ${name} exited (${code ?? signal}):\n${JSON.stringify(lines)}\n${stderr}`)),
    ),
  );
  exited.catch(() => undefined);
  const waitFor = (match: (line: Record<string, unknown>) => boolean) => {
    const found = lines.find(match);
    if (found) return Promise.resolve(found);
    return Promise.race([new Promise<Record<string, unknown>>((resolve) => waiters.push({ match, resolve })), exited]);
  };
  const listening = await waitFor((line) => line['step'] === 'listening');
  const worker: Worker = {
    name,
    port: listening['port'] as number,
    lines,
    child,
    waitFor,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
  workers.push(worker);
  return worker;
}

interface Reply {
  status: number;
  body: Record<string, any>;
}

async function deliver(
  worker: Worker,
  id: string,
  payload: unknown,
  options: { event?: string; secret?: string } = {},
): Promise<Reply> {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac('sha256', options.secret ?? SECRET)
    .update(body)
    .digest('hex')}`;
  const response = await fetch(`http://127.0.0.1:${worker.port}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': options.event ?? 'workflow_run',
      'x-github-delivery': id,
      'x-hub-signature-256': signature,
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const REPO = 'octo-org/octo-repo';
const sha = (digit: string) => digit.repeat(40);

interface RunSpec {
  sha: string;
  workflow?: string;
  workflowId?: number;
  event?: string;
  conclusion?: string | null;
  action?: string;
  attempt?: number;
  runId?: number;
  headRepository?: string;
}

/** GitHub's recorded completed run (octo-org/octo-repo, default branch master), made into the given run. */
function workflowRun(spec: RunSpec): Record<string, any> {
  const payload = JSON.parse(JSON.stringify(recorded[1])) as Record<string, any>;
  const workflow = spec.workflow ?? 'Verify main';
  const workflowId = spec.workflowId ?? (workflow === 'Verify main' ? 2823525 : 2823526);
  payload['action'] = spec.action ?? 'completed';
  payload['workflow'] = {
    ...payload['workflow'],
    id: workflowId,
    name: workflow,
    path: `.github/workflows/${workflowId}.yml`,
  };
  const run = payload['workflow_run'];
  Object.assign(run, {
    id: spec.runId ?? Number(`${workflowId}${spec.sha.slice(0, 3).replace(/\D/g, '1')}`),
    name: workflow,
    workflow_id: workflowId,
    head_sha: spec.sha,
    head_branch: 'master',
    event: spec.event ?? 'push',
    run_attempt: spec.attempt ?? 1,
    conclusion: spec.conclusion === undefined ? 'success' : spec.conclusion,
    status: (spec.action ?? 'completed') === 'completed' ? 'completed' : 'in_progress',
  });
  run['head_repository'] = { ...run['head_repository'], full_name: spec.headRepository ?? REPO };
  return payload;
}

/** The ledger's record of a commit, read through the installed @booty/release-state. */
async function ledger(store: Record<string, string>, headSha: string): Promise<Record<string, any> | null> {
  const script = `const { openReleaseStore, resolveStoreLocation } = require('@booty/release-state');
(async () => {
  const store = await openReleaseStore(resolveStoreLocation({ env: process.env }));
  const record = await store.deliveries.get({ repo: ${JSON.stringify(REPO)}, headSha: process.argv[1] });
  await store.close();
  console.log(JSON.stringify(record));
})();
`;
  const result = await run(process.execPath, ['-e', script, headSha], {
    cwd: ready(),
    env: childEnv({ HOME: work, ...store }),
  });
  if (result.code !== 0) throw new Error(describeRun(result));
  return JSON.parse(result.stdout) as Record<string, any> | null;
}

/** The scenarios, the same on each backend. `store` names it for the workers (one variable). */
function scenarios(storeOf: () => Record<string, string>): void {
  let a: Worker;
  let b: Worker;
  // Every worker of these scenarios, victims included.
  const mine: Worker[] = [];
  const logged = (step: string) => mine.flatMap((worker) => worker.lines.filter((line) => line['step'] === step));

  beforeAll(async () => {
    const workspace = path.join(work, 'workspace');
    await mkdir(workspace, { recursive: true });
    await writeFile(
      path.join(workspace, '.booty.yml'),
      'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n',
    );
    [a, b] = await Promise.all([startWorker('a', storeOf()), startWorker('b', storeOf())]);
    mine.push(a, b);
  }, 120_000);

  afterAll(() => {
    a?.kill();
    b?.kill();
  });

  it('other workflows of the push, unfinished runs and a fork\'s pull request on "master" claim nothing', async () => {
    const replies = await Promise.all([
      deliver(a, 'codeql-1', workflowRun({ sha: sha('1'), workflow: 'CodeQL' })),
      deliver(b, 'verify-1-requested', workflowRun({ sha: sha('1'), action: 'requested', conclusion: null })),
      deliver(a, 'fork-pr', workflowRun({ sha: sha('f'), event: 'pull_request', headRepository: 'someone/octo-repo' })),
      deliver(b, 'fork-push', workflowRun({ sha: sha('f'), headRepository: 'someone/octo-repo' })),
    ]);
    expect(replies.map((reply) => [reply.status, reply.body['ignored']])).toEqual([
      [200, 'other-workflow'],
      [200, 'not-completed'],
      [200, 'not-push'],
      [200, 'fork'],
    ]);
    expect(await ledger(storeOf(), sha('1'))).toBeNull();
    expect(await ledger(storeOf(), sha('f'))).toBeNull();
  });

  it('the verification run, delivered to both workers at once, is claimed and decided once', async () => {
    const payload = workflowRun({ sha: sha('1') });
    const replies = await Promise.all([deliver(a, 'verify-1', payload), deliver(b, 'verify-1', payload)]);
    const statuses = replies.map((reply) => reply.status);
    // One wins (202); the other sees the running lease (409) or, if the work was done, the result (200).
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 202).every((status) => status === 409 || status === 200)).toBe(true);
    const winner = replies[0]?.status === 202 ? a : b;
    await winner.waitFor((line) => line['step'] === 'recorded' && line['delivery'] === 'verify-1');
    expect(await ledger(storeOf(), sha('1'))).toMatchObject({
      deliveryId: 'verify-1',
      attempt: 1,
      outcome: 'not-implemented',
      completedAt: expect.any(String),
    });
  });

  it("another workflow finishing later never takes the verification run's claim; a copy is a duplicate", async () => {
    const later = await deliver(b, 'codeql-1-late', workflowRun({ sha: sha('1'), workflow: 'Security scan' }));
    expect([later.status, later.body['ignored']]).toEqual([200, 'other-workflow']);
    const copy = await deliver(a, 'verify-1-second-hook', workflowRun({ sha: sha('1') }));
    expect(copy).toEqual({ status: 200, body: { duplicate: true, handledBy: 'verify-1', outcome: 'not-implemented' } });
    const redelivery = await deliver(b, 'verify-1', workflowRun({ sha: sha('1') }));
    expect(redelivery.body).toMatchObject({ duplicate: true, handledBy: 'verify-1' });
    expect(await ledger(storeOf(), sha('1'))).toMatchObject({ deliveryId: 'verify-1', attempt: 1 });
  });

  it("re-runs: attempt 1's failure is ignored, attempt 2's success acted on once, attempt 3 a duplicate", async () => {
    const failed = await deliver(a, 'verify-2-attempt-1', workflowRun({ sha: sha('2'), conclusion: 'failure' }));
    expect([failed.status, failed.body['ignored']]).toEqual([200, 'not-success']);
    const rerun = await deliver(b, 'verify-2-attempt-2', workflowRun({ sha: sha('2'), attempt: 2 }));
    expect(rerun).toMatchObject({ status: 202, body: { claimed: true, attempt: 1, takeover: false } });
    await b.waitFor((line) => line['step'] === 'recorded' && line['delivery'] === 'verify-2-attempt-2');
    const again = await deliver(a, 'verify-2-attempt-3', workflowRun({ sha: sha('2'), attempt: 3 }));
    expect(again.body).toMatchObject({ duplicate: true, handledBy: 'verify-2-attempt-2' });
  });

  it('a bad signature is 401, a malformed payload 400, another event 200; none claims', async () => {
    const forged = await deliver(a, 'forged', workflowRun({ sha: sha('3') }), { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const malformed = workflowRun({ sha: sha('3') });
    malformed['workflow_run']['head_sha'] = 'abc123';
    expect(await deliver(b, 'malformed', malformed)).toMatchObject({
      status: 400,
      body: { field: 'workflow_run.head_sha' },
    });
    expect(await deliver(a, 'a-push', { ref: 'refs/heads/master' }, { event: 'push' })).toMatchObject({
      status: 200,
      body: { ignored: 'not-workflow-run' },
    });
    expect(await ledger(storeOf(), sha('3'))).toBeNull();
  });

  it('a holder killed during its lease: a redelivery after the lease ends is taken over exactly once', async () => {
    // The victim would work for 10 minutes; its lease is 2 seconds.
    const victim = await startWorker('victim', storeOf(), { LEASE_MS: '2000', WORK_DELAY_MS: '600000' });
    mine.push(victim);
    const payload = workflowRun({ sha: sha('4') });
    const claimed = await deliver(victim, 'verify-4', payload);
    expect(claimed).toMatchObject({ status: 202, body: { claimed: true, attempt: 1 } });
    victim.kill('SIGKILL');
    // Its lease as the store holds it (it may have renewed it once before the kill).
    const leaseEnd = Date.parse((await ledger(storeOf(), sha('4')))?.['leaseExpiresAt']);
    // While the lease runs, the redelivery finds the claim in progress.
    const early = await deliver(a, 'verify-4', payload);
    if (Date.now() < leaseEnd) expect(early.status).toBe(409);
    // Wait for the lease to end (a deadline, not a measurement), then GitHub's redelivery goes to both.
    const wait = leaseEnd - Date.now() + 50;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const replies = await Promise.all([deliver(a, 'verify-4', payload), deliver(b, 'verify-4', payload)]);
    const takers = replies.filter((reply) => reply.status === 202);
    expect(takers).toHaveLength(1);
    expect(takers[0]?.body).toMatchObject({ claimed: true, takeover: true, attempt: 2 });
    const taker = replies[0]?.status === 202 ? a : b;
    await taker.waitFor((line) => line['step'] === 'recorded' && line['delivery'] === 'verify-4');
    expect(await ledger(storeOf(), sha('4'))).toMatchObject({
      deliveryId: 'verify-4',
      attempt: 2,
      outcome: 'not-implemented',
    });
    expect((await deliver(b, 'verify-4', payload)).body).toMatchObject({ duplicate: true, handledBy: 'verify-4' });
  });

  it('a holder paused past its lease finds the claim taken over: it records nothing', async () => {
    // Its work would take 5 s and its lease is 1 s; it is stopped (a long GC pause, a stalled host)
    // right after its answer, so its work cannot go on until it is continued.
    const sleeper = await startWorker('sleeper', storeOf(), { LEASE_MS: '1000', WORK_DELAY_MS: '5000' });
    mine.push(sleeper);
    const payload = workflowRun({ sha: sha('5') });
    const claimed = await deliver(sleeper, 'verify-5', payload);
    sleeper.kill('SIGSTOP');
    expect(claimed).toMatchObject({ status: 202, body: { claimed: true, attempt: 1 } });
    // Its lease as the store holds it: stopped, it renews nothing more.
    const wait = Date.parse((await ledger(storeOf(), sha('5')))?.['leaseExpiresAt']) - Date.now() + 50;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const taken = await deliver(a, 'verify-5', payload);
    expect(taken).toMatchObject({ status: 202, body: { claimed: true, takeover: true, attempt: 2 } });
    await a.waitFor((line) => line['step'] === 'recorded' && line['delivery'] === 'verify-5');
    sleeper.kill('SIGCONT');
    const lost = await sleeper.waitFor((line) => line['step'] === 'lease-lost');
    expect(lost).toMatchObject({ delivery: 'verify-5', attempt: 1, message: expect.stringContaining('attempt 2') });
    expect(sleeper.lines.filter((line) => line['step'] === 'recorded')).toEqual([]);
    expect(await ledger(storeOf(), sha('5'))).toMatchObject({ deliveryId: 'verify-5', attempt: 2 });
    sleeper.kill();
  });

  it('a holder whose work outlasts its lease renews it: a redelivery meanwhile finds it in progress', async () => {
    // Its work takes 2.5 s and its lease is 1 s: it renews the lease every third of it.
    const slow = await startWorker('slow', storeOf(), { LEASE_MS: '1000', WORK_DELAY_MS: '2500' });
    mine.push(slow);
    const payload = workflowRun({ sha: sha('6') });
    const claimed = await deliver(slow, 'verify-6', payload);
    expect(claimed).toMatchObject({ status: 202, body: { claimed: true, attempt: 1 } });
    // Past the lease's first end, the claim is still the holder's.
    const wait = Date.parse(claimed.body['leaseExpiresAt']) - Date.now() + 300;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const redelivered = await deliver(a, 'verify-6', payload);
    const inProgress = { status: 409, body: { holder: 'verify-6', attempt: 1 } };
    if (redelivered.status !== 200) expect(redelivered).toMatchObject(inProgress);
    await slow.waitFor((line) => line['step'] === 'recorded' && line['delivery'] === 'verify-6');
    const recorded = { deliveryId: 'verify-6', attempt: 1, outcome: 'not-implemented' };
    expect(await ledger(storeOf(), sha('6'))).toMatchObject(recorded);
    slow.kill();
  });

  it('across it all, each verification commit was recorded once, and nothing else was', () => {
    const shas = logged('recorded').map((line) => line['sha']);
    expect(shas.sort()).toEqual([sha('1'), sha('2'), sha('4'), sha('5'), sha('6')]);
    // The paused holder found its claim taken over (renewing it, or at its fenced write) and recorded nothing.
    expect(logged('lease-lost').map((line) => line['delivery'])).toEqual(['verify-5']);
  });
}

describe('two workers on one state directory', () => {
  const stateDir = () => path.join(work, 'state-files');
  scenarios(() => ({ RELEASE_GOVERNOR_STATE_DIR: stateDir() }));
});

describeWithPg('two workers on one PostgreSQL store', () => {
  let server: PgServer | undefined;
  beforeAll(async () => {
    server = await startPgServer();
  }, 120_000);
  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await server?.stop();
  });
  scenarios(() => ({ RELEASE_GOVERNOR_STORE_URL: server?.url({ schema: 'worker' }) ?? '' }));
});

// The example's README promises a few things that are checked here rather than trusted.
describe('examples/webhook-worker/README.md', () => {
  it('names each step of the order and the answers the worker gives', async () => {
    const readme = await readFile(path.join(example, 'README.md'), 'utf8');
    for (const word of ['read', 'filter', 'claim', 'decide', 'record', '202', '409', '401', '400', '503'])
      expect(readme).toContain(word);
  });
});
