// GitHub's recorded workflow_run delivery (@octokit/webhooks-examples: octo-org/octo-repo, default
// branch master), made into the events of real pushes for the webhook worker's scenarios.
import examples from '@octokit/webhooks-examples';

const recorded = (examples.find((group) => group.name === 'workflow_run')?.examples ?? []) as unknown as Array<
  Record<string, any>
>;

export const REPO = 'octo-org/octo-repo';
export const sha = (digit: string) => digit.repeat(40);

export interface RunSpec {
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
export function workflowRun(spec: RunSpec): Record<string, any> {
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
