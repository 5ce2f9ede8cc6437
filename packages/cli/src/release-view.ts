// How a release state is shown to the person on call (`governor status`, `state show`): one row
// per release.json field, `(none)` for null, values as text (escaped by the caller's writer).
import type { ReleaseState } from '@booty/release-state';

/** `[field:, value]` rows for `columns`, in the order of `fields` (the library's RELEASE_STATE_FIELDS). */
export function stateRows(state: ReleaseState, fields: readonly string[]): string[][] {
  return fields.map((field) => [`${field}:`, show(state[field])]);
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
