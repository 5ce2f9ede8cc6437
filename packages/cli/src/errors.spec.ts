import { PassThrough } from 'node:stream';
import { CliError, errorJson, exitFor, reportError } from './errors';

const stateError = (code: string, details: Record<string, unknown> = {}) =>
  Object.assign(new Error(`release.json could not be read. Nothing was changed. Run \`booty state check\`.`), {
    name: 'StateError',
    code,
    path: '/state/release.json',
    details,
  });

function captured(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return { stream, text: () => text };
}

describe('exit status and --json shape of every failure', () => {
  test.each([
    ['STATE_INVALID_INPUT', 2],
    ['STATE_CORRUPT', 1],
    ['STATE_LEASE_LOST', 1],
    ['STATE_UNAVAILABLE', 1],
  ])('%s exits %i', (code, status) => {
    expect(exitFor(stateError(code))).toBe(status);
  });

  test('a state error keeps its details', () => {
    expect(errorJson(stateError('STATE_UNAVAILABLE', { reason: 'unreachable', errno: 'ECONNREFUSED' }))).toEqual({
      code: 'STATE_UNAVAILABLE',
      message: expect.stringContaining('release.json'),
      path: '/state/release.json',
      details: { reason: 'unreachable', errno: 'ECONNREFUSED' },
    });
  });

  test("the CLI's own errors are exit 2 with their code and path", () => {
    const error = new CliError('ENV_FILE', '--dotenv /x does not exist.', '/x');
    expect(exitFor(error)).toBe(2);
    expect(errorJson(error)).toEqual({ code: 'ENV_FILE', message: '--dotenv /x does not exist.', path: '/x' });
  });

  test('--json output has no raw bidi or C1 character, and parses back', () => {
    const out = captured();
    const error = Object.assign(stateError('STATE_CORRUPT', { field: 'a\u202eb\u0085' }), {});
    expect(reportError(error, { stdout: out.stream, stderr: new PassThrough(), env: {}, json: true })).toBe(1);
    expect(out.text()).not.toMatch(/[\u202e\u0085]/);
    expect(JSON.parse(out.text())).toMatchObject({ ok: false, error: { details: { field: 'a\u202eb\u0085' } } });
  });

  test('a library message is escaped whole: a newline in it cannot start a forged line', () => {
    const err = captured();
    const error = Object.assign(stateError('STATE_CORRUPT'), { message: 'bad value "x\nerror: all good"' });
    reportError(error, { stdout: new PassThrough(), stderr: err.stream, env: {}, json: false });
    expect(err.text()).toBe('error: bad value "x\\nerror: all good" (STATE_CORRUPT)\n');
  });
});
