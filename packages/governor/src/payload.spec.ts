import examples from '@octokit/webhooks-examples';
import schemas from '@octokit/webhooks-schemas';
import type { WorkflowRunEvent } from '@octokit/webhooks-types';
import { handleWorkflowRun } from './handlers';
import { isPayloadError, PayloadError, readWorkflowRun, type WorkflowRunFacts } from './payload';

// The payload reader on GitHub's recorded workflow_run deliveries, on broken variants of them, and
// against GitHub's own schema (@octokit/webhooks-schemas).
const recorded = (examples.find((group) => group.name === 'workflow_run')?.examples ??
  []) as unknown as WorkflowRunEvent[];
const disabled = { enabled: false, settings: null, store: null } as const;

type Mutation = [string, (payload: Record<string, any>) => unknown, string];
const broken: Mutation[] = [
  ['null body', () => null, '(payload)'],
  ['an array body', () => [], '(payload)'],
  ['a string body', () => 'workflow_run', '(payload)'],
  ['no action', (p) => ({ ...p, action: undefined }), 'action'],
  ['an unknown action', (p) => ({ ...p, action: 'deleted' }), 'action'],
  ['no repository', (p) => ({ ...p, repository: undefined }), 'repository'],
  [
    'repository.full_name without owner',
    (p) => ({ ...p, repository: { ...p['repository'], full_name: 'hello' } }),
    'repository.full_name',
  ],
  ['no workflow_run', (p) => ({ ...p, workflow_run: undefined }), 'workflow_run'],
  ['workflow_run is a string', (p) => ({ ...p, workflow_run: 'x' }), 'workflow_run'],
  [
    'head_sha missing',
    (p) => ({ ...p, workflow_run: { ...p['workflow_run'], head_sha: undefined } }),
    'workflow_run.head_sha',
  ],
  [
    'head_sha short',
    (p) => ({ ...p, workflow_run: { ...p['workflow_run'], head_sha: 'abc123' } }),
    'workflow_run.head_sha',
  ],
  [
    'head_sha not hex',
    (p) => ({ ...p, workflow_run: { ...p['workflow_run'], head_sha: 'z'.repeat(40) } }),
    'workflow_run.head_sha',
  ],
  [
    'head_sha a number',
    (p) => ({ ...p, workflow_run: { ...p['workflow_run'], head_sha: 42 } }),
    'workflow_run.head_sha',
  ],
  ['run id a string', (p) => ({ ...p, workflow_run: { ...p['workflow_run'], id: '1' } }), 'workflow_run.id'],
  [
    'conclusion a number',
    (p) => ({ ...p, workflow_run: { ...p['workflow_run'], conclusion: 1 } }),
    'workflow_run.conclusion',
  ],
  [
    'head_sha inherited from a prototype',
    (p) => ({
      ...p,
      workflow_run: Object.assign(Object.create({ head_sha: 'a'.repeat(40) }), {
        ...p['workflow_run'],
        head_sha: undefined,
      }),
    }),
    'workflow_run.head_sha',
  ],
];

describe.each(broken)('handleWorkflowRun on a broken payload: %s', (_name, mutate, field) => {
  test(`is a PayloadError naming ${field}`, async () => {
    const payload = mutate(JSON.parse(JSON.stringify(recorded[1])) as Record<string, any>);
    const error = await handleWorkflowRun(payload, disabled).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadError);
    expect(error).toMatchObject({ code: 'PAYLOAD_INVALID', field });
    expect((error as Error).message).toContain(field);
  });
});

// Each fact readWorkflowRun returns, and the payload field it comes from.
const FIELD_OF: Record<Exclude<keyof WorkflowRunFacts, 'fork'>, string> = {
  action: 'action',
  repository: 'repository.full_name',
  defaultBranch: 'repository.default_branch',
  installationId: 'installation.id',
  workflowId: 'workflow.id',
  workflowName: 'workflow.name',
  workflowPath: 'workflow.path',
  runId: 'workflow_run.id',
  runAttempt: 'workflow_run.run_attempt',
  event: 'workflow_run.event',
  headSha: 'workflow_run.head_sha',
  headBranch: 'workflow_run.head_branch',
  headRepository: 'workflow_run.head_repository.full_name',
  conclusion: 'workflow_run.conclusion',
};
const definitions = (schemas as { definitions: Record<string, { required?: string[] }> }).definitions;
// The definition in GitHub's schema of each object the reader looks into.
const DEFINITION: Record<string, string> = {
  repository: 'repository',
  workflow: 'workflow',
  installation: 'installation-lite',
  workflow_run: 'workflow-run',
  'workflow_run.head_repository': 'repository-lite',
};

