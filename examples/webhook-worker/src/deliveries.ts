// One webhook delivery, in the order that keeps exactly-once sound:
//
//   read     the body, checked (readWorkflowRun): a malformed one is refused, nothing is claimed
//   filter   is it the verification run? (checkVerificationRun): another workflow of the same push,
//            a re-run's failure, a fork's pull request on a branch named main never claim
//   claim    the (repository, commit) with a lease: exactly one delivery across every worker wins
//   decide   the Governor's decision (handleWorkflowRun), after the answer: GitHub wants one in 10 s;
//            the lease is renewed while the work goes on, and a renewal that finds the claim taken
//            over stops the work
//   record   the repository's release state and the claim's completion, in one critical section
//            fenced by the claim's attempt: both or neither, and nothing for a holder that lost it
//
// Each step's result maps to the HTTP answer GitHub sees (the table in @booty/governor's README).
import {
  checkVerificationRun,
  handleWorkflowRun,
  isPayloadError,
  isStateError,
  readWorkflowRun,
  type ClaimResult,
  type EnabledGovernor,
  type FencedClaim,
  type Governor,
  type ReleaseState,
  type ReleaseStore,
  type WorkflowRunFacts,
  type WorkflowRunOutcome,
} from '@booty/governor';

/** A request as the server got it: the three GitHub headers and the raw body. */
export interface Delivery {
  id: string;
  event: string;
  body: string;
}

/** What to answer, and the work that goes on after the answer (decide and record). */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  after?: () => Promise<void>;
}

export interface WorkerOptions {
  governor: Governor;
  /** How long a claim is ours before another worker may take it over. */
  leaseMs: number;
  /** Stands for the time the decision's calls to GitHub take (the deploy dispatch, next phase). */
  workDelayMs: number;
  /** One JSON line per step worth knowing, for the operator (and the tests). */
  log: (line: Record<string, unknown>) => void;
}

function json(status: number, body: Record<string, unknown>, headers?: Record<string, string>): Answer {
  return headers === undefined ? { status, body } : { status, body, headers };
}

/** Answers one signed delivery. The signature was checked by the caller. */
export async function answerDelivery(delivery: Delivery, options: WorkerOptions): Promise<Answer> {
  const { governor } = options;
  if (delivery.event === 'ping') return json(200, { pong: true });
  if (delivery.event !== 'workflow_run') return json(200, { ignored: 'not-workflow-run' });

  // read
  let payload: unknown;
  let run: WorkflowRunFacts;
  try {
    payload = JSON.parse(delivery.body);
    run = readWorkflowRun(payload);
  } catch (error) {
    if (error instanceof SyntaxError) return json(400, { error: 'the body is not JSON' });
    if (isPayloadError(error)) return json(400, { error: error.message, field: error.field });
    throw error;
  }

  // filter
  if (!governor.enabled) return json(200, { ignored: 'disabled', message: governor.reason.message });
  const check = checkVerificationRun(run, governor.settings);
  if (!check.verification) return json(200, { ignored: check.reason, message: check.message });

  // claim
  const key = { repo: run.repository, headSha: run.headSha };
  let claim: ClaimResult;
  try {
    claim = await governor.store.deliveries.claim({ ...key, deliveryId: delivery.id, leaseMs: options.leaseMs });
  } catch (error) {
    // Nothing was decided: GitHub's redelivery (or the operator's) may try again.
    if (isStateError(error) && (error.code === 'STATE_UNAVAILABLE' || error.code === 'STATE_LOCK_TIMEOUT')) {
      return json(503, { error: error.message, code: error.code });
    }
    throw error;
  }
  const { record } = claim;
  if (!claim.claimed) {
    if (record.completedAt !== null || record.leaseExpiresAt === null) {
      return json(200, { duplicate: true, handledBy: record.deliveryId, outcome: record.outcome });
    }
    // Another delivery holds a running lease. Not done yet: if its holder dies, a redelivery
    // after the lease ends takes the claim over (GitHub lists this delivery as failed, ready for it).
    const seconds = Math.max(1, Math.ceil((Date.parse(record.leaseExpiresAt) - Date.now()) / 1000));
    return json(
      409,
      { inProgress: true, holder: record.deliveryId, leaseExpiresAt: record.leaseExpiresAt, attempt: record.attempt },
      { 'retry-after': String(seconds) },
    );
  }
  options.log({
    step: 'claimed',
    delivery: delivery.id,
    key: record.key,
    attempt: record.attempt,
    takeover: claim.takeover,
  });
  return {
    status: 202,
    body: { claimed: true, attempt: record.attempt, takeover: claim.takeover, leaseExpiresAt: record.leaseExpiresAt },
    after: () => decideAndRecord(payload, run, delivery.id, record.attempt, governor, options),
  };
}

/**
 * The repository's release state after the decision. The Governor decides nothing yet (every
 * outcome is a skip), so nothing changes; an ALLOW will set `last_deploy_attempt_sha` and the
 * deploy's time here.
 */
function nextState(state: ReleaseState, _outcome: WorkflowRunOutcome): ReleaseState {
  return state;
}

/**
 * Renews the claim's lease every third of it while the work goes on (GitHub had its answer; the
 * work may outlast the lease). The first renewal that fails (STATE_LEASE_LOST: the claim was
 * taken over, e.g. after this process was paused past its lease) stops the work: `during(work)`
 * rejects with that error.
 */
function keepLease(store: ReleaseStore, claim: FencedClaim, leaseMs: number) {
  let fail: (error: unknown) => void = () => undefined;
  const lost = new Promise<never>((_, reject) => (fail = reject));
  lost.catch(() => undefined);
  const timer = setInterval(
    () => {
      store.deliveries.extend({ ...claim, leaseMs }).catch((error: unknown) => {
        clearInterval(timer);
        fail(error);
      });
    },
    Math.max(1, Math.floor(leaseMs / 3)),
  );
  return {
    during: <T>(work: Promise<T>): Promise<T> => Promise.race([work, lost]),
    stop: () => clearInterval(timer),
  };
}

async function decideAndRecord(
  payload: unknown,
  run: WorkflowRunFacts,
  deliveryId: string,
  attempt: number,
  governor: EnabledGovernor,
  options: WorkerOptions,
): Promise<void> {
  const { store } = governor;
  const claim: FencedClaim = { repo: run.repository, headSha: run.headSha, deliveryId, attempt };
  const lease = keepLease(store, claim, options.leaseMs);
  try {
    // Stands for the decision's calls to GitHub (the deploy dispatch, next phase).
    if (options.workDelayMs > 0) await lease.during(new Promise((resolve) => setTimeout(resolve, options.workDelayMs)));

    // decide
    const outcome = await lease.during(handleWorkflowRun(payload, governor));
    options.log({ step: 'decided', delivery: deliveryId, sha: run.headSha, attempt, outcome: outcome.reason });
    lease.stop();

    // record: the repository's release state and the claim's completion in one critical section,
    // fenced by the attempt. A holder whose claim was taken over gets STATE_LEASE_LOST and writes
    // nothing; a crash leaves both done or neither (the claim is then taken over after its lease).
    await store.updateState((state) => nextState(state, outcome), {
      repo: run.repository,
      claim,
      complete: { outcome: outcome.reason },
    });
    options.log({ step: 'recorded', delivery: deliveryId, sha: run.headSha, attempt, outcome: outcome.reason });
  } catch (error) {
    if (isStateError(error) && error.code === 'STATE_LEASE_LOST') {
      options.log({ step: 'lease-lost', delivery: deliveryId, attempt, message: error.message });
      return;
    }
    throw error;
  } finally {
    lease.stop();
  }
}
