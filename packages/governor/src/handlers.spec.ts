import examples from '@octokit/webhooks-examples';
import schemas from '@octokit/webhooks-schemas';
import type { WorkflowRunEvent } from '@octokit/webhooks-types';
import { handleWorkflowRun } from './handlers';
import { PayloadError } from './payload';

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

test("every field the handler requires is one GitHub's own schema requires", () => {
  const definitions = (schemas as { definitions: Record<string, any> }).definitions;
  for (const action of ['completed', 'in_progress', 'requested']) {
    const event = definitions[`workflow_run$${action}`];
    expect(event.required).toEqual(expect.arrayContaining(['action', 'repository', 'workflow_run']));
  }
  expect(definitions['workflow-run'].required).toEqual(expect.arrayContaining(['head_sha', 'id', 'name', 'head_branch', 'conclusion']));
  expect(definitions['repository'].required).toEqual(expect.arrayContaining(['full_name']));
});
