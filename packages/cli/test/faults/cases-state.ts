// Hardening cases of the state directory and release.json: the one resolution rule, advice that fits,
// values read meeting the rules of values written.
import type { FaultCase } from './cases';

const SHA = 'a'.repeat(40);
const TIME = '2026-02-16T12:00:00+00:00';
const PASSWORD = 'hunter2-pw';

/** release.json holding `fields` (a Python-style file: no format_version). */
const releaseJson = (fields: Record<string, unknown>): string => `${JSON.stringify(fields)}\n`;

/** A release.json value that breaks its field's rule: STATE_CORRUPT, exit 1, naming the field. */
const badValue = (
  id: string,
  input: string,
  fields: Record<string, unknown>,
  says: string[],
  hidden: string[] = [],
): FaultCase => ({
  id: `state ${id}`,
  area: 'state',
  input,
  state: { files: { 'release.json': releaseJson(fields) } },
  expect: {
    code: 'STATE_CORRUPT',
    exit: 1,
    says: ['{state}/release.json', 'not changed', 'booty state reset release', ...says],
    hidden,
  },
});

/** No usable home: HOME as given, booty run as nobody (whose password-database home does not exist). */
const noHome = (id: string, home: string | null, says: string[], stateDirArg: string | null = null): FaultCase => ({
  id: `state ${id}`,
  area: 'state',
  input:
    (home === null ? 'HOME unset' : `HOME=${JSON.stringify(home)}`) +
    (stateDirArg === null ? ', no --state-dir or RELEASE_GOVERNOR_STATE_DIR' : `, --state-dir ${stateDirArg}`) +
    ': never the current directory',
  state: { create: 'none' },
  home,
  stateDirArg,
  expect: {
    code: 'STATE_INVALID_INPUT',
    exit: 2,
    says: [...says, 'RELEASE_GOVERNOR_STATE_DIR', '--state-dir', 'password database'],
    saysNot: ['{ws}/.booty/state'],
  },
});

/** A claim whose lease runs until 2999, as this version writes it (the layout is the library's). */
const LEASED = {
  [`deliveries/octo-org%2Fweb%3A${SHA}.json`]: `${JSON.stringify({
    format_version: 1,
    key: `octo-org/web:${SHA}`,
    deliveryId: 'worker-7',
    recordedAt: '2026-12-01T00:00:00.000Z',
    attempt: 1,
    leaseExpiresAt: '2999-01-01T00:00:00.000Z',
    completedAt: null,
    outcome: null,
  })}\n`,
  'deliveries/.ledger.json': `${JSON.stringify({
    format_version: 1,
    python_source: 'absent',
    last_prune: null,
    entry_names: 'case-folded',
  })}\n`,
};

