// The one rule that says which `workflow_run` event the Governor acts on: the verification
// workflow's successful run on a push to the repository's default branch, from the repository
// itself. GitHub sends `workflow_run` for every workflow of a push and for each re-run, while a
// claim is per (repository, commit): a worker asks this before it claims, so that another
// workflow of the same push can never take the claim the verification run needs.
import { escapeText, excerpt, type ReleaseGovernorSettings } from '@booty/config';
import type { WorkflowRunFacts } from './payload';

/** Why an event is not the verification run the Governor acts on, one code per rule. */
export type NotVerificationReason =
  'not-completed' | 'other-workflow' | 'not-push' | 'fork' | 'not-default-branch' | 'not-success';

/** The verdict of `checkVerificationRun`; `message` says it in words (outside text escaped). */
export type VerificationCheck =
  | { readonly verification: true; readonly reason: null; readonly message: string }
  | { readonly verification: false; readonly reason: NotVerificationReason; readonly message: string };

/** The settings the rule reads: the workflow's name (`Verify main` by default). */
export type VerificationSettings = Pick<ReleaseGovernorSettings, 'verification_workflow_name'>;

function not(reason: NotVerificationReason, message: string): VerificationCheck {
  return { verification: false, reason, message };
}

const shown = (value: string | null) => (value === null ? 'none' : excerpt(value, 80));

/**
 * Whether `run` is the verification run the Governor acts on, and if not, the first rule it
 * breaks, in this order: the run completed; its workflow is `verification_workflow_name`; it was
 * started by a `push`; the commit is the repository's own, not a fork's; the branch is the
 * repository's default branch (the branch GitHub names in every event, so each repository of an
 * App is judged by its own); it succeeded. Pure: it reads nothing but its arguments.
 *
 * @param run - the facts `readWorkflowRun` returns
 * @param settings - the Governor's settings (`verification_workflow_name`); a `Governor`'s `settings` fit
 * @throws Never throws.
 */
export function checkVerificationRun(run: WorkflowRunFacts, settings: VerificationSettings): VerificationCheck {
  const workflow = settings.verification_workflow_name;
  if (run.action !== 'completed') return not('not-completed', `the run is ${run.action}, not completed`);
  if (run.workflowName !== workflow) {
    return not(
      'other-workflow',
      `workflow ${shown(run.workflowName)} is not the verification workflow ${shown(workflow)}`,
    );
  }
  if (run.event !== 'push') return not('not-push', `the run was started by ${shown(run.event)}, not by a push`);
  if (run.fork) {
    return not('fork', `the commit comes from ${shown(run.headRepository)}, not from ${escapeText(run.repository)}`);
  }
  if (run.headBranch !== run.defaultBranch) {
    const branch = shown(run.headBranch);
    return not('not-default-branch', `branch ${branch} is not the default branch ${shown(run.defaultBranch)}`);
  }
  if (run.conclusion !== 'success')
    return not('not-success', `the run's conclusion is ${shown(run.conclusion)}, not success`);
  return {
    verification: true,
    reason: null,
    message: `${shown(workflow)} succeeded on a push to ${shown(run.defaultBranch)} (attempt ${run.runAttempt})`,
  };
}
