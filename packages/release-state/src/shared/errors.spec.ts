import { isStateError, stateError, StateError } from './errors';

test('isStateError is true for a StateError and false for look-alikes', () => {
  const error = stateError('STATE_CORRUPT', {
    path: '/x',
    reason: 'not-json',
    happened: 'x is broken',
    changed: 'Nothing',
  });
  expect(isStateError(error)).toBe(true);
  expect(isStateError(new StateError('STATE_READ', '/x', 'message'))).toBe(true);
  const lookalike = Object.assign(new Error('x'), {
    name: 'StateError',
    code: 'STATE_CORRUPT',
    path: '/x',
    details: {},
  });
  for (const value of [lookalike, { code: 'STATE_CORRUPT' }, null, undefined, 'StateError', new Error('x')]) {
    expect(isStateError(value)).toBe(false);
  }
});

test('the brand is in the process-wide symbol registry, off the JSON and the own keys', () => {
  const error = new StateError('STATE_READ', '/x', 'message');
  const brand = Symbol.for('@booty/release-state:StateError');
  expect(Reflect.get(error, brand)).toBe(true);
  expect(Object.getOwnPropertySymbols(error)).toEqual([]);
  expect(Object.keys(JSON.parse(JSON.stringify(error))).sort()).toEqual(['code', 'details', 'message', 'name', 'path']);
});