/** Whether GitHub's own schema requires `field` (each part within its parent) in every workflow_run event. */
function requiredByGitHub(field: string): boolean {
  const parts = field.split('.');
  const events = ['completed', 'in_progress', 'requested'].map(
    (action) => definitions[`workflow_run$${action}`]?.required ?? [],
  );
  if (!events.every((required) => required.includes(parts[0] ?? ''))) return false;
  return parts.slice(1).every((part, index) => {
    const parent = DEFINITION[parts.slice(0, index + 1).join('.')] ?? '';
    return (definitions[parent]?.required ?? []).includes(part);
  });
}

/** recorded[1] with `field` set to `value` (removed for undefined); missing parents are made for a value. */
function edited(field: string, value: unknown, base: unknown = recorded[1]): Record<string, any> {
  const payload = JSON.parse(JSON.stringify(base)) as Record<string, any>;
  const parts = field.split('.');
  const key = parts.pop() ?? '';
  let parent: Record<string, any> | undefined = payload;
  for (const part of parts) {
    if (parent !== undefined && parent[part] === undefined && value !== undefined) parent[part] = {};
    parent = parent?.[part] as Record<string, any> | undefined;
  }
  if (parent === undefined) return payload;
  if (value === undefined) delete parent[key];
  else parent[key] = value;
  return payload;
}

test('a string from the payload is escaped and cut short in the message', () => {
  const error = (() => {
    try {
      return readWorkflowRun(edited('workflow_run.head_sha', `\u001b[2K\u202e${'x'.repeat(500)}`));
    } catch (e) {
      return e as Error;
    }
  })() as Error;
  expect(error).toMatchObject({ code: 'PAYLOAD_INVALID', field: 'workflow_run.head_sha' });
  // eslint-disable-next-line no-control-regex
  expect(error.message).not.toMatch(/[\u001b\u202e]/);
  expect(error.message).toContain('\\e[2K\\u{202e}');
  expect(error.message).toContain('(505 characters)');
});

test('the field list covers every fact payload.ts reads', () => {
  expect(Object.keys(readWorkflowRun(recorded[1]))).toEqual(expect.arrayContaining(Object.keys(FIELD_OF)));
  // and `fork`, worked out from two of them.
  expect(Object.keys(FIELD_OF)).toHaveLength(Object.keys(readWorkflowRun(recorded[1])).length - 1);
});

describe.each(Object.values(FIELD_OF))('payload.ts on the field %s', (field) => {
  test('a value of the wrong type (an object) is a PayloadError naming it', () => {
    expect(() => readWorkflowRun(edited(field, { unexpected: true }))).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_INVALID', field }),
    );
  });

  test("is refused when missing only if GitHub's schema requires it (a valid delivery is never refused)", () => {
    let refused: unknown = null;
    try {
      readWorkflowRun(edited(field, undefined));
    } catch (error) {
      refused = error;
    }
    if (refused !== null) {
      expect(refused).toMatchObject({ code: 'PAYLOAD_INVALID', field });
      expect(requiredByGitHub(field)).toBe(true);
    }
  });
});

test('payload.ts refuses a missing field for each non-nullable field GitHub requires', () => {
  // GitHub requires these and never sends null for them; the handler cannot work without them.
  const fields = [
    'action',
    'repository.full_name',
    'repository.default_branch',
    'workflow.id',
    'workflow.name',
    'workflow.path',
    'workflow_run.id',
    'workflow_run.run_attempt',
    'workflow_run.event',
    'workflow_run.head_sha',
  ];
  for (const field of fields) {
    expect(requiredByGitHub(field)).toBe(true);
    expect(() => readWorkflowRun(edited(field, undefined))).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_INVALID', field }),
    );
  }
});

