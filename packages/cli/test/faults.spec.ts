// The bad-input corpus (test/faults/cases.ts), each case run through the built `booty` binary or,
// for workflow_run bodies, the public handleWorkflowRun in a child process. Every case must give
// its typed error code and exit status (2 bad input, 1 state trouble), no stack trace, no hang,
// and leave every file of its workspace and state directory as it was, with no file added.
import {
  build,
  BIN,
  fingerprint,
  isRoot,
  PAYLOAD_WORKER,
  remove,
  run,
  STACK_FRAME,
  techniques,
  type Built,
  type RunResult,
} from './faults/harness';
import { CASES, OPERATOR_CASES, type Area, type FaultCase } from './faults/cases';

jest.setTimeout(120_000);

interface JsonError {
  code?: string;
  message?: string;
  path?: string;
  issues?: { message?: string; path?: string; file?: string | null; variable?: string }[];
}

const COMMANDS: Record<Exclude<Area, 'payload'>, { args: string[]; json: boolean }[]> = {
  'booty.yml': [
    { args: ['governor', 'status', '--json'], json: true },
    { args: ['config', 'validate'], json: false },
  ],
  env: [
    { args: ['governor', 'status', '--json'], json: true },
    { args: ['config', 'validate'], json: false },
  ],
  state: [
    { args: ['governor', 'status', '--json'], json: true },
    { args: ['governor', 'status'], json: false },
  ],
};

function expectClean(result: RunResult, label: string): void {
  expect({
    label,
    stackTrace: STACK_FRAME.test(result.stdout) || STACK_FRAME.test(result.stderr),
    signal: result.signal,
  }).toEqual({ label, stackTrace: false, signal: null });
  expect(`${result.stdout}${result.stderr}`).not.toContain('This is a bug');
}

/** Every text of an error a user would read: message, path, and each issue's fields. */
function errorText(error: JsonError): string {
  const issues = (error.issues ?? []).flatMap((issue) => [issue.message, issue.path, issue.file, issue.variable]);
  return [error.message, error.path, ...issues].filter((part) => typeof part === 'string').join('\n');
}

async function runBooty(c: FaultCase, built: Built): Promise<void> {
  const base = ['--workspace', c.workspace === null ? built.expand('{root}/missing-workspace') : built.ws];
  const commands =
    c.commands?.map((args) => ({ args, json: args.includes('--json') })) ??
    COMMANDS[c.area as Exclude<Area, 'payload'>];
  for (const { args: caseArgs, json } of commands) {
    // `config validate` never opens the store, so state problems are for `governor status`.
    if (c.commands === undefined && caseArgs[0] === 'config' && c.expect.code.startsWith('STATE_')) continue;
    const args = caseArgs.map((arg) => built.expand(arg));
    // A case that gives --workspace or --state-dir itself (an empty one, say) keeps its own.
    const has = (...names: string[]) => args.some((arg) => names.includes(arg.replace(/=.*$/, '')));
    // A copy that names its source with --from gets no --state-dir (the two would contradict).
    const withState =
      (args[0] === 'governor' || args[0] === 'state') && built.stateDirArg !== null && !has('--state-dir', '--from')
        ? ['--state-dir', built.stateDirArg]
        : [];
    const label = `booty ${caseArgs.join(' ')}`;
    // `node booty.js`, as its `#!/usr/bin/env node` line starts it.
    const result = await run(
      [...built.prefix, process.execPath, built.bin, ...args, ...(has('--workspace', '-w') ? [] : base), ...withState],
      { env: built.env, cwd: built.cwd },
    );
    expectClean(result, label);
    expect({ label, status: result.status }).toEqual({ label, status: c.expect.exit });
    for (const secret of c.expect.hidden ?? [])
      expect({ label, output: `${result.stdout}${result.stderr}` }).toEqual({
        label,
        output: expect.not.stringContaining(built.expand(secret)),
      });
    if (json) {
      const report = JSON.parse(result.stdout) as { ok: boolean; error?: JsonError };
      expect({ label, ok: report.ok, code: report.error?.code }).toEqual({ label, ok: false, code: c.expect.code });
      const text = errorText(report.error ?? {});
      for (const word of c.expect.says ?? [])
        expect({ label, says: text }).toEqual({ label, says: expect.stringContaining(built.expand(word)) });
      for (const word of c.expect.saysNot ?? [])
        expect({ label, says: text }).toEqual({ label, says: expect.not.stringContaining(word) });
    } else {
      expect({ label, stdout: result.stdout }).toEqual({ label, stdout: '' });
      expect(result.stderr).toContain(`(${c.expect.code})`);
    }
  }
}

