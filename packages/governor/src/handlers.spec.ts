import examples from '@octokit/webhooks-examples';
import type { ReleaseGovernorSettings } from '@booty/config';
import type { ReleaseStore } from '@booty/release-state';
import type { WorkflowRunEvent } from '@octokit/webhooks-types';
import { handleWorkflowRun, type HandlerContext } from './handlers';

// GitHub's recorded workflow_run deliveries (api.github.com and GHES flavours).
const recorded = (examples.find((group) => group.name === 'workflow_run')?.examples ??
  []) as unknown as WorkflowRunEvent[];
const disabled: HandlerContext = { enabled: false, settings: null, store: null };
// The handler neither reads nor writes the store: a store whose every use fails proves it.
const untouchable = new Proxy({} as ReleaseStore, {
  get: (_target, key) => {
    throw new Error(`the handler used the store (${String(key)})`);
  },
});
function enabled(settings: Partial<ReleaseGovernorSettings> = {}): HandlerContext {
  const all = { verification_workflow_name: 'Verify main', ...settings } as ReleaseGovernorSettings;
  return { enabled: true, settings: all, store: untouchable };
}

test('the recorded payloads are there to test on', () => {
  expect(recorded.length).toBeGreaterThanOrEqual(3);
});

describe.each(
  recorded.map((payload, index) => [`${index}: ${payload.action} ${payload.repository.full_name}`, payload] as const),
)('handleWorkflowRun on recorded payload %s', (_name, payload) => {
  test('reads the facts, and skips because the Governor is disabled', async () => {
    const outcome = await handleWorkflowRun(payload, disabled);
    expect(outcome).toEqual({
      action: 'skip',
      reason: 'disabled',
      message: 'the Governor is disabled',
      run: expect.objectContaining({
        action: payload.action,
        repository: payload.repository.full_name,
        headSha: payload.workflow_run.head_sha,
        runId: payload.workflow_run.id,
        workflowName: payload.workflow.name,
      }),
    });
  });

  test('when enabled, none is the verification run: each is skipped with the rule it breaks', async () => {
    const outcome = await handleWorkflowRun(payload, enabled());
    expect(outcome.reason).toMatch(/^(not-completed|other-workflow)$/);
    expect(outcome.message).not.toBe('');
  });

  test('as the verification workflow, it is judged on event, fork, branch and conclusion', async () => {
    const outcome = await handleWorkflowRun(payload, enabled({ verification_workflow_name: payload.workflow.name }));
    const expected =
      payload.action !== 'completed' ? 'not-completed' : payload.workflow_run.event !== 'push' ? 'not-push' : 'fork';
    expect(outcome.reason).toBe(expected);
  });
});

test('the verification run itself: decided, and the decision is not implemented yet', async () => {
  const payload = JSON.parse(JSON.stringify(recorded[1])) as Record<string, any>;
  payload['workflow_run'].event = 'push';
  payload['workflow'].name = 'Verify main';
  const outcome = await handleWorkflowRun(payload, enabled());
  expect(outcome).toMatchObject({ action: 'skip', reason: 'not-implemented' });
  expect(outcome.message).toBe(
    '"Verify main" succeeded on a push to "master" (attempt 1); the deploy decision is not implemented yet',
  );
});
