// Building blocks that more than one part of the schema uses (the top-level keys and the service
// blocks alike), so that a list of paths or a "no upper limit" means the same thing everywhere, and
// every part is frozen where it is defined, whichever module a reader imports it from.
import { NOT_BLANK } from './schema-patterns';

/** The upper limit of a count that has no limit of its own: larger whole numbers are not exact in JavaScript. */
export const MAX_INT = Number.MAX_SAFE_INTEGER;

/** A list of paths or pathspecs, none of them blank. */
export const pathList = { type: 'array', items: { type: 'string', minLength: 1, pattern: NOT_BLANK } } as const;

/**
 * Freezes `value` and everything in it, so that nobody can change what the loader validates.
 * Stops at what is already frozen (a part that another part holds).
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
