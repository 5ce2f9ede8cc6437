import { StateError } from '../src/shared/errors';

/** Awaits a promise that must reject with a StateError, and returns that error for inspection. */
export async function failure(promise: Promise<unknown>): Promise<StateError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateError);
  return error as StateError;
}
