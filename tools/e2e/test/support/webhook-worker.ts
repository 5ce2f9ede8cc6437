// examples/webhook-worker as its users get it, for the webhook-worker specs: the packages published
// to the run's local registry (support/deploy.ts), the example installed from it with
// @octokit/webhooks and compiled by tsc, once per run; then, per spec file, worker processes of it
// on a store, deliveries signed as GitHub signs them, and the ledger read back through the
// installed @booty/release-state.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cp, mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { tsc, typeRoots } from './consumers';
import { deployOnce } from './deploy';
import { usingLocalRegistry } from './registry';
import { childEnv, describeRun, repoRoot, run, type RunResult } from './run';
import { oncePerRun, runDir, scratchDir } from './shared-run';
import { REPO } from './workflow-run';

export const example = path.join(repoRoot, 'examples', 'webhook-worker');
const SECRET = 'webhook-secret-for-the-test';

interface Example {
  app: string;
  /** npm install, then tsc; or the failed deploy. */
  installed: RunResult;
}

/** The example installed from the run's registry and built, once per run. */
function installedExample(): Promise<Example> {
  return oncePerRun('webhook-worker-example', async () => {
    const app = path.join(runDir(), 'webhook-worker-app');
    const deploy = await deployOnce();
    if (deploy.first.code !== 0) return { app, installed: deploy.first };
    const { sh } = await usingLocalRegistry();
    await mkdir(app);
    for (const file of ['package.json', 'tsconfig.json', 'src'])
      await cp(path.join(example, file), path.join(app, file), { recursive: true });
    // The build tools are the repository's own (tsc, @types/node): only the runtime comes from the registry.
    let installed = await sh('npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], app);
    if (installed.code === 0) installed = await sh(process.execPath, [tsc, '-p', 'tsconfig.json', ...typeRoots()], app);
    return { app, installed };
  });
}

export interface Worker {
  name: string;
  port: number;
  lines: Array<Record<string, unknown>>;
  child: ChildProcess;
  /** Resolves with the first log line (past or future) that matches. */
  waitFor(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  kill(signal?: NodeJS.Signals): void;
}

/** What a webhook-worker spec file uses, once its beforeAll has run. */
export interface WorkerSite {
  /** The spec file's own scratch directory: the workers' HOME, holding their workspace. */
  work: string;
  /** Every worker the spec file started, SIGKILLed by its afterAll. */
  workers: Worker[];
  /** The installed, built example; throws with what failed when it is not. */
  ready(): string;
  /** A command with npm pointed at the local registry. */
  sh(command: string, args: string[], cwd: string): Promise<RunResult>;
  startWorker(name: string, store: Record<string, string>, extra?: Record<string, string>): Promise<Worker>;
  /** The ledger's record of a commit, read through the installed @booty/release-state. */
  ledger(store: Record<string, string>, headSha: string): Promise<Record<string, any> | null>;
}

/**
 * Registers a spec file's hooks: a beforeAll that waits for the installed example and makes the
 * file's scratch directory, an afterAll that kills every worker left.
 */
export function usingWorkerSite(label: string): WorkerSite {
  let installed: Example | undefined;
  let sh: WorkerSite['sh'] | undefined;
  const site: WorkerSite = {
    work: '',
    workers: [],
    ready() {
      if (!installed || installed.installed.code !== 0) {
        throw new Error(
          'the example was not installed and built, so it cannot run:\n' +
            (installed ? describeRun(installed.installed) : 'not run'),
        );
      }
      return installed.app;
    },
    sh: (command, args, cwd) => {
      if (!sh) throw new Error('the local registry is not started: sh() runs from the beforeAll on');
      return sh(command, args, cwd);
    },
    startWorker: (name, store, extra = {}) => startWorker(site, name, store, extra),
    ledger: (store, headSha) => ledger(site, store, headSha),
  };
  beforeAll(async () => {
    ({ sh } = await usingLocalRegistry());
    installed = await installedExample();
    site.work = await scratchDir(label);
  }, 420_000);
  afterAll(() => {
    for (const worker of site.workers) worker.kill('SIGKILL');
  });
  return site;
}

async function startWorker(
  site: WorkerSite,
  name: string,
  store: Record<string, string>,
  extra: Record<string, string>,
): Promise<Worker> {
  const dir = site.ready();
  const child = spawn(process.execPath, [path.join(dir, 'dist', 'main.js')], {
    cwd: dir,
    env: childEnv({
      WEBHOOK_SECRET: SECRET,
      BOOTY_WORKSPACE: path.join(site.work, 'workspace'),
      PORT: '0',
      HOME: site.work,
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
  site.workers.push(worker);
  return worker;
}

interface Reply {
  status: number;
  body: Record<string, any>;
}

export async function deliver(
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

async function ledger(
  site: WorkerSite,
  store: Record<string, string>,
  headSha: string,
): Promise<Record<string, any> | null> {
  const script = `const { openReleaseStore, resolveStoreLocation } = require('@booty/release-state');
(async () => {
  const store = await openReleaseStore(resolveStoreLocation({ env: process.env }));
  const record = await store.deliveries.get({ repo: ${JSON.stringify(REPO)}, headSha: process.argv[1] });
  await store.close();
  console.log(JSON.stringify(record));
})();
`;
  const result = await run(process.execPath, ['-e', script, headSha], {
    cwd: site.ready(),
    env: childEnv({ HOME: site.work, ...store }),
  });
  if (result.code !== 0) throw new Error(describeRun(result));
  return JSON.parse(result.stdout) as Record<string, any> | null;
}
