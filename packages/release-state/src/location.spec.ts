import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveStoreLocation, type ResolveStoreLocationOptions } from './location';
import { StateError } from './shared/errors';
import { redactUrl } from './shared/redact';

const PASSWORD = 's3cr3t-pw';

function refusal(options: ResolveStoreLocationOptions): StateError {
  try {
    resolveStoreLocation(options);
  } catch (error) {
    expect(error).toBeInstanceOf(StateError);
    return error as StateError;
  }
  throw new Error('expected a StateError');
}

/** Everything a caller could print or log about the error. */
const everything = (error: StateError) =>
  `${error.message}\n${error.path}\n${JSON.stringify(error)}\n${String(error.cause ?? '')}`;

describe('resolveStoreLocation', () => {
  let home: string;
  beforeAll(async () => {
    home = await fsp.mkdtemp(path.join(os.tmpdir(), 'booty-rs-loc-'));
  });
  afterAll(async () => {
    await fsp.rm(home, { recursive: true, force: true });
  });

  it('explicit options first, then RELEASE_GOVERNOR_STORE_URL, then the state-directory chain', () => {
    const url = 'postgres://booty@db.example.com/booty';
    const env = { HOME: home, RELEASE_GOVERNOR_STORE_URL: url };
    // `source` says which setting chose the store: messages name it as the thing to correct.
    expect(resolveStoreLocation({ url: 'postgresql://other@db/x', env })).toEqual({
      kind: 'postgres',
      url: 'postgresql://other@db/x',
      source: '--store-url',
    });
    expect(resolveStoreLocation({ stateDir: '/srv/state', env })).toEqual({
      kind: 'file',
      stateDir: '/srv/state',
      source: '--state-dir',
    });
    expect(resolveStoreLocation({ env })).toEqual({ kind: 'postgres', url, source: 'RELEASE_GOVERNOR_STORE_URL' });
    const fromVariable = { kind: 'file', stateDir: '/srv/s', source: 'RELEASE_GOVERNOR_STATE_DIR' };
    expect(resolveStoreLocation({ env: { HOME: home, RELEASE_GOVERNOR_STATE_DIR: '/srv/s' } })).toEqual(fromVariable);
    const byDefault = {
      kind: 'file',
      stateDir: path.join(home, '.booty', 'state'),
      source: 'the default ($HOME/.booty/state)',
    };
    expect(resolveStoreLocation({ env: { HOME: home } })).toEqual(byDefault);
    // The state-directory rule is resolveStateDir's: ~ expands, a relative option is from cwd.
    expect(resolveStoreLocation({ stateDir: '~/st', env: { HOME: home } })).toMatchObject({
      kind: 'file',
      stateDir: path.join(home, 'st'),
    });
    expect(resolveStoreLocation({ stateDir: 'st', cwd: '/w', env: { HOME: home } })).toMatchObject({
      kind: 'file',
      stateDir: '/w/st',
    });
    // Empty variables count as unset.
    expect(
      resolveStoreLocation({
        env: { HOME: home, RELEASE_GOVERNOR_STORE_URL: '', RELEASE_GOVERNOR_STATE_DIR: '/srv/s' },
      }),
    ).toEqual(fromVariable);
    // The caller's own option names: an error then names what the user typed.
    const named = resolveStoreLocation({ stateDir: '/srv/t', env, names: { stateDir: '--to' } });
    expect(named).toEqual({ kind: 'file', stateDir: '/srv/t', source: '--to' });
  });

  it('refuses two stores at one level, naming both, without the password', () => {
    const both = refusal({ url: `postgres://u:${PASSWORD}@db/x`, stateDir: '/srv/state' });
    expect(both).toMatchObject({ code: 'STATE_INVALID_INPUT', details: { reason: 'contradictory' } });
    expect(both.message).toContain('--store-url');
    expect(both.message).toContain('--state-dir');
    const vars = refusal({
      env: { RELEASE_GOVERNOR_STORE_URL: `postgres://u:${PASSWORD}@db/x`, RELEASE_GOVERNOR_STATE_DIR: '/srv/state' },
    });
    expect(vars).toMatchObject({ code: 'STATE_INVALID_INPUT', details: { reason: 'contradictory' } });
    expect(vars.message).toContain('RELEASE_GOVERNOR_STORE_URL');
    expect(vars.message).toContain('RELEASE_GOVERNOR_STATE_DIR');
    for (const error of [both, vars]) expect(everything(error)).not.toContain(PASSWORD);
  });

  it.each([
    ['mysql://u:PW@db/x', 'is not a postgres:// or postgresql:// URL'],
    ['postgres:/u:PW@db/x', 'is not a postgres:// or postgresql:// URL'],
    ['u:PW@db/x', 'is not a postgres:// or postgresql:// URL'],
    ['postgres://u:PW@db:99999999/x', 'does not parse'],
    ['postgres://u:PW@db/x\n', 'spans lines'],
    ['postgres://u:PW@db/x\u0007', 'control character'],
    ['postgres://u:P@W@db:port/x', 'ambiguous'],
  ])('refuses %j as STATE_INVALID_INPUT, never echoing the password', (template, says) => {
    const url = template.replace('PW', PASSWORD).replace('P@W', `${PASSWORD}@x`);
    for (const options of [{ url }, { env: { RELEASE_GOVERNOR_STORE_URL: url } }]) {
      const error = refusal(options);
      expect(error).toMatchObject({ code: 'STATE_INVALID_INPUT', details: { reason: 'bad-url' } });
      expect(error.message).toContain(says);
      expect(error.cause).toBeUndefined();
      expect(everything(error)).not.toContain(PASSWORD);
      expect(everything(error)).not.toContain(PASSWORD.slice(2));
    }
  });

  it('refuses an empty url option', () => {
    expect(refusal({ url: '' }).details.reason).toBe('bad-url');
  });
});

describe('redactUrl', () => {
  it.each([
    ['postgres://booty:pw@db:5432/x', 'postgres://booty@db:5432/x'],
    ['postgres://booty@db/x', 'postgres://booty@db/x'],
    ['postgres://db/x', 'postgres://db/x'],
    ['postgres://booty:p@ss/w@rd@db/x', 'postgres://booty@db/x'],
    [
      'postgres://booty:pw@db/x?sslmode=verify-full&password=pw2',
      'postgres://booty@db/x?sslmode=verify-full&password=***',
    ],
    ['u:pw@db/x', '***@db/x'],
    ['not a url', 'not a url'],
  ])('%j → %j', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});
