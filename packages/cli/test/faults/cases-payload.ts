// workflow_run bodies the public handleWorkflowRun refuses (run in a child process): PAYLOAD_INVALID,
// exit 2, naming the field.
import type { FaultCase, PayloadMutation } from './cases';

const payload = (id: string, mutation: PayloadMutation, field: string): FaultCase => ({
  id: `payload ${id}`,
  area: 'payload',
  input: `workflow_run body: ${id}`,
  payload: mutation,
  expect: { code: 'PAYLOAD_INVALID', exit: 2, says: [field] },
});

export const PAYLOAD_CASES: FaultCase[] = [
  payload('null body', { whole: null }, '(payload)'),
  payload('array body', { whole: [] }, '(payload)'),
  payload('string body', { whole: 'workflow_run' }, '(payload)'),
  payload('no action', { set: { action: undefined } }, 'action'),
  payload('unknown action', { set: { action: 'deleted' } }, 'action'),
  payload(
    '__proto__ carries the action',
    { set: { action: undefined }, rawExtra: '"__proto__": {"action": "completed"}' },
    'action',
  ),
  payload('no repository', { set: { repository: undefined } }, 'repository'),
  payload('full_name without owner', { set: { 'repository.full_name': 'hello' } }, 'repository.full_name'),
  payload('workflow_run is an array', { set: { workflow_run: [] } }, 'workflow_run'),
  payload('run id negative', { set: { 'workflow_run.id': -1 } }, 'workflow_run.id'),
  payload('run id beyond 2^53', { set: { 'workflow_run.id': 2 ** 60 } }, 'workflow_run.id'),
  payload('head_sha abbreviated', { set: { 'workflow_run.head_sha': 'abc1234' } }, 'workflow_run.head_sha'),
  payload('head_sha not hex', { set: { 'workflow_run.head_sha': 'g'.repeat(40) } }, 'workflow_run.head_sha'),
  payload(
    'head_sha 5 MB long',
    { set: { 'workflow_run.head_sha': 'a'.repeat(5 * 1024 * 1024) } },
    'workflow_run.head_sha',
  ),
  payload('head_branch a number', { set: { 'workflow_run.head_branch': 7 } }, 'workflow_run.head_branch'),
  payload(
    'conclusion an object',
    { set: { 'workflow_run.conclusion': { value: 'success' } } },
    'workflow_run.conclusion',
  ),
];
