// The store URL, parsed before anything is read, resolved or contacted: ambiguous user info is
// refused (a password fragment must never be shown as a host or a parameter, nor looked up),
// every decoded name and value is checked for control characters, and TLS is left out by
// default only for loopback addresses and unix sockets, decided on the address as written.
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StateError } from '../shared/errors';
import { passwordFromEnvironment } from './pgpass';
import { readTlsFiles } from './tls';
import { isLoopback, parsePostgresUrl } from './url';

const SECRET = 'Zq9fragment';

function refusal(url: string, source?: string): StateError {
  try {
    parsePostgresUrl(url, source);
  } catch (error) {
    expect(error).toBeInstanceOf(StateError);
    return error as StateError;
  }
  throw new Error(`expected ${url} to be refused`);
}

const everything = (error: StateError) =>
  `${error.message}\n${error.path}\n${JSON.stringify(error)}\n${String(error.cause ?? '')}`;

describe('parsePostgresUrl', () => {
  it.each([
    [`postgres://booty:pa?${SECRET}@db.example.com/booty`, 'after the host part'],
    [`postgres://booty:pa#${SECRET}@db.example.com/booty`, 'after the host part'],
    [`postgres://booty:pa/${SECRET}@db.example.com/booty`, 'after the host part'],
    [`postgres://booty:pa@${SECRET}@db.example.com/booty`, 'more than one @'],
    [`postgres://booty:12?sslmode=${SECRET}@db.example.com/booty`, 'after the host part'],
  ])('refuses ambiguous user info %j with "percent-encode the password", never showing the password', (url, says) => {
    const error = refusal(url, '--store-url');
    expect(error).toMatchObject({ code: 'STATE_INVALID_INPUT', details: { reason: 'bad-url', field: 'password' } });
    expect(error.message).toContain(says);
    expect(error.message).toContain('percent-encode the password');
    expect(error.message).toContain('correct --store-url');
    expect(everything(error)).not.toContain(SECRET);
  });

  it('reads the same password percent-encoded', () => {
    const target = parsePostgresUrl(`postgres://booty:${encodeURIComponent(`pa?#/@${SECRET}`)}@db.example.com/booty`);
    expect(target).toMatchObject({
      host: 'db.example.com',
      user: 'booty',
      password: `pa?#/@${SECRET}`,
      database: 'booty',
    });
    expect(target.location).toBe('postgres://booty@db.example.com/booty');
  });

  it.each([
    ['postgres://bo%0Aoty@db.example.com/booty', 'user name'],
    ['postgres://booty:p%00w@db.example.com/booty', 'password'],
    ['postgres://booty@db.example.com/boo%1Bty', 'database'],
    ['postgres://booty@db%0Aexample.com/booty', 'host'],
    ['postgres://booty@db.example.com/booty?application_name=%1B%5B2Kx', 'application_name'],
    ['postgres://booty@db.example.com/booty?sslrootcert=%2Fca.pem%0A', 'sslrootcert'],
    ['postgres://booty@db.example.com/booty?host=%2Ftmp%0D', 'host'],
    ['postgres://booty@db.example.com/booty?%0Aschema=x', 'url'],
  ])('checks %j for control characters after decoding (%s)', (url, field) => {
    const error = refusal(url, 'RELEASE_GOVERNOR_STORE_URL');
    expect(error).toMatchObject({ code: 'STATE_INVALID_INPUT', details: { field } });
    expect(error.message).toMatch(/control character/);
    expect(error.message).toContain('correct RELEASE_GOVERNOR_STORE_URL');
    // eslint-disable-next-line no-control-regex
    expect(error.message).not.toMatch(/[\u0000-\u001f]/);
  });

  it('describes a URL that spans lines instead of quoting it: the next line of a .env file is not shown', () => {
    const error = refusal(`postgres://booty@db/x\nPGPASSWORD=${SECRET}`, 'RELEASE_GOVERNOR_STORE_URL');
    expect(error.message).toContain('spans lines');
    expect(everything(error)).not.toContain(SECRET);
  });

  it('decides "loopback" on the address as written, never on how a name begins', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
      'localhost',
      'LOCALHOST',
      '/var/run/postgresql',
    ]) {
      expect({ host, loopback: isLoopback(host) }).toEqual({ host, loopback: true });
    }
    for (const host of [
      '127.example.com',
      '127.0.0.1.nip.io',
      'localhost.example.com',
      '::2',
      '128.0.0.1',
      '10.0.0.1',
      'db',
    ]) {
      expect({ host, loopback: isLoopback(host) }).toEqual({ host, loopback: false });
    }
    expect(parsePostgresUrl('postgres://booty@127.example.com/booty').sslMode).toBe('verify-full');
    expect(parsePostgresUrl('postgres://booty@[::1]/booty').sslMode).toBe('disable');
    expect(parsePostgresUrl('postgres://booty@127.0.0.1/booty').sslMode).toBe('disable');
  });

  it('takes a client certificate only with its key', () => {
    expect(refusal('postgres://booty@db/x?sslcert=/c.pem').details.field).toBe('sslkey');
    expect(parsePostgresUrl('postgres://booty@db/x?sslcert=/c.pem&sslkey=/k.pem').sslFiles).toEqual({
      sslcert: '/c.pem',
      sslkey: '/k.pem',
    });
  });
});

