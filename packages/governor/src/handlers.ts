import type { ReleaseGovernorSettings } from '@booty/config';
import type { ReleaseStore } from '@booty/release-state';
import type { WorkflowRunEvent } from '@octokit/webhooks-types';
import { readWorkflowRun, type WorkflowRunFacts } from './payload';

/** What a handler is given: the effective settings and the store (both null when disabled). */
export interface HandlerContext {
  enabled: boolean;
  settings: ReleaseGovernorSettings | null;
  store: ReleaseStore | null;
}

/** Why the handler did not act: the Governor is `disabled`, or the decision is `not-implemented` yet. */
export type SkipReason = 'disabled' | 'not-implemented';

/** What `handleWorkflowRun` did with one delivery, and the facts it read. */
export interface WorkflowRunOutcome {
  action: 'skip';
  reason: SkipReason;
  /** The facts read from the payload, so logs can say what was skipped. */
  run: WorkflowRunFacts;
}

/**
 * Handles a `workflow_run` webhook. This phase decides nothing: it validates the fields it
 * reads (a malformed body throws `PayloadError`) and says why it did not act. The deploy
 * decision (ALLOW/HOLD) and the delivery claim arrive with the next phase, in this function.
 *
 * @param payload - the `workflow_run` webhook body, as GitHub sent it (checked at run time)
 * @param context - `{ enabled, settings, store }`: a `Governor` fits
 * @throws {@link PayloadError} PAYLOAD_INVALID, naming the field that is missing or mistyped
 */
export async function handleWorkflowRun(payload: WorkflowRunEvent, context: HandlerContext): Promise<WorkflowRunOutcome> {
  const run = readWorkflowRun(payload);
  const reason: SkipReason = context.enabled && context.settings !== null ? 'not-implemented' : 'disabled';
  return { action: 'skip', reason, run };
}
