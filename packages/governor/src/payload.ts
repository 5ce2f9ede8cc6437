// Reading a `workflow_run` webhook body, which comes from outside: each field the Governor (or a
// worker before it claims) decides on is checked and returned as a fact; nothing else is looked at,
// so GitHub adding fields never breaks the reader.
import { excerpt } from '@booty/config';
import { FULL_SHA_TEXT, toFullSha } from '@booty/release-state';

/** What a `PayloadError` reports: a `workflow_run` body without, or with a mistyped, field the Governor reads. */
export type PayloadErrorCode = 'PAYLOAD_INVALID';

/** A webhook body that lacks, or mistypes, a field the Governor reads. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
  readonly code: PayloadErrorCode = 'PAYLOAD_INVALID';
  constructor(
    /** Dotted path of the offending field, e.g. `workflow_run.head_sha`. */
    readonly field: string,
    /** What the field must be. */
    readonly expected: string,
    /** A short rendering of what arrived instead, escaped. */
    readonly received: string,
  ) {
    super(`workflow_run payload: ${field} must be ${expected}, got ${received}`);
  }
}

/**
 * The mark every copy of this package puts on its `PayloadError`s (`Symbol.for`: one registry per
 * process, so two installed copies agree where `instanceof` does not).
 */
const PAYLOAD_ERROR_BRAND: unique symbol = Symbol.for('@booty/governor:PayloadError');
Object.defineProperty(PayloadError.prototype, PAYLOAD_ERROR_BRAND, { value: true });

/**
 * True for a `PayloadError` thrown by any installed copy of `@booty/governor`.
 *
 * @param error - anything caught
 * @throws Never throws.
 */
export function isPayloadError(error: unknown): error is PayloadError {
  return (
    typeof error === 'object' && error !== null && PAYLOAD_ERROR_BRAND in error && error[PAYLOAD_ERROR_BRAND] === true
  );
}

/** The `action` of a `workflow_run` event. */
export type WorkflowRunAction = 'completed' | 'in_progress' | 'requested';

/** The facts of a `workflow_run` event a worker filters on before it claims, and the Governor decides on. */
export interface WorkflowRunFacts {
  /** `action`: the run was `requested`, is `in_progress`, or `completed`. */
  action: WorkflowRunAction;
  /** `repository.full_name`: the repository the event is for, `owner/name`. */
  repository: string;
  /** `repository.default_branch`: the branch whose pushes reach production. */
  defaultBranch: string;
  /** `installation.id`: the GitHub App installation that received the event; null for a repository webhook. */
  installationId: number | null;
  /** `workflow.id`: the workflow's id, the same for all its runs. */
  workflowId: number;
  /** `workflow.name`: the workflow's name (its `name:`), what `verification_workflow_name` names. */
  workflowName: string;
  /** `workflow.path`: the workflow's file, e.g. `.github/workflows/verify-main.yml`. */
  workflowPath: string;
  /** `workflow_run.id`: this run, the same across its re-runs. */
  runId: number;
  /** `workflow_run.run_attempt`: 1, then one more for each re-run. */
  runAttempt: number;
  /** `workflow_run.event`: what started the run: `push`, `pull_request`, `workflow_dispatch`, ... */
  event: string;
  /** `workflow_run.head_sha`, lower case (upper-case digits are folded, as claims fold them). */
  headSha: string;
  /** `workflow_run.head_branch`; null when GitHub sends none (a tag, a deleted branch). */
  headBranch: string | null;
  /** `workflow_run.head_repository.full_name`: where the commit came from; null when GitHub sends none. */
  headRepository: string | null;
  /**
   * True when the commit came from another repository than `repository` (a fork's pull request),
   * or from one GitHub does not name: a branch called `main` there is not this repository's `main`.
   */
  fork: boolean;
  /** `workflow_run.conclusion`: `success`, `failure`, ...; null until the run completes. */
  conclusion: string | null;
}

const ACTIONS: readonly WorkflowRunAction[] = ['completed', 'in_progress', 'requested'];
const FULL_NAME = /^[\w.-]+\/[\w.-]+$/;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  // Outside text: escaped and cut short, so a payload cannot put an escape sequence in a log.
  if (typeof value === 'string') return excerpt(value, 60);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/** An object's own field (never one inherited from a prototype). */
