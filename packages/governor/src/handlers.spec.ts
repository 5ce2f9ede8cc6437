import examples from '@octokit/webhooks-examples';
import schemas from '@octokit/webhooks-schemas';
import type { WorkflowRunEvent } from '@octokit/webhooks-types';
import { handleWorkflowRun } from './handlers';
import { PayloadError, readWorkflowRun, type WorkflowRunFacts } from './payload';

// GitHub's recorded workflow_run deliveries (api.github.com and GHES flavours).
const recorded = (examples.find((group) => group.name === 'workflow_run')?.examples ?? []) as unknown as WorkflowRunEvent[];
const disabled = { enabled: false, settings: null, store: null };

test('the recorded payloads are there to test on', () => {
  expect(recorded.length).toBeGreaterThanOrEqual(3);
});

describe.each(recorded.map((payload, index) => [`${index}: ${payload.action} ${payload.repository.full_name}`, payload] as const))(
  'handleWorkflowRun on recorded payload %s',
  (_name, payload) => {
    test('reads the repository and head SHA, and skips because the Governor is disabled', async () => {
      const outcome = await handleWorkflowRun(payload, disabled);
      expect(outcome).toEqual({
        action: 'skip',
        reason: 'disabled',
        run: expect.objectContaining({
          action: payload.action,
          repository: payload.repository.full_name,
          headSha: payload.workflow_run.head_sha,
          runId: payload.workflow_run.id,
          workflowName: payload.workflow_run.name,
        }),
      });
    });

    test('when enabled, skips as not implemented (the decision arrives with the next phase)', async () => {
      const settings = {} as never; // the stub does not read settings yet
      const outcome = await handleWorkflowRun(payload, { enabled: true, settings, store: null });
      expect(outcome.reason).toBe('not-implemented');
    });
  },
);

type Mutation = [string, (payload: Record<string, any>) => unknown, string];
const broken: Mutation[] = [
  ['null body', () => null, '(payload)'],
  ['an array body', () => [], '(payload)'],
  ['a string body', () => 'workflow_run', '(payload)'],
  ['no action', (p) => ({ ...p, action: undefined }), 'action'],
  ['an unknown action', (p) => ({ ...p, action: 'deleted' }), 'action'],
  ['no repository', (p) => ({ ...p, repository: undefined }), 'repository'],
  ['repository.full_name without owner', (p) => ({ ...p, repository: { ...p['repository'], full_name: 'hello' } }), 'repository.full_name'],
  ['no workflow_run', (p) => ({ ...p, workflow_run: undefined }), 'workflow_run'],
  ['workflow_run is a string', (p) => ({ ...p, workflow_run: 'x' }), 'workflow_run'],
  ['head_sha missing', (p) => ({ ...p, workflow_run: { ...p['workflow_run'], head_sha: undefined } }), 'workflow_run.head_sha'],
  ['head_sha short', (p) => ({ ...p, workflow_run: { ...p['workflow_run'], head_sha: 'abc123' } }), 'workflow_run.head_sha'],
  ['head_sha not hex', (p) => ({ ...p, workflow_run: { ...p['workflow_run'], head_sha: 'z'.repeat(40) } }), 'workflow_run.head_sha'],
  ['head_sha a number', (p) => ({ ...p, workflow_run: { ...p['workflow_run'], head_sha: 42 } }), 'workflow_run.head_sha'],
  ['run id a string', (p) => ({ ...p, workflow_run: { ...p['workflow_run'], id: '1' } }), 'workflow_run.id'],
  ['conclusion a number', (p) => ({ ...p, workflow_run: { ...p['workflow_run'], conclusion: 1 } }), 'workflow_run.conclusion'],
  ['head_sha inherited from a prototype', (p) => ({ ...p, workflow_run: Object.assign(Object.create({ head_sha: 'a'.repeat(40) }), { ...p['workflow_run'], head_sha: undefined }) }), 'workflow_run.head_sha'],
];

describe.each(broken)('handleWorkflowRun on a broken payload: %s', (_name, mutate, field) => {
  test(`is a PayloadError naming ${field}`, async () => {
    const payload = mutate(JSON.parse(JSON.stringify(recorded[1])) as Record<string, any>);
    const error = await handleWorkflowRun(payload as WorkflowRunEvent, disabled).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadError);
    expect(error).toMatchObject({ code: 'PAYLOAD_INVALID', field });
    expect((error as Error).message).toContain(field);
  });
});

// Each fact readWorkflowRun returns, and the payload field it comes from.
const FIELD_OF: Record<keyof WorkflowRunFacts, string> = {
  action: 'action',
  repository: 'repository.full_name',
  headSha: 'workflow_run.head_sha',
  headBranch: 'workflow_run.head_branch',
  workflowName: 'workflow_run.name',
  runId: 'workflow_run.id',
  conclusion: 'workflow_run.conclusion',
};
const definitions = (schemas as { definitions: Record<string, { required?: string[] }> }).definitions;

/** Whether GitHub's own schema requires `field` in every workflow_run event. */
function requiredByGitHub(field: string): boolean {
  const [head, leaf] = field.split('.') as [string, string | undefined];
  const events = ['completed', 'in_progress', 'requested'].map((action) => definitions[`workflow_run$${action}`]?.required ?? []);
  if (!events.every((required) => required.includes(head))) return false;
  if (leaf === undefined) return true;
  const definition = head === 'workflow_run' ? 'workflow-run' : head;
  return (definitions[definition]?.required ?? []).includes(leaf);
}

function edited(field: string, value: unknown): Record<string, any> {
  const payload = JSON.parse(JSON.stringify(recorded[1])) as Record<string, any>;
  const [head, leaf] = field.split('.') as [string, string | undefined];
  const parent = leaf === undefined ? payload : (payload[head] as Record<string, unknown>);
  const key = leaf ?? head;
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
  expect(Object.keys(FIELD_OF)).toHaveLength(Object.keys(readWorkflowRun(recorded[1])).length);
});

describe.each(Object.values(FIELD_OF))('payload.ts on the field %s', (field) => {
  test('a value of the wrong type (an object) is a PayloadError naming it', () => {
    expect(() => readWorkflowRun(edited(field, { unexpected: true }))).toThrow(expect.objectContaining({ code: 'PAYLOAD_INVALID', field }));
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
  for (const field of ['action', 'repository.full_name', 'workflow_run.id', 'workflow_run.head_sha']) {
    expect(requiredByGitHub(field)).toBe(true);
    expect(() => readWorkflowRun(edited(field, undefined))).toThrow(expect.objectContaining({ code: 'PAYLOAD_INVALID', field }));
  }
});
