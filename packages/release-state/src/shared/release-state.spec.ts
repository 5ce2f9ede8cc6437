import fc from 'fast-check';
import { StateError } from './errors';
import {
  parseReleaseState,
  RELEASE_STATE_FIELDS,
  serializeReleaseState,
  skeletonState,
  validateNextState,
  type ReleaseState,
} from './release-state';

const FILE = '/state/release.json';
const bytes = (text: string) => Buffer.from(text, 'utf8');

function errorOf(fn: () => unknown): StateError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StateError);
    return error as StateError;
  }
  throw new Error('expected a StateError');
}

describe('release.json format', () => {
  it('lists the six fields of the Python implementation, in order', () => {
    expect(RELEASE_STATE_FIELDS).toEqual([
      'production_sha_current',
      'production_sha_previous',
      'last_deploy_attempt_sha',
      'last_deploy_time',
      'last_deploy_result',
      'last_health_check',
    ]);
  });

  it('starts with every field null and a format version', () => {
    const text = serializeReleaseState(skeletonState(), FILE).toString();
    expect(JSON.parse(text)).toEqual({
      format_version: 1,
      production_sha_current: null,
      production_sha_previous: null,
      last_deploy_attempt_sha: null,
      last_deploy_time: null,
      last_deploy_result: null,
      last_health_check: null,
    });
    expect(text.endsWith('\n')).toBe(true);
  });

  it("reads the Python implementation's file as it is: pending result, offset times, deploy_history", () => {
    const python = {
      production_sha_current: null,
      production_sha_previous: null,
      last_deploy_attempt_sha: null,
      last_deploy_time: '2026-02-16T12:00:00.123456+00:00',
      last_deploy_result: 'pending',
      last_health_check: '2026-02-16T12:00:00',
      deploy_history: [{ sha: 'a'.repeat(40), time: '2026-02-16T12:00:00+00:00', result: 'success' }],
    };
    const state = parseReleaseState(bytes(JSON.stringify(python)), FILE);
    expect(state).toEqual(python);
    expect(state.format_version).toBeUndefined();
  });

  it('reads a missing known field as null', () => {
    expect(parseReleaseState(bytes('{"production_sha_current": null}'), FILE).last_health_check).toBeNull();
  });

  it.each([
    ['', 'empty'],
    ['{"production_sha_current": ', 'not-json'],
    ['[1,2]', 'not-object'],
    ['null', 'not-object'],
    ['{"last_deploy_result": "maybe"}', 'bad-field'],
    ['{"production_sha_current": 42}', 'bad-field'],
    ['{"format_version": "1"}', 'bad-field'],
    ['{"format_version": 2}', 'unsupported-format-version'],
  ])('refuses %j as STATE_CORRUPT (%s), naming the file and the fix', (text, reason) => {
    const error = errorOf(() => parseReleaseState(bytes(text), FILE));
    expect(error.code).toBe('STATE_CORRUPT');
    expect(error.details.reason).toBe(reason);
    expect(error.path).toBe(FILE);
    expect(error.message).toContain(FILE);
    expect(error.message).toContain('not changed');
  });

  const SHA = 'a'.repeat(40);
  const read = (fields: Record<string, unknown>) => parseReleaseState(bytes(JSON.stringify(fields)), FILE);

  it.each([
    ['production_sha_current', 'abc; rm -rf /'],
    ['production_sha_previous', 'abc1234'],
    ['last_deploy_attempt_sha', 'A'.repeat(40)],
    ['production_sha_current', `${SHA}\n`],
    ['production_sha_current', 'a'.repeat(41)],
    ['last_deploy_time', 'yesterday'],
    ['last_deploy_time', '2026-02-30T12:00:00'],
    ['last_deploy_time', '2026-02-16 12:00:00'],
    ['last_health_check', '2026-02-16T25:00:00Z'],
    ['last_health_check', '2026-02-16T12:00:00+24:00'],
    ['last_deploy_result', 'success\nlast_deploy_result: failure'],
    ['last_deploy_result', 'succeeded'],
  ])('reads "%s": %j as STATE_CORRUPT: values read meet the rules of values written', (field, value) => {
    const error = errorOf(() => read({ [field]: value }));
    expect(error).toMatchObject({ code: 'STATE_CORRUPT', path: FILE, details: { field } });
    // A value that spans lines is described, never quoted (what follows a line break is not its own).
    const shown = value.includes('\n')
      ? `(a value of 2 lines, ${value.length} characters, not shown)`
      : JSON.stringify(value.slice(0, 40)).slice(0, -1);
    expect(error.message).toContain(`"${field}": ${shown}`);
    expect(error.message).toContain('booty state reset release');
    // The message quotes the value as JSON: no raw newline can forge a line.
    expect(error.message).not.toContain('\n');
  });

  it('names a control character as such, and quotes at most 40 characters of a long value', () => {
    expect(errorOf(() => read({ production_sha_current: `${SHA.slice(0, 20)}\u001b[2K` })).details.reason).toBe(
      'control-character',
    );
    const long = errorOf(() => read({ last_deploy_time: 'x'.repeat(5000) }));
    expect(long.message).toContain('(5000 characters)');
    expect(long.message.length).toBeLessThan(400);
  });

  it.each([
    ['2026-02-16T12:00:00'],
    ['2026-02-16T12:00:00.123456'],
    ['2026-02-16T12:00:00+00:00'],
    ['2026-02-16T12:00:00.123456+05:30'],
    ['2026-02-16T12:00:00-08:00'],
    ['2026-02-16T12:00:00.000Z'],
    ['2024-02-29T23:59:59Z'],
  ])("accepts Python's datetime.isoformat() form %j as a time", (time) => {
    expect(read({ last_deploy_time: time, last_health_check: time })).toMatchObject({
      last_deploy_time: time,
      last_health_check: time,
    });
  });

  it('accepts a result in any case (the Python forms) and reads it in lower case; SHA-256 ids too', () => {
    expect(read({ last_deploy_result: 'SUCCESS' }).last_deploy_result).toBe('success');
    expect(read({ last_deploy_result: 'Failure' }).last_deploy_result).toBe('failure');
    expect(read({ production_sha_current: 'b'.repeat(64) }).production_sha_current).toBe('b'.repeat(64));
  });

  it('checks deploy_history entries by the same rules, and keeps their unknown keys', () => {
    const entry = { sha: SHA, time: '2026-02-16T12:00:00+00:00', result: 'SUCCESS', run: 7 };
    expect(read({ deploy_history: [entry, { sha: SHA, time: null, result: null }] }).deploy_history).toEqual([
      entry,
      { sha: SHA, time: null, result: null },
    ]);
    expect(read({ deploy_history: null }).deploy_history).toBeNull();
    const bad: [unknown, string][] = [
      [{ sha: 'abc; rm -rf /', time: entry.time, result: 'success' }, '"deploy_history"[0].sha'],
      [{ sha: SHA, time: 'yesterday', result: 'success' }, '"deploy_history"[0].time'],
      [{ sha: SHA, time: entry.time, result: 'ok\nforged' }, '"deploy_history"[0].result'],
      [{ time: entry.time, result: 'success' }, '"deploy_history"[0].sha: missing'],
      ['a string', '"deploy_history"[0]'],
    ];
    for (const [value, says] of bad) {
      const error = errorOf(() => read({ deploy_history: [value] }));
      expect(error).toMatchObject({ code: 'STATE_CORRUPT', details: { reason: 'bad-entry', field: 'deploy_history' } });
      expect(error.message).toContain(says);
    }
    expect(errorOf(() => read({ deploy_history: { sha: SHA } })).message).toContain('expected a list');
    expect(errorOf(() => read({ deploy_history: Array.from({ length: 25 }, () => entry) })).message).toContain(
      '25 "deploy_history" entries',
    );
    expect(read({ deploy_history: Array.from({ length: 24 }, () => entry) }).deploy_history).toHaveLength(24);
  });

  it('gives line and column of a JSON syntax error', () => {
    const error = errorOf(() => parseReleaseState(bytes('{\n  "a": 1,\n  oops\n}'), FILE));
    expect(error.details).toMatchObject({ reason: 'not-json', line: 3, column: 3 });
    expect(error.message).toContain(`${FILE}:3:3`);
  });

  it('refuses bytes that are not UTF-8', () => {
    const error = errorOf(() => parseReleaseState(Buffer.from([0x7b, 0xff, 0x7d]), FILE));
    expect(error.details.reason).toBe('not-utf8');
  });

  it('writes the format version, the six fields in order, then unknown fields as they were', () => {
    const state = {
      ...skeletonState(),
      zeta: 1,
      deploy_history: [],
      production_sha_current: 'a'.repeat(40),
    } as ReleaseState;
    const keys = Object.keys(JSON.parse(serializeReleaseState(state, FILE).toString()) as object);
    expect(keys).toEqual(['format_version', ...RELEASE_STATE_FIELDS, 'zeta', 'deploy_history']);
  });

  it('keeps every unknown field through parse → serialize → parse (property)', () => {
    const reserved = new Set<string>([...RELEASE_STATE_FIELDS, 'format_version', 'deploy_history']);
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string().filter((key) => !reserved.has(key)),
          fc.jsonValue(),
        ),
        (extra) => {
          const original = { ...skeletonState(), ...extra };
          const text = JSON.stringify(original);
          const once = parseReleaseState(bytes(text), FILE);
          const again = parseReleaseState(serializeReleaseState(once, FILE), FILE);
          expect(again).toEqual(JSON.parse(text));
        },
      ),
    );
  });
});

