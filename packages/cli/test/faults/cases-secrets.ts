// Nothing secret leaves the process: a value from a .env file or a URL is never shown past what
// is safe (a value that spans lines is described, not quoted), a URL whose user info is
// ambiguous is refused before anything is resolved or contacted, and a name or value that
// holds a control character once decoded is refused without being echoed. The secret of each
// case appears nowhere in stdout or stderr.
import { ENABLED_YML } from './case-helpers';
import type { FaultCase } from './cases';

const SECRET = 'hunter2-s3cret';
const ESC = '\u001b[2K';

/** A store URL refused before any contact, from --store-url (no --state-dir beside it). */
const badUrl = (id: string, input: string, url: string, says: string[], hidden: string[] = [SECRET]): FaultCase => ({
  id: `secret ${id}`,
  area: 'state',
  input,
  stateDirArg: null,
  commands: [
    ['state', 'check', '--store-url', url],
    ['state', 'claims', '--store-url', url, '--json'],
    ['state', 'copy', '--from', '{state}', '--to', url, '--json'],
  ],
  expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['cannot be used', ...says], hidden },
});

const ambiguous = (id: string, password: string): FaultCase =>
  badUrl(
    `password with an unencoded ${id}`,
    `a password holding ${id}: parts of it would be taken for a host, a path or parameters`,
    `postgres://booty:${password}@db.example.com:5432/booty`,
    ['percent-encode the password', 'ambiguous'],
  );

export const SECRET_CASES: FaultCase[] = [
  {
    id: 'secret --dotenv stray quote folds the next lines into a value',
    area: 'env',
    input: 'RELEASE_GOVERNOR_COOLDOWN_MINUTES="6 with no closing quote: Node folds PGPASSWORD=… into its value',
    workspace: {
      '.booty.yml': ENABLED_YML,
      'booty.env': `RELEASE_GOVERNOR_COOLDOWN_MINUTES="6\nPGPASSWORD=${SECRET}\nX="\n`,
    },
    commands: [
      ['config', 'validate'],
      ['config', 'validate', '--json'],
      ['governor', 'status', '--json'],
    ].map((args) => [...args, '--dotenv', '{ws}/booty.env']),
    expect: {
      code: 'CONFIG_ENV',
      exit: 2,
      says: ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', '(a value of 3 lines'],
      hidden: [SECRET, 'PGPASSWORD'],
    },
  },
  {
    id: 'secret --dotenv stray quote in the store URL',
    area: 'state',
    input: 'RELEASE_GOVERNOR_STORE_URL="postgres://… with no closing quote in a .env file',
    workspace: {
      '.booty.yml': ENABLED_YML,
      'booty.env': `RELEASE_GOVERNOR_STORE_URL="postgres://booty@db.example.com/booty\nPGPASSWORD=${SECRET}\nX="\n`,
    },
    stateDirArg: null,
    commands: [
      ['state', 'check', '--json'],
      ['governor', 'status', '--json'],
      ['state', 'claims'],
    ].map((args) => [...args, '--dotenv', '{ws}/booty.env']),
    expect: {
      code: 'STATE_INVALID_INPUT',
      exit: 2,
      says: ['spans lines', 'RELEASE_GOVERNOR_STORE_URL'],
      hidden: [SECRET, 'PGPASSWORD'],
    },
  },
  {
    id: 'secret RELEASE_GOVERNOR_STORE_URL spanning lines',
    area: 'state',
    input: 'the variable holds a URL, a newline and a password',
    env: { RELEASE_GOVERNOR_STORE_URL: `postgres://booty@db.example.com/booty\nPGPASSWORD=${SECRET}` },
    stateDirArg: null,
    commands: [
      ['state', 'check'],
      ['governor', 'status', '--json'],
    ],
    expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['spans lines'], hidden: [SECRET] },
  },
  ambiguous('?', `pa?${SECRET}`),
  ambiguous('#', `pa#${SECRET}`),
  ambiguous('/', `pa/${SECRET}`),
  ambiguous('@', `pa@${SECRET}`),
  badUrl(
    'password with ? and a host-like tail',
    'a password "x?sslmode=disable@evil" that would read as a parameter',
    `postgres://booty:12?sslmode=${SECRET}@db.example.com/booty`,
    ['percent-encode the password'],
  ),
  badUrl(
    'user name with a newline once decoded',
    'the user name %0A-encoded',
    `postgres://boo%0Aty:${SECRET}@db.example.com/booty`,
    ['user name holds a control character once decoded'],
  ),
  badUrl(
    'application_name with an escape sequence once decoded',
    'application_name=%1B%5B2K (erase line), shown in every server view of the session',
    `postgres://booty:${SECRET}@db.example.com/booty?application_name=%1B%5B2Kx`,
    ['application_name holds a control character once decoded'],
    [SECRET, ESC],
  ),
  badUrl(
    'database name with a NUL once decoded',
    'the database %00-encoded',
    `postgres://booty:${SECRET}@db.example.com/boo%00ty`,
    ['database holds a control character once decoded'],
  ),
  badUrl(
    'password= as a parameter',
    'the password given as ?password= (a parameter this store does not know)',
    `postgres://booty@db.example.com/booty?password=${SECRET}`,
    ['"password"'],
  ),
];