async function runPayload(c: FaultCase, built: Built): Promise<void> {
  const result = await run([process.execPath, PAYLOAD_WORKER, built.ws, built.state, built.payloadFile as string], {
    env: built.env,
    cwd: built.cwd,
  });
  expectClean(result, 'handleWorkflowRun');
  const report = JSON.parse(result.stdout) as {
    ok: boolean;
    error?: { name: string; code: string; typed?: boolean; field?: string; message: string };
  };
  const field = c.expect.says?.[0];
  expect({
    status: result.status,
    ok: report.ok,
    name: report.error?.name,
    code: report.error?.code,
    typed: report.error?.typed,
    field: report.error?.field,
  }).toEqual({
    status: c.expect.exit,
    ok: false,
    name: 'PayloadError',
    code: c.expect.code,
    typed: true,
    field,
  });
  // The message names the field, and a huge value is shortened rather than echoed.
  expect(report.error?.message).toContain(`${field} must be`);
  expect(report.error?.message.length).toBeLessThan(400);
}

test('the corpus has at least 40 cases, covering every kind of input, with unique names', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(40);
  // The classes of issue 18 (a slip, a secret, a file read, a diagnosis) hold 30 cases or more.
  expect(OPERATOR_CASES.length).toBeGreaterThanOrEqual(30);
  const areas = new Set(CASES.map((c) => c.area));
  expect([...areas].sort()).toEqual(['booty.yml', 'env', 'payload', 'state']);
  expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
});

/** How the read-only and permission cases are made on this machine, named in the title. */
const TECHNIQUES =
  `read-only: ${techniques.readOnly}; unprivileged: ${techniques.unprivileged}; ` +
  `foreign owner: ${techniques.foreignOwner}${isRoot ? '' : '; not root'}`;

describe(`bad input: typed error, exit status, no stack trace, no hang, nothing changed (${TECHNIQUES})`, () => {
  test.concurrent.each(CASES.map((c) => [`${c.area}: ${c.id} -> ${c.expect.code}, exit ${c.expect.exit}`, c] as const))(
    '%s',
    async (_name, c) => {
      const built = await build(c);
      try {
        const before = await fingerprint(built.root);
        if (c.area === 'payload') await runPayload(c, built);
        else await runBooty(c, built);
        expect(await fingerprint(built.root)).toEqual(before);
      } finally {
        await remove(built.root);
      }
    },
  );

  test('control: the fingerprint does see a change (a healthy run that creates the state directory)', async () => {
    const control: FaultCase = {
      id: 'control',
      area: 'state',
      input: 'none',
      state: { create: 'none' },
      expect: { code: '', exit: 1 },
    };
    const built = await build(control);
    try {
      const before = await fingerprint(built.root);
      const result = await run(
        [process.execPath, BIN, 'governor', 'status', '--workspace', built.ws, '--state-dir', built.state],
        { env: built.env, cwd: built.cwd },
      );
      expect(result.status).toBe(0);
      const after = await fingerprint(built.root);
      expect(
        Object.keys(after)
          .filter((name) => !(name in before))
          .sort(),
      ).toEqual(['state/', 'state/release.json']);
    } finally {
      await remove(built.root);
    }
  });

  test('control: a recorded delivery goes through the same path unharmed and changes nothing', async () => {
    const control: FaultCase = {
      id: 'control',
      area: 'payload',
      input: 'unmodified',
      payload: {},
      expect: { code: '', exit: 2 },
    };
    const built = await build(control);
    try {
      const before = await fingerprint(built.root);
      const result = await run([process.execPath, PAYLOAD_WORKER, built.ws, built.state, built.payloadFile as string], {
        env: built.env,
        cwd: built.cwd,
      });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      // GitHub's recorded run is not the verification run: the Governor reads it, and skips it.
      const outcome = expect.objectContaining({ action: 'skip', reason: 'other-workflow' });
      expect(JSON.parse(result.stdout)).toEqual({ ok: true, outcome });
      expect(await fingerprint(built.root)).toEqual(before);
    } finally {
      await remove(built.root);
    }
  });
});