export const STATE_CASES: FaultCase[] = [
  // --- where the state directory is: one rule, never the current directory -------------------
  noHome('HOME unset', null, ['HOME is not set', 'does not exist']),
  noHome('HOME empty', '', ['HOME is empty', 'does not exist']),
  noHome('HOME relative', 'home', ['HOME is "home", not an absolute path', 'does not exist']),
  noHome('HOME unset, --state-dir ~/st', null, ['HOME is not set', 'does not exist'], '~/st'),
  {
    id: 'state HOME names a directory that does not exist',
    area: 'state',
    input: 'HOME points at a missing directory: booty must not create a home',
    state: { create: 'none' },
    env: { HOME: '{root}/no-such-home' },
    stateDirArg: null,
    expect: {
      code: 'STATE_INVALID_INPUT',
      exit: 2,
      says: ['{root}/no-such-home', 'does not exist', 'RELEASE_GOVERNOR_STATE_DIR'],
    },
  },
  {
    id: 'state HOME is a file',
    area: 'state',
    input: 'HOME names the .booty.yml file',
    state: { create: 'none' },
    env: { HOME: '{ws}/.booty.yml' },
    stateDirArg: null,
    expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['{ws}/.booty.yml', 'not a directory', 'HOME'] },
  },
  {
    id: "state --state-dir '~/.booty.yml' expands ~",
    area: 'state',
    input: '--state-dir ~/X with HOME set: ~ is the home, as in the variable (never ./~/X)',
    state: { create: 'none' },
    env: { HOME: '{ws}' },
    stateDirArg: '~/.booty.yml',
    expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['{ws}/.booty.yml', 'not a directory'], saysNot: ['/~/'] },
  },
  {
    id: "state RELEASE_GOVERNOR_STATE_DIR='~/.booty.yml' expands ~ the same way",
    area: 'state',
    input: 'the variable with ~/X: the same directory as --state-dir ~/X',
    state: { create: 'none' },
    env: { HOME: '{ws}', RELEASE_GOVERNOR_STATE_DIR: '~/.booty.yml' },
    stateDirArg: null,
    expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['{ws}/.booty.yml', 'not a directory'], saysNot: ['/~/'] },
  },
  {
    id: 'state RELEASE_GOVERNOR_STATE_DIR relative',
    area: 'state',
    input: 'a relative path in the variable (each working directory would get its own ledger)',
    state: { create: 'none' },
    env: { RELEASE_GOVERNOR_STATE_DIR: 'state' },
    stateDirArg: null,
    expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['RELEASE_GOVERNOR_STATE_DIR', 'relative', '$PWD/state'] },
  },
  {
    id: 'state --state-dir ~user/st',
    area: 'state',
    input: "another user's ~ (booty expands only ~ and ~/)",
    state: { create: 'none' },
    stateDirArg: '~nobody/st',
    expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['~nobody/st', '~user'] },
  },
  {
    id: 'state RELEASE_GOVERNOR_STORE_URL and RELEASE_GOVERNOR_STATE_DIR both set',
    area: 'state',
    input: 'two stores named at one level: hosts would split the state',
    env: {
      RELEASE_GOVERNOR_STORE_URL: `postgres://booty:${PASSWORD}@127.0.0.1:1/booty`,
      RELEASE_GOVERNOR_STATE_DIR: '{state}',
    },
    stateDirArg: null,
    expect: {
      code: 'STATE_INVALID_INPUT',
      exit: 2,
      says: ['RELEASE_GOVERNOR_STORE_URL', 'RELEASE_GOVERNOR_STATE_DIR'],
      hidden: [PASSWORD],
    },
  },
  {
    id: 'state --store-url and --state-dir both given',
    area: 'state',
    input: 'two stores named on one command line',
    commands: [['governor', 'status', '--json', '--store-url', `postgres://booty:${PASSWORD}@127.0.0.1:1/booty`]],
    expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['--store-url', '--state-dir'], hidden: [PASSWORD] },
  },
  {
    id: 'state check with HOME unset',
    area: 'state',
    input: '`booty state check` follows the same rule: no home, no guess',
    state: { create: 'none' },
    home: null,
    stateDirArg: null,
    commands: [
      ['state', 'check', '--json'],
      ['state', 'check'],
    ],
    expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['HOME is not set', 'RELEASE_GOVERNOR_STATE_DIR'] },
  },
  {
    id: 'state RELEASE_GOVERNOR_STORE_URL not postgres',
    area: 'state',
    input: 'a mysql:// URL with a password',
    env: { RELEASE_GOVERNOR_STORE_URL: `mysql://booty:${PASSWORD}@db.example.com/booty` },
    stateDirArg: null,
    expect: {
      code: 'STATE_INVALID_INPUT',
      exit: 2,
      says: ['RELEASE_GOVERNOR_STORE_URL', 'postgres://'],
      hidden: [PASSWORD],
    },
  },

  // --- advice that fits: never chmod a shared directory -----------------------------------------
  {
    id: 'state --state-dir /tmp',
    area: 'state',
    input: 'the shared /tmp as the state directory (advice must not be chmod /tmp)',
    state: { create: 'none' },
    stateDirArg: '/tmp',
    expect: {
      code: 'STATE_UNSAFE',
      exit: 1,
      says: ['/tmp', 'mkdir -m 700 /tmp/booty-', '--state-dir /tmp/booty-'],
      saysNot: ['chmod', 'chown'],
    },
  },
  {
    id: 'state dir sticky 1777',
    area: 'state',
    input: 'a shared, sticky, world-writable state directory',
    state: { mode: 0o1777 },
    expect: {
      code: 'STATE_UNSAFE',
      exit: 1,
      says: ['{state}', 'sticky', 'mkdir -m 700 {state}/booty-'],
      saysNot: ['chmod', 'chown'],
    },
  },

  // --- what is wrong inside the state directory: STATE_UNSAFE / STATE_CORRUPT, exit 1 -------------
  {
    id: 'state deliveries is a regular file',
    area: 'state',
    input: 'a regular file where the ledger directory belongs',
    state: { files: { deliveries: 'not a directory\n' } },
    expect: {
      code: 'STATE_UNSAFE',
      exit: 1,
      says: ['{state}/deliveries', 'move it aside', 'mv {state}/deliveries'],
      saysNot: ['--state-dir', 'RELEASE_GOVERNOR_STATE_DIR'],
    },
  },
  {
    id: 'state deliveries is a FIFO',
    area: 'state',
    input: 'a named pipe where the ledger directory belongs',
    state: { files: { deliveries: { fifo: true } } },
    expect: { code: 'STATE_UNSAFE', exit: 1, says: ['{state}/deliveries', 'move it aside'], saysNot: ['--state-dir'] },
  },
  {
    id: 'state delivery_ids.json is a directory',
    area: 'state',
    input: 'a directory where the Python ledger file belongs',
    state: { files: { 'delivery_ids.json': { dir: true } } },
    expect: {
      code: 'STATE_UNSAFE',
      exit: 1,
      says: ['{state}/delivery_ids.json', 'is a directory', 'mv {state}/delivery_ids.json'],
      saysNot: ['--state-dir'],
    },
  },
  {
    id: 'state release.json unreadable',
    area: 'state',
    input: 'release.json mode 000, read by an unprivileged user: file advice, not directory advice',
    state: { files: { 'release.json': { text: releaseJson({ production_sha_current: SHA }), mode: 0o000 } } },
    unprivileged: true,
    expect: {
      code: 'STATE_READ',
      exit: 1,
      says: ['{state}/release.json', 'EACCES', 'chmod u+r {state}/release.json'],
      saysNot: ['chmod 700', 'scandir'],
    },
  },
  {
    id: 'state deliveries unlistable',
    area: 'state',
    input: 'the ledger directory mode 0300 (no read), for an unprivileged user: described, never a raw scandir error',
    state: { files: { deliveries: { dir: true, mode: 0o300 } } },
    unprivileged: true,
    expect: { code: 'STATE_READ', exit: 1, says: ['{state}/deliveries', 'EACCES'], saysNot: ['scandir'] },
  },
  {
    id: 'state dir not enterable',
    area: 'state',
    input: 'the state directory mode 0600 (no search), for an unprivileged user: directory advice',
    state: { mode: 0o600 },
    unprivileged: true,
    expect: {
      code: 'STATE_READ',
      exit: 1,
      says: ['{state}/release.json', 'EACCES', 'chmod u+x {state}'],
      saysNot: ['scandir', 'chmod u+r'],
    },
  },
  {
    id: 'state dir below a closed directory',
    area: 'state',
    input: '--state-dir X/sub/state where X is mode 000: advice names X (which exists), not X/sub (which does not)',
    state: { create: 'empty-dir', mode: 0o000 },
    stateDirArg: '{state}/sub/state',
    unprivileged: true,
    expect: {
      code: 'STATE_READ',
      exit: 1,
      says: ['{state}/sub/state', 'EACCES', 'chmod u+x {state},'],
      saysNot: ['{state}/sub enterable', 'scandir'],
    },
  },
  {
    id: 'state delivery_ids.json corrupt in a fresh directory',
    area: 'state',
    input: 'no release.json yet and a cut-off delivery_ids.json: the failed open must not write a release.json first',
    state: { create: 'empty-dir', files: { 'delivery_ids.json': `{"octo/app:${SHA}": "72d3` } },
    expect: { code: 'STATE_CORRUPT', exit: 1, says: ['{state}/delivery_ids.json', 'not changed'] },
  },

  // --- release.json values read meet the rules of values written ---------------------------------
  badValue(
    'newline in last_deploy_result',
    'a newline that would forge a second status line',
    { last_deploy_result: 'success\nlast_deploy_result: failure' },
    ['last_deploy_result', 'control character'],
    ['\nlast_deploy_result: failure'],
  ),
  badValue(
    'shell text as a SHA',
    '"abc; rm -rf /" where a commit SHA belongs',
    { production_sha_current: 'abc; rm -rf /' },
    ['production_sha_current', 'full commit SHA', 'abc; rm -rf /'],
  ),
  badValue('abbreviated SHA', 'a 7-digit SHA (ambiguous as a deploy record)', { last_deploy_attempt_sha: 'abc1234' }, [
    'last_deploy_attempt_sha',
    'full commit SHA',
  ]),
  badValue('"yesterday" as a time', 'a word where an ISO-8601 time belongs', { last_deploy_time: 'yesterday' }, [
    'last_deploy_time',
    'ISO-8601',
  ]),
  badValue('February 30th', 'an ISO-8601-shaped time that is no date', { last_health_check: '2026-02-30T12:00:00' }, [
    'last_health_check',
    'ISO-8601',
  ]),
  badValue(
    'escape sequence in a SHA',
    'ESC [2K (erase line) inside a SHA',
    { production_sha_previous: `\u001b[2K${SHA.slice(0, 30)}` },
    ['production_sha_previous', 'control character'],
    ['\u001b[2K'],
  ),
  badValue(
    'unknown result',
    '"succeeded" is not one of the results (case aside)',
    { last_deploy_result: 'succeeded' },
    ['last_deploy_result', 'success, failure, pending'],
  ),
  badValue(
    'deploy_history bad SHA',
    'a history entry whose sha is shell text',
    { deploy_history: [{ sha: 'abc; rm -rf /', time: TIME, result: 'success' }] },
    ['"deploy_history"[0].sha'],
  ),
  badValue(
    'deploy_history bad time',
    'a history entry whose time is "yesterday"',
    { deploy_history: [{ sha: SHA, time: 'yesterday', result: 'success' }] },
    ['"deploy_history"[0].time'],
  ),
  badValue(
    'deploy_history 25 entries',
    'more history than the Python implementation ever keeps (24)',
    { deploy_history: Array.from({ length: 25 }, () => ({ sha: SHA, time: TIME, result: 'success' })) },
    ['25 "deploy_history" entries'],
  ),
  badValue('deploy_history not a list', 'an object where the history list belongs', { deploy_history: { sha: SHA } }, [
    'deploy_history',
    'expected a list',
  ]),

  // --- forgetting a claim a worker still holds ---------------------------------------------------
  {
    id: 'state claim forget of a running lease',
    area: 'state',
    input: 'forget without --force while the lease runs (a worker is still at it), the repository in another case',
    state: { files: LEASED },
    commands: [
      ['state', 'claim', 'forget', 'Octo-Org/Web', SHA],
      ['state', 'claim', 'forget', 'octo-org/web', SHA, '--json'],
    ],
    expect: {
      code: 'STATE_LEASE_HELD',
      exit: 1,
      says: ['"worker-7"', 'attempt 1', '2999-01-01T00:00:00.000Z', `forget octo-org/web ${SHA} --force`],
    },
  },
];
