// The Governor's decision on a `workflow_run` event: the "decide" step of a worker's read, filter,
// claim, decide, record. It never claims: the worker claims between the filter and this call,
// because only the worker knows the delivery and how it answers GitHub.
import type { ReleaseGovernorSettings } from '@booty/config';
import type { ReleaseStore } from '@booty/release-state';
import { readWorkflowRun, type WorkflowRunFacts } from './payload';
import { checkVerificationRun, type NotVerificationReason } from './verification';

/** What a handler is given when the Governor is enabled: its settings and its open store. */
export interface EnabledHandlerContext {
  readonly enabled: true;
  readonly settings: ReleaseGovernorSettings;
  readonly store: ReleaseStore;
}

/** What a handler is given when the Governor is disabled: no store. */
export interface DisabledHandlerContext {
  readonly enabled: false;
  readonly settings: ReleaseGovernorSettings | null;
  readonly store: null;
}

/** What a handler is given; a `Governor` is one. */
export type HandlerContext = EnabledHandlerContext | DisabledHandlerContext;

/**
 * Why nothing was done: the Governor is `disabled`; the event is not the verification run (the
 * rule it breaks, from `checkVerificationRun`); or it is, and the decision is `not-implemented`
 * yet (ALLOW or HOLD arrive with the next phase).
 */
export type SkipReason = 'disabled' | NotVerificationReason | 'not-implemented';

/** What `handleWorkflowRun` did. */
export interface WorkflowRunOutcome {
  action: 'skip';
  reason: SkipReason;
  /** The reason in words, outside text escaped: fit for a log line or an HTTP answer. */
  message: string;
  /** The facts read from the payload, so logs can say what was skipped. */
  run: WorkflowRunFacts;
}

/**
 * Decides on a `workflow_run` webhook body. `payload` is `unknown` and checked here (a malformed
 * body throws `PayloadError`), so the parsed JSON of a request and the `payload` of
 * `@octokit/webhooks` both go in as they are. It reads the facts, applies `checkVerificationRun`
 * and, for the verification run, decides: in this phase it decides nothing and says so
 * (`not-implemented`). It never claims the delivery and writes nothing: a worker claims before it
 * calls this, and records the outcome after (the package README shows the order).
 *
 * @param payload - the `workflow_run` webhook body, as GitHub sent it (checked at run time)
 * @param context - `{ enabled, settings, store }`: a `Governor` fits
 * @throws {@link PayloadError} PAYLOAD_INVALID, naming the field that is missing or mistyped
 */
export async function handleWorkflowRun(payload: unknown, context: HandlerContext): Promise<WorkflowRunOutcome> {
  const run = readWorkflowRun(payload);
  if (!context.enabled) return { action: 'skip', reason: 'disabled', message: 'the Governor is disabled', run };
  const check = checkVerificationRun(run, context.settings);
  if (!check.verification) return { action: 'skip', reason: check.reason, message: check.message, run };
  const message = `${check.message}; the deploy decision is not implemented yet`;
  return { action: 'skip', reason: 'not-implemented', message, run };
}
