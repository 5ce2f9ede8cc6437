// Every file booty reads is read safely: the certificates and key a store URL names and the
// pgpass file, as the --dotenv file and the store's own files already were. A FIFO, a device, a
// directory, a huge file or one others can read is a clear error naming the parameter or the
// variable, before anything is contacted: never a hang, never a file grown into memory.
import { ENABLED_YML } from './case-helpers';
import type { Entry, FaultCase } from './cases';

const SECRET = 'pgpass-s3cret-9d2';
/** A port nothing listens on: a case that got as far as connecting would fail differently. */
const URL = 'postgres://booty@127.0.0.1:1/booty';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** `?parameter=FILE` naming `entry` (placed in the workspace). */
const urlFile = (
  id: string,
  input: string,
  query: string,
  files: Record<string, Entry>,
  says: string[],
  hidden: string[] = [],
): FaultCase => ({
  id: `file ${id}`,
  area: 'state',
  input,
  workspace: { '.booty.yml': ENABLED_YML, ...files },
  stateDirArg: null,
  commands: [
    ['state', 'check', '--store-url', `${URL}?sslmode=verify-full&${query}`],
    ['state', 'claims', '--store-url', `${URL}?sslmode=verify-full&${query}`, '--json'],
  ],
  expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['Nothing was opened, contacted or changed', ...says], hidden },
});

/** PGPASSFILE naming `entry`, for a URL without a password. */
const pgpass = (id: string, input: string, entry: Entry, says: string[]): FaultCase => ({
  id: `file PGPASSFILE ${id}`,
  area: 'state',
  input,
  workspace: { '.booty.yml': ENABLED_YML, pgpass: entry },
  env: { PGPASSFILE: '{ws}/pgpass' },
  stateDirArg: null,
  commands: [
    ['state', 'check', '--store-url', URL],
    ['state', 'claims', '--store-url', URL, '--json'],
  ],
  expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['PGPASSFILE {ws}/pgpass', ...says], hidden: [SECRET] },
});

export const FILE_CASES: FaultCase[] = [
  urlFile(
    'sslrootcert is a FIFO',
    'a named pipe nobody writes to (booty used to hang, deaf to SIGTERM)',
    'sslrootcert={ws}/ca.pem',
    { 'ca.pem': { fifo: true } },
    ['sslrootcert', 'not a regular file'],
  ),
  urlFile(
    'sslrootcert is /dev/zero',
    'an endless device (it grew booty to 4.6 GB in 8 s)',
    'sslrootcert=/dev/zero',
    {},
    ['sslrootcert', 'not a regular file'],
  ),
  urlFile(
    'sslrootcert links to /dev/zero',
    'a link to the endless device',
    'sslrootcert={ws}/ca.pem',
    { 'ca.pem': { symlink: '/dev/zero' } },
    ['sslrootcert', 'not a regular file'],
  ),
  urlFile('sslrootcert is a directory', 'the workspace directory', 'sslrootcert={ws}', {}, [
    'sslrootcert',
    'is a directory',
  ]),
  urlFile('sslrootcert is missing', 'a file that is not there', 'sslrootcert={ws}/missing.pem', {}, [
    'sslrootcert',
    'does not exist',
  ]),
  urlFile(
    'sslrootcert over 4 MiB',
    'a 5 MB file',
    'sslrootcert={ws}/ca.pem',
    { 'ca.pem': { bytes: () => Buffer.from(`${PEM}${'x'.repeat(5 * 1024 * 1024)}`) } },
    ['sslrootcert', 'larger than 4 MiB'],
  ),
  urlFile(
    'sslrootcert is a secret, not a certificate',
    'a slip: the .env file named as the CA',
    'sslrootcert={ws}/booty.env',
    { 'booty.env': `PGPASSWORD=${SECRET}\n` },
    ['sslrootcert', 'is not a PEM file'],
    [SECRET],
  ),
  urlFile(
    'sslkey readable by others',
    'a client key with mode 0644 (libpq refuses it too)',
    'sslcert={ws}/client.pem&sslkey={ws}/client.key',
    { 'client.pem': PEM, 'client.key': { text: PEM.replace(/CERTIFICATE/g, 'PRIVATE KEY'), mode: 0o644 } },
    ['sslkey', 'chmod 600'],
  ),
  urlFile(
    'sslkey is a FIFO',
    'a named pipe where the client key belongs',
    'sslcert={ws}/client.pem&sslkey={ws}/client.key',
    { 'client.pem': PEM, 'client.key': { fifo: true } },
    ['sslkey', 'not a regular file'],
  ),
  urlFile(
    'sslcert is /dev/urandom',
    'a device where the client certificate belongs',
    'sslcert=/dev/urandom&sslkey={ws}/client.key',
    { 'client.key': { text: PEM, mode: 0o600 } },
    ['sslcert', 'not a regular file'],
  ),
  pgpass('is a FIFO', 'a named pipe as the pgpass file (a plain read would hang)', { fifo: true }, [
    'not a regular file',
  ]),
  pgpass('is /dev/zero', 'the endless device as the pgpass file', { symlink: '/dev/zero' }, ['not a regular file']),
  pgpass(
    'readable by others',
    'mode 0644: libpq ignores it with a warning, booty says why it is not used',
    { text: `127.0.0.1:1:booty:booty:${SECRET}\n`, mode: 0o644 },
    ['chmod 600'],
  ),
  pgpass('is a directory', 'a directory as the pgpass file', { dir: true }, ['is a directory']),
];