describe('validateNextState', () => {
  const current = parseReleaseState(
    bytes(JSON.stringify({ ...skeletonState(), format_version: undefined, last_deploy_time: '2026-02-16T12:00:00' })),
    FILE,
  );

  it('accepts well-formed changes and sets the format version', () => {
    const next = validateNextState(
      {
        ...current,
        production_sha_current: 'a'.repeat(40),
        last_deploy_time: '2026-02-17T10:00:00.000Z',
        last_deploy_result: 'success',
        last_health_check: '2026-02-17T10:05:00+00:00',
      },
      current,
      FILE,
    );
    expect(next.format_version).toBe(1);
    expect(next.production_sha_current).toBe('a'.repeat(40));
  });

  it('accepts values it did not change, even when they would not be written today (Python naive time)', () => {
    expect(validateNextState({ ...current }, current, FILE).last_deploy_time).toBe('2026-02-16T12:00:00');
  });

  it.each([
    [{ production_sha_current: 'abc123' }, 'production_sha_current'],
    [{ production_sha_current: 'A'.repeat(40) }, 'production_sha_current'],
    [{ last_deploy_time: '2026-02-17 10:00' }, 'last_deploy_time'],
    [{ last_deploy_time: '2026-02-17T10:00:00+02:00' }, 'last_deploy_time'],
    [{ last_deploy_result: 'done' }, 'last_deploy_result'],
    [{ last_health_check: 5 }, 'last_health_check'],
    [{ production_sha_previous: undefined }, 'production_sha_previous'],
    [{ format_version: 7 }, 'format_version'],
  ])('refuses %j as STATE_INVALID_INPUT naming %s', (change, field) => {
    const error = errorOf(() => validateNextState({ ...current, ...change }, current, FILE));
    expect(error.code).toBe('STATE_INVALID_INPUT');
    expect(error.details.field).toBe(field);
    expect(error.message).toContain('not changed');
  });

  it('checks a deploy_history the callback changed, and passes one it left alone', () => {
    const error = errorOf(() =>
      validateNextState({ ...current, deploy_history: [{ sha: 'nope', time: null, result: null }] }, current, FILE),
    );
    expect(error).toMatchObject({ code: 'STATE_INVALID_INPUT', details: { field: 'deploy_history' } });
    const history = [{ sha: 'a'.repeat(40), time: '2026-02-16T12:00:00', result: 'success' }];
    const withHistory = { ...current, deploy_history: history } as ReleaseState;
    expect(validateNextState({ ...withHistory }, withHistory, FILE).deploy_history).toBe(history);
  });

  it.each([[null], [[]], ['state'], [undefined]])('refuses a callback result of %j', (value) => {
    expect(errorOf(() => validateNextState(value, current, FILE)).details.reason).toBe('not-object');
  });

  it('refuses values JSON cannot hold', () => {
    const error = errorOf(() => serializeReleaseState({ ...skeletonState(), big: BigInt(1) } as ReleaseState, FILE));
    expect(error.code).toBe('STATE_INVALID_INPUT');
  });
});