describe('the files a URL names, read when the store opens', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'booty-rs-tls-'));
  });
  afterAll(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });
  const tlsRefusal = (params: string) => {
    const target = parsePostgresUrl(`postgres://booty@db.example.com/booty?${params}`, '--store-url');
    try {
      readTlsFiles(target);
    } catch (error) {
      return error as StateError;
    }
    throw new Error(`expected ${params} to be refused`);
  };

  it('refuses a FIFO, a device, a directory, a missing file and a file that is not PEM, naming the parameter', async () => {
    const fifo = path.join(dir, 'ca.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await fsp.writeFile(path.join(dir, 'secret.txt'), `TOKEN=${SECRET}\n`);
    const cases: [string, string][] = [
      [`sslrootcert=${fifo}`, 'not a regular file'],
      ['sslrootcert=/dev/zero', 'not a regular file'],
      [`sslrootcert=${dir}`, 'is a directory'],
      [`sslrootcert=${dir}/missing.pem`, 'does not exist'],
      [`sslrootcert=${dir}/secret.txt`, 'is not a PEM file'],
    ];
    for (const [params, says] of cases) {
      const error = tlsRefusal(params);
      expect(error).toMatchObject({ code: 'STATE_INVALID_INPUT', details: { field: 'sslrootcert' } });
      expect(error.message).toContain(says);
      expect(error.message).toContain('in --store-url');
      expect(everything(error)).not.toContain(SECRET);
    }
  });

  it('refuses a private key that others can read, as libpq does', async () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    const cert = path.join(dir, 'client.pem');
    const key = path.join(dir, 'client.key');
    await fsp.writeFile(cert, pem.replace(/PRIVATE KEY/g, 'CERTIFICATE'));
    await fsp.writeFile(key, pem, { mode: 0o644 });
    await fsp.chmod(key, 0o644);
    const error = tlsRefusal(`sslcert=${cert}&sslkey=${key}`);
    expect(error).toMatchObject({ code: 'STATE_INVALID_INPUT', details: { field: 'sslkey' } });
    expect(error.message).toContain(`chmod 600 ${key}`);
    await fsp.chmod(key, 0o600);
    const target = parsePostgresUrl(`postgres://booty@db.example.com/booty?sslcert=${cert}&sslkey=${key}`);
    expect(readTlsFiles(target)).toMatchObject({ key: pem, ca: undefined });
  });

  it('reads pgpass safely: a FIFO, a device or a file others can read is an error naming it, never a hang or a silent skip', async () => {
    const wanted = { host: 'db', port: 5432, database: 'booty', user: 'booty' };
    const fifo = path.join(dir, 'pgpass.fifo');
    expect(spawnSync('mkfifo', ['-m', '600', fifo]).status).toBe(0);
    const open = path.join(dir, 'pgpass-open');
    await fsp.writeFile(open, `db:5432:booty:booty:${SECRET}\n`);
    await fsp.chmod(open, 0o644);
    for (const [file, says] of [
      [fifo, 'not a regular file'],
      ['/dev/zero', 'not a regular file'],
      [open, 'chmod 600'],
    ] as const) {
      let error: StateError | undefined;
      try {
        passwordFromEnvironment(wanted, { PGPASSFILE: file });
      } catch (caught) {
        error = caught as StateError;
      }
      expect(error).toMatchObject({ code: 'STATE_INVALID_INPUT', details: { field: 'PGPASSFILE' } });
      expect(error?.message).toContain(says);
      expect(error?.message).toContain(`PGPASSFILE ${file}`);
      expect(everything(error as StateError)).not.toContain(SECRET);
    }
    await fsp.chmod(open, 0o600);
    expect(passwordFromEnvironment(wanted, { PGPASSFILE: open })).toEqual({
      password: SECRET,
      passwordFrom: `the pgpass file ${open}`,
    });
    expect(passwordFromEnvironment(wanted, { PGPASSFILE: path.join(dir, 'none') })).toEqual({
      password: undefined,
      passwordFrom: 'no password',
    });
    expect(passwordFromEnvironment(wanted, { PGPASSWORD: 'from-env', PGPASSFILE: fifo })).toEqual({
      password: 'from-env',
      passwordFrom: 'PGPASSWORD',
    });
  });
});