function own(parent: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(parent, key) ? parent[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) throw new PayloadError(field, 'an object', describe(value));
  return value;
}

function text(parent: Record<string, unknown>, key: string, field: string): string {
  const value = own(parent, key);
  if (typeof value !== 'string') throw new PayloadError(field, 'a string', describe(value));
  return value;
}

function nullableText(parent: Record<string, unknown>, key: string, field: string): string | null {
  const value = own(parent, key);
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new PayloadError(field, 'a string or null', describe(value));
  return value;
}

function positiveInteger(parent: Record<string, unknown>, key: string, field: string): number {
  const value = own(parent, key);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new PayloadError(field, 'a positive integer', describe(value));
  }
  return value;
}

function fullName(parent: Record<string, unknown>, field: string): string {
  const name = text(parent, 'full_name', field);
  if (!FULL_NAME.test(name)) throw new PayloadError(field, 'an "owner/name" string', describe(name));
  return name;
}

function action(body: Record<string, unknown>): WorkflowRunAction {
  const value = own(body, 'action');
  const found = ACTIONS.find((known) => known === value);
  if (found === undefined) throw new PayloadError('action', `one of ${ACTIONS.join(', ')}`, describe(value));
  return found;
}

/** `installation.id` when the event came to a GitHub App; null for a repository webhook. */
function installationId(body: Record<string, unknown>): number | null {
  const installation = own(body, 'installation');
  if (installation === undefined || installation === null) return null;
  return positiveInteger(record(installation, 'installation'), 'id', 'installation.id');
}

/** `workflow_run.head_repository.full_name`, or null when GitHub names no head repository. */
function headRepository(run: Record<string, unknown>): string | null {
  const head = own(run, 'head_repository');
  if (head === undefined || head === null) return null;
  return fullName(record(head, 'workflow_run.head_repository'), 'workflow_run.head_repository.full_name');
}

/**
 * Reads and checks the facts of an untrusted `workflow_run` body (`unknown`: a parsed JSON body,
 * or the `payload` `@octokit/webhooks` hands over). A field that is missing or of the wrong type
 * throws `PayloadError` naming it; a field is refused when missing only if GitHub always sends it.
 *
 * @param payload - the `workflow_run` webhook body, as GitHub sent it
 * @throws {@link PayloadError} PAYLOAD_INVALID, naming the field that is missing or mistyped
 */
export function readWorkflowRun(payload: unknown): WorkflowRunFacts {
  const body = record(payload, '(payload)');
  const repository = record(own(body, 'repository'), 'repository');
  const workflow = record(own(body, 'workflow'), 'workflow');
  const run = record(own(body, 'workflow_run'), 'workflow_run');
  const headSha = toFullSha(own(run, 'head_sha'));
  if (headSha === null) throw new PayloadError('workflow_run.head_sha', FULL_SHA_TEXT, describe(own(run, 'head_sha')));
  const name = fullName(repository, 'repository.full_name');
  const head = headRepository(run);
  return {
    action: action(body),
    repository: name,
    defaultBranch: text(repository, 'default_branch', 'repository.default_branch'),
    installationId: installationId(body),
    workflowId: positiveInteger(workflow, 'id', 'workflow.id'),
    workflowName: text(workflow, 'name', 'workflow.name'),
    workflowPath: text(workflow, 'path', 'workflow.path'),
    runId: positiveInteger(run, 'id', 'workflow_run.id'),
    runAttempt: positiveInteger(run, 'run_attempt', 'workflow_run.run_attempt'),
    event: text(run, 'event', 'workflow_run.event'),
    headSha,
    headBranch: nullableText(run, 'head_branch', 'workflow_run.head_branch'),
    headRepository: head,
    // GitHub compares owner and name without regard to case.
    fork: head === null || head.toLowerCase() !== name.toLowerCase(),
    conclusion: nullableText(run, 'conclusion', 'workflow_run.conclusion'),
  };
}