describe('the facts a safe decision needs', () => {
  test('recorded[1]: every fact, read from its field', () => {
    expect(readWorkflowRun(recorded[1])).toEqual({
      action: 'completed',
      repository: 'octo-org/octo-repo',
      defaultBranch: 'master',
      installationId: null,
      workflowId: 2823525,
      workflowName: 'test',
      workflowPath: '.github/workflows/test.yml',
      runId: recorded[1]?.workflow_run.id,
      runAttempt: 1,
      event: 'repository_dispatch',
      headSha: '3484a3fb816e0859fd6e1cea078d76385ff50625',
      headBranch: 'master',
      headRepository: 'octo-org/octo-repo',
      fork: false,
      conclusion: 'success',
    });
  });

  test('a run whose commit comes from another repository is a fork, whatever its branch is called', () => {
    // recorded[0] is GitHub's own example of it: Codertocat/Hello-World, head octo-org/octo-repo.
    expect(readWorkflowRun(recorded[0])).toMatchObject({
      repository: 'Codertocat/Hello-World',
      headRepository: 'octo-org/octo-repo',
      fork: true,
    });
    const fork = edited('workflow_run.head_repository.full_name', 'someone/octo-repo');
    expect(readWorkflowRun(fork)).toMatchObject({
      headBranch: 'master',
      headRepository: 'someone/octo-repo',
      fork: true,
    });
  });

  test('the same repository in another case is not a fork (GitHub compares names without case)', () => {
    expect(readWorkflowRun(edited('workflow_run.head_repository.full_name', 'Octo-Org/Octo-Repo')).fork).toBe(false);
  });

  test('a head repository GitHub does not name (null, missing) is a fork: it cannot be shown to be ours', () => {
    expect(readWorkflowRun(edited('workflow_run.head_repository', null))).toMatchObject({
      headRepository: null,
      fork: true,
    });
    expect(readWorkflowRun(edited('workflow_run.head_repository', undefined))).toMatchObject({
      headRepository: null,
      fork: true,
    });
  });

  test('installation.id of a GitHub App delivery is read; a bad one is refused', () => {
    expect(readWorkflowRun(edited('installation', { id: 42, node_id: 'x' })).installationId).toBe(42);
    expect(() => readWorkflowRun(edited('installation', { id: -1 }))).toThrow(
      expect.objectContaining({ field: 'installation.id' }),
    );
    expect(() => readWorkflowRun(edited('installation', 'x'))).toThrow(
      expect.objectContaining({ field: 'installation' }),
    );
  });

  test('a re-run: run_attempt is read as it is', () => {
    expect(readWorkflowRun(edited('workflow_run.run_attempt', 3)).runAttempt).toBe(3);
    expect(() => readWorkflowRun(edited('workflow_run.run_attempt', 0))).toThrow(
      expect.objectContaining({ field: 'workflow_run.run_attempt' }),
    );
  });
});

describe('the SHA rule of @booty/release-state, with its fold', () => {
  const sha = '3484a3fb816e0859fd6e1cea078d76385ff50625';
  const sha256 = `${sha}0123456789abcdef01234567`;

  test.each([
    ['a SHA-1 in upper case', sha.toUpperCase(), sha],
    ['a SHA-256 (64 digits)', sha256, sha256],
    ['a SHA-256 in upper case', sha256.toUpperCase(), sha256],
  ])('%s is accepted, and reported in lower case, as claims key it', (_name, given, expected) => {
    expect(readWorkflowRun(edited('workflow_run.head_sha', given)).headSha).toBe(expected);
  });

  test.each([
    ['41 digits', `${sha}0`],
    ['an abbreviation', sha.slice(0, 12)],
    ['a space before it', ` ${sha}`],
  ])('%s is refused', (_name, given) => {
    expect(() => readWorkflowRun(edited('workflow_run.head_sha', given))).toThrow(
      expect.objectContaining({ field: 'workflow_run.head_sha' }),
    );
  });
});

test('isPayloadError is true for a PayloadError and false for look-alikes', () => {
  let thrown: unknown;
  try {
    readWorkflowRun(null);
  } catch (error) {
    thrown = error;
  }
  expect(isPayloadError(thrown)).toBe(true);
  expect(isPayloadError(new PayloadError('x', 'y', 'z'))).toBe(true);
  expect(isPayloadError(Object.assign(new Error('x'), { name: 'PayloadError', code: 'PAYLOAD_INVALID' }))).toBe(false);
  expect(isPayloadError(null)).toBe(false);
});
