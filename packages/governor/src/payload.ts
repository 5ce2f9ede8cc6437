import { excerpt } from '@booty/config';
import { FULL_SHA_TEXT, isFullSha } from '@booty/release-state';
import type { WorkflowRunEvent } from '@octokit/webhooks-types';

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
    /** A short rendering of what arrived instead. */
    readonly received: string,
  ) {
    super(`workflow_run payload: ${field} must be ${expected}, got ${received}`);
  }
}

/** The fields of a `workflow_run` event that the Governor acts on. */
export interface WorkflowRunFacts {
  action: WorkflowRunEvent['action'];
  repository: string;
  headSha: string;
  headBranch: string | null;
  workflowName: string | null;
  runId: number;
  conclusion: string | null;
}

const ACTIONS: readonly string[] = ['completed', 'in_progress', 'requested'] satisfies WorkflowRunEvent['action'][];

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  // Outside text: escaped and cut short, so a payload cannot put an escape sequence in a log.
  if (typeof value === 'string') return excerpt(value, 60);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PayloadError(field, 'an object', describe(value));
  }
  return value as Record<string, unknown>;
}

function text(
  parent: Record<string, unknown>,
  key: string,
  field: string,
  valid?: (value: string) => boolean,
  expected = 'a string',
): string {
  const value = Object.hasOwn(parent, key) ? parent[key] : undefined;
  if (typeof value !== 'string' || (valid && !valid(value))) throw new PayloadError(field, expected, describe(value));
  return value;
}

const FULL_NAME = /^[\w.-]+\/[\w.-]+$/;

function nullableText(parent: Record<string, unknown>, key: string, field: string): string | null {
  const value = Object.hasOwn(parent, key) ? parent[key] : undefined;
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new PayloadError(field, 'a string or null', describe(value));
  return value;
}

/**
 * Reads and checks the fields the Governor uses from an untrusted `workflow_run` body. Other
 * fields are not inspected, so GitHub adding fields never breaks the handler.
 */
export function readWorkflowRun(payload: unknown): WorkflowRunFacts {
  const body = record(payload, '(payload)');
  const action = text(body, 'action', 'action');
  if (!ACTIONS.includes(action)) throw new PayloadError('action', `one of ${ACTIONS.join(', ')}`, describe(action));
  const repository = record(Object.hasOwn(body, 'repository') ? body['repository'] : undefined, 'repository');
  const run = record(Object.hasOwn(body, 'workflow_run') ? body['workflow_run'] : undefined, 'workflow_run');
  const runId = Object.hasOwn(run, 'id') ? run['id'] : undefined;
  if (typeof runId !== 'number' || !Number.isSafeInteger(runId) || runId <= 0) {
    throw new PayloadError('workflow_run.id', 'a positive integer', describe(runId));
  }
  return {
    action: action as WorkflowRunFacts['action'],
    repository: text(repository, 'full_name', 'repository.full_name', (name) => FULL_NAME.test(name), 'an "owner/name" string'),
    headSha: text(run, 'head_sha', 'workflow_run.head_sha', isFullSha, FULL_SHA_TEXT),
    headBranch: nullableText(run, 'head_branch', 'workflow_run.head_branch'),
    workflowName: nullableText(run, 'name', 'workflow_run.name'),
    runId,
    conclusion: nullableText(run, 'conclusion', 'workflow_run.conclusion'),
  };
}
