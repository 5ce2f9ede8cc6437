import type { WorkflowRunFacts } from './payload';
import { checkVerificationRun, type NotVerificationReason } from './verification';

// The verification run of a push to main, and one change away from it for each rule.
const verify: WorkflowRunFacts = {
  action: 'completed',
  repository: 'octo-org/octo-repo',
  defaultBranch: 'main',
  installationId: 7,
  workflowId: 11,
  workflowName: 'Verify main',
  workflowPath: '.github/workflows/verify-main.yml',
  runId: 1001,
  runAttempt: 1,
  event: 'push',
  headSha: 'a'.repeat(40),
  headBranch: 'main',
  headRepository: 'octo-org/octo-repo',
  fork: false,
  conclusion: 'success',
};
const settings = { verification_workflow_name: 'Verify main' };

test('the verification run of a push to the default branch is the one acted on', () => {
  expect(checkVerificationRun(verify, settings)).toEqual({
    verification: true,
    reason: null,
    message: '"Verify main" succeeded on a push to "main" (attempt 1)',
  });
  // A successful re-run is the same run: the claim, per commit, says whether it was acted on.
  expect(checkVerificationRun({ ...verify, runAttempt: 2 }, settings).verification).toBe(true);
});

const cases: Array<[string, Partial<WorkflowRunFacts>, NotVerificationReason, string]> = [
  ['requested', { action: 'requested', conclusion: null }, 'not-completed', 'the run is requested, not completed'],
  [
    'in progress',
    { action: 'in_progress', conclusion: null },
    'not-completed',
    'the run is in_progress, not completed',
  ],
  [
    'another workflow of the same push',
    { workflowName: 'CodeQL' },
    'other-workflow',
    'workflow "CodeQL" is not the verification workflow "Verify main"',
  ],
  [
    'a name differing in case',
    { workflowName: 'verify main' },
    'other-workflow',
    'workflow "verify main" is not the verification workflow "Verify main"',
  ],
  ['a pull request', { event: 'pull_request' }, 'not-push', 'the run was started by "pull_request", not by a push'],
  [
    'a manual run',
    { event: 'workflow_dispatch' },
    'not-push',
    'the run was started by "workflow_dispatch", not by a push',
  ],
  [
    "a fork's push named main",
    { fork: true, headRepository: 'someone/octo-repo' },
    'fork',
    'the commit comes from "someone/octo-repo", not from octo-org/octo-repo',
  ],
  [
    'an unnamed head repository',
    { fork: true, headRepository: null },
    'fork',
    'the commit comes from none, not from octo-org/octo-repo',
  ],
  [
    'another branch',
    { headBranch: 'release' },
    'not-default-branch',
    'branch "release" is not the default branch "main"',
  ],
  ['no branch (a tag)', { headBranch: null }, 'not-default-branch', 'branch none is not the default branch "main"'],
  ['a failure', { conclusion: 'failure' }, 'not-success', 'the run\'s conclusion is "failure", not success'],
  ['cancelled', { conclusion: 'cancelled' }, 'not-success', 'the run\'s conclusion is "cancelled", not success'],
];

test.each(cases)('%s is not the verification run', (_name, change, reason, message) => {
  expect(checkVerificationRun({ ...verify, ...change }, settings)).toEqual({ verification: false, reason, message });
});

test("a fork's pull request on a branch named main, of the verification workflow, is never acted on", () => {
  const forkPullRequest = { ...verify, event: 'pull_request', fork: true, headRepository: 'someone/octo-repo' };
  expect(checkVerificationRun(forkPullRequest, settings)).toMatchObject({ verification: false, reason: 'not-push' });
  // Not even if the event said push: the fork rule stands on its own.
  expect(checkVerificationRun({ ...forkPullRequest, event: 'push' }, settings)).toMatchObject({
    verification: false,
    reason: 'fork',
  });
});

test("the production branch is each repository's own default branch", () => {
  const master = { ...verify, defaultBranch: 'master', headBranch: 'master' };
  expect(checkVerificationRun(master, settings).verification).toBe(true);
  expect(checkVerificationRun({ ...master, headBranch: 'main' }, settings)).toMatchObject({
    reason: 'not-default-branch',
  });
});

test('the workflow name comes from the settings', () => {
  expect(checkVerificationRun(verify, { verification_workflow_name: 'CI' })).toMatchObject({
    reason: 'other-workflow',
  });
  expect(
    checkVerificationRun({ ...verify, workflowName: 'CI' }, { verification_workflow_name: 'CI' }).verification,
  ).toBe(true);
});

test('outside text in the message is escaped and cut short', () => {
  const check = checkVerificationRun({ ...verify, workflowName: `\u001b[2K${'x'.repeat(200)}` }, settings);
  // eslint-disable-next-line no-control-regex
  expect(check.message).not.toMatch(/\u001b/);
  expect(check.message).toContain('\\e[2K');
  expect(check.message).toContain('(204 characters)');
});
