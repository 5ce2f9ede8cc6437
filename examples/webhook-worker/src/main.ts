// The worker process: a node:http server that checks GitHub's signature with @octokit/webhooks and
// hands each delivery to deliveries.ts. Run several on one store (a state directory on one host,
// or PostgreSQL for several): each (repository, commit) is acted on once.
//
//   WEBHOOK_SECRET=... BOOTY_WORKSPACE=/srv/repo PORT=3000 node dist/main.js
//
// The store is the Governor's: RELEASE_GOVERNOR_STORE_URL (postgres://...) or
// RELEASE_GOVERNOR_STATE_DIR. Prints one JSON line per event on stdout; SIGTERM stops it after the
// work in hand is recorded.
import { Webhooks } from '@octokit/webhooks';
import { isConfigError, isStateError, loadGovernor } from '@booty/governor';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { answerDelivery, type Answer, type WorkerOptions } from './deliveries.js';

/** GitHub caps a webhook body at 25 MB. */
const MAX_BODY_BYTES = 25 * 1024 * 1024;

function log(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ pid: process.pid, ...line })}\n`);
}

/** A whole number from the environment, or the default; anything else stops the worker (exit 2). */
function wholeNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw new UsageError(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

class UsageError extends Error {}

function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, answer: Answer): void {
  response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
  response.end(`${JSON.stringify(answer.body)}\n`);
}

async function main(): Promise<void> {
  const secret = process.env['WEBHOOK_SECRET'];
  if (secret === undefined || secret === '')
    throw new UsageError('WEBHOOK_SECRET is not set: the secret of the webhook');
  const webhooks = new Webhooks({ secret });
  const governor = await loadGovernor({ workspace: process.env['BOOTY_WORKSPACE'] ?? '.' });
  for (const warning of governor.warnings)
    log({ step: 'config-warning', code: warning.code, message: warning.message });
  const options: WorkerOptions = {
    governor,
    leaseMs: wholeNumber('LEASE_MS', 60_000),
    workDelayMs: wholeNumber('WORK_DELAY_MS', 0),
    log,
  };
  const inHand = new Set<Promise<void>>();

  const server = createServer((request, response) => {
    void (async () => {
      const id = request.headers['x-github-delivery'];
      const event = request.headers['x-github-event'];
      const signature = request.headers['x-hub-signature-256'];
      if (request.method !== 'POST') return send(response, { status: 405, body: { error: 'POST only' } });
      const body = await readBody(request);
      if (body === null) return send(response, { status: 413, body: { error: 'the body is over 25 MB' } });
      if (typeof id !== 'string' || typeof event !== 'string' || typeof signature !== 'string') {
        const error = 'X-GitHub-Delivery, X-GitHub-Event and X-Hub-Signature-256 are required';
        return send(response, { status: 400, body: { error } });
      }
      if (!(await webhooks.verify(body, signature))) {
        return send(response, { status: 401, body: { error: 'the signature does not match the secret' } });
      }
      const answer = await answerDelivery({ id, event, body }, options);
      send(response, answer);
      log({ step: 'answered', delivery: id, status: answer.status, ...answer.body });
      if (answer.after) {
        const work = answer.after().catch((error: unknown) => {
          // The claim stays leased: a redelivery after the lease ends takes it over.
          log({ step: 'failed', delivery: id, error: error instanceof Error ? error.message : String(error) });
        });
        inHand.add(work);
        void work.finally(() => inHand.delete(work));
      }
    })().catch((error: unknown) => {
      log({ step: 'error', error: error instanceof Error ? error.message : String(error) });
      if (!response.headersSent) send(response, { status: 500, body: { error: 'internal error' } });
    });
  });

  const port = wholeNumber('PORT', 3000);
  server.listen(port, process.env['HOST'] ?? '127.0.0.1', () => {
    const address = server.address();
    log({ step: 'listening', port: typeof address === 'object' && address !== null ? address.port : port });
  });
  process.once('SIGTERM', () => {
    server.close();
    void Promise.allSettled([...inHand]).then(async () => {
      await governor.close();
      log({ step: 'stopped' });
    });
  });
}

main().catch((error: unknown) => {
  // A bad .booty.yml or variable is the operator's to fix (exit 2); a store that fails, exit 1.
  const usage = error instanceof UsageError || isConfigError(error);
  const message = error instanceof Error ? error.message : String(error);
  log({ step: 'not-started', code: isConfigError(error) || isStateError(error) ? error.code : null, message });
  process.exitCode = usage ? 2 : 1;
});
