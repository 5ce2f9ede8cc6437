// The bad-input corpus: every case is data. A case says what it puts on disk or in the
// environment, and the typed error, exit status and message words it must produce. The runner
// (../faults.spec.ts) builds each case in a fresh temp directory, runs the built `booty` (or the
// public `handleWorkflowRun` in a child process), and checks that nothing on disk changed.
//
// Placeholders in strings: {root} the case's temp directory, {ws} the workspace ({root}/ws),
// {state} the state directory ({root}/state).

/** What a path holds. A plain string is a regular file with that UTF-8 text. */
import { ENABLED_YML, governorYml, yml } from './case-helpers';
import { CLI_CASES } from './cases-cli';
import { CONFIG_CASES } from './cases-config';
import { STATE_CASES } from './cases-state';
import { DIAGNOSIS_CASES } from './cases-diagnosis';
import { FILE_CASES } from './cases-files';
import { SECRET_CASES } from './cases-secrets';
import { SLIP_CASES } from './cases-slips';

export { ENABLED_YML } from './case-helpers';

export type Entry =
  | string
  | { bytes: () => Uint8Array }
  | { symlink: string }
  | { dir: true; mode?: number }
  | { fifo: true }
  | { text: string; mode: number };

export type Area = 'booty.yml' | 'env' | 'state' | 'payload';

export interface StateSetup {
  /** 'store': a healthy store made by @booty/release-state (the default); 'empty-dir': a 0700
   * directory with nothing in it; 'none': the state directory does not exist. */
  create?: 'store' | 'empty-dir' | 'none';
  /** Written into the state directory after it is created (replacing what is there). */
  files?: Record<string, Entry>;
  /** chmod of the state directory, last. */
  mode?: number;
  /** The state directory belongs to another user (uid 65534 when the tests run as root). */
  foreignOwner?: boolean;
  /** The state directory (or, for create: 'none', its parent) is read-only. */
  readOnly?: boolean;
}

export interface FaultCase {
  id: string;
  area: Area;
  /** What is wrong, in words. */
  input: string;
  /** Files of the workspace; default: an enabled release_governor block. null: no workspace dir. */
  workspace?: Record<string, Entry> | null;
  env?: Record<string, string>;
  state?: StateSetup;
  /** --state-dir; default '{state}'. null: no --state-dir (RELEASE_GOVERNOR_STATE_DIR decides). */
  stateDirArg?: string | null;
  /** Needs permission bits to apply: run as an unprivileged user (nobody, when the tests run as root). */
  unprivileged?: boolean;
  /**
   * HOME for booty (null: unset; placeholders expand). Such a case runs as the account nobody
   * (setpriv as root, `unshare --user` otherwise), whose password-database home does not exist.
   */
  home?: string | null;
  /**
   * The booty commands to run (each without --workspace/--state-dir, which the runner adds);
   * default: the area's pair in faults.spec.ts. A command with --json is checked as JSON.
   */
  commands?: string[][];
  /** payload cases: the JSON body, made from a recorded GitHub delivery. */
  payload?: PayloadMutation;
  expect: {
    code: string;
    exit: 1 | 2;
    /** Words the error (message and issues) must contain; placeholders expand. */
    says?: string[];
    /** Words the error must not contain (e.g. a misleading errno). */
    saysNot?: string[];
    /** Text that must appear nowhere in stdout or stderr (a secret, a raw escape sequence). */
    hidden?: string[];
  };
}

export interface PayloadMutation {
  /** Replace the whole body with this value. */
  whole?: unknown;
  /** Dotted path -> new value (undefined deletes the key). */
  set?: Record<string, unknown>;
  /** Extra top-level keys written as raw JSON text (for keys JSON.parse treats specially). */
  rawExtra?: string;
}

const repeat = (text: string, times: number) => () => Buffer.from(text.repeat(times));

/** An alias bomb: each level is a list of ten aliases of the previous one (10^10 values). */
function aliasBomb(): string {
  let text = 'schema_version: 1\ntest_command: npm test\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let level = 1; level <= 9; level++)
    text += `l${level}: &l${level} [${Array(10)
      .fill(`*l${level - 1}`)
      .join(', ')}]\n`;
  return text;
}

const SHA = 'a'.repeat(40);
const env = (name: string, value: string, says: string[] = []): FaultCase => ({
  id: `env ${name}=${JSON.stringify(value.length > 24 ? `${value.slice(0, 12)}...(${value.length} chars)` : value)}`,
  area: 'env',
  input: `RELEASE_GOVERNOR_${name} set to a value it does not accept`,
  env: { [`RELEASE_GOVERNOR_${name}`]: value },
  expect: { code: 'CONFIG_ENV', exit: 2, says: [`RELEASE_GOVERNOR_${name}`, ...says] },
});
const release = (id: string, input: string, contents: Entry, says: string[] = []): FaultCase => ({
  id,
  area: 'state',
  input,
  state: { files: { 'release.json': contents } },
  // "It was not changed" or "left unchanged": the message says the file was kept as it was.
  expect: { code: 'STATE_CORRUPT', exit: 1, says: ['{state}/release.json', 'changed', ...says] },
});
const payload = (id: string, mutation: PayloadMutation, field: string): FaultCase => ({
  id: `payload ${id}`,
  area: 'payload',
  input: `workflow_run body: ${id}`,
  payload: mutation,
  expect: { code: 'PAYLOAD_INVALID', exit: 2, says: [field] },
});

const BASE_CASES: FaultCase[] = [
  // --- .booty.yml --------------------------------------------------------------------------
  {
    id: 'yml syntax error',
    area: 'booty.yml',
    input: 'an unclosed flow sequence',
    workspace: yml('schema_version: 1\ntest_command: [npm test\n'),
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['{ws}/.booty.yml'] },
  },
  {
    id: 'yml duplicate key',
    area: 'booty.yml',
    input: 'enabled twice in release_governor',
    workspace: governorYml('  enabled: true\n  enabled: false\n'),
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['duplicate key', 'release_governor.enabled'] },
  },
  {
    id: 'yml alias bomb',
    area: 'booty.yml',
    input: 'nine levels of ten aliases (10^10 values)',
    workspace: yml(aliasBomb()),
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['alias'] },
  },
  {
    id: 'yml over 1 MiB',
    area: 'booty.yml',
    input: 'a 1.1 MB comment',
    workspace: { '.booty.yml': { bytes: () => Buffer.from(`schema_version: 1\n#${'x'.repeat(1_100_000)}\n`) } },
    expect: { code: 'CONFIG_TOO_LARGE', exit: 2, says: ['1 MiB'] },
  },
  {
    id: 'yml token flood',
    area: 'booty.yml',
    input: '800,000 YAML tokens in under 1 MiB',
    workspace: {
      '.booty.yml': { bytes: () => Buffer.from(`schema_version: 1\nlabels: [${'a,'.repeat(400_000)}a]\n`) },
    },
    expect: { code: 'CONFIG_TOO_LARGE', exit: 2, says: ['tokens'] },
  },
  {
    id: 'yml nested 1000 deep',
    area: 'booty.yml',
    input: '1,000 nested flow sequences',
    workspace: yml(`schema_version: 1\nx: ${'['.repeat(1000)}${']'.repeat(1000)}\n`),
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['nested'] },
  },
  {
    id: 'yml Latin-1 bytes',
    area: 'booty.yml',
    input: 'a Latin-1 é (0xE9), not UTF-8',
    workspace: { '.booty.yml': { bytes: () => Buffer.from('schema_version: 1\ntest_command: caf\xe9\n', 'latin1') } },
    expect: { code: 'CONFIG_ENCODING', exit: 2, says: ['UTF-8', '0xE9'] },
  },
  {
    id: 'yml UTF-16',
    area: 'booty.yml',
    input: 'UTF-16 with a byte order mark',
    workspace: { '.booty.yml': { bytes: () => Buffer.from(`\ufeff${ENABLED_YML}`, 'utf16le') } },
    expect: { code: 'CONFIG_ENCODING', exit: 2, says: ['UTF-16'] },
  },
  {
    id: 'yml is a directory',
    area: 'booty.yml',
    input: '.booty.yml is a directory',
    workspace: { '.booty.yml': { dir: true } },
    expect: { code: 'CONFIG_READ', exit: 2, says: ['directory'] },
  },
  {
    id: 'yml dangling symlink',
    area: 'booty.yml',
    input: '.booty.yml links to a missing file',
    workspace: { '.booty.yml': { symlink: '{ws}/missing.yml' } },
    expect: { code: 'CONFIG_READ', exit: 2, says: ['does not exist'] },
  },
  {
    id: 'yml symlink loop',
    area: 'booty.yml',
    input: '.booty.yml links to itself',
    workspace: { '.booty.yml': { symlink: '.booty.yml' } },
    expect: { code: 'CONFIG_READ', exit: 2, says: ['symbolic links'] },
  },
  {
    id: 'yml is a FIFO',
    area: 'booty.yml',
    input: 'a named pipe nobody writes to (a naive read hangs)',
    workspace: { '.booty.yml': { fifo: true } },
    expect: { code: 'CONFIG_READ', exit: 2, says: ['not a regular file'] },
  },
  {
    id: 'yml links to /dev/zero',
    area: 'booty.yml',
    input: 'an endless device (a naive read never ends)',
    workspace: { '.booty.yml': { symlink: '/dev/zero' } },
    expect: { code: 'CONFIG_READ', exit: 2, says: ['not a regular file'] },
  },
  {
    id: 'yml unreadable',
    area: 'booty.yml',
    input: 'mode 000, read by an unprivileged user',
    workspace: { '.booty.yml': { text: ENABLED_YML, mode: 0o000 } },
    unprivileged: true,
    expect: { code: 'CONFIG_READ', exit: 2, says: ['{ws}/.booty.yml'] },
  },
  {
    id: 'yml workspace missing',
    area: 'booty.yml',
    input: '--workspace names a directory that does not exist',
    workspace: null,
    expect: { code: 'CONFIG_READ', exit: 2, says: ['does not exist'] },
  },
  {
    id: 'yml schema_version 2',
    area: 'booty.yml',
    input: 'a schema version this booty does not know',
    workspace: yml('schema_version: 2\ntest_command: npm test\n'),
    expect: { code: 'CONFIG_VERSION', exit: 2, says: ['schema_version'] },
  },
  {
    id: 'yml release_governor is a list',
    area: 'booty.yml',
    input: 'release_governor: [enabled]',
    workspace: governorYml('  - enabled\n'),
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['release_governor', 'list'] },
  },
  {
    id: 'yml enabled is a string',
    area: 'booty.yml',
    input: 'enabled: "yes" (a string)',
    workspace: governorYml('  enabled: "yes"\n'),
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['release_governor.enabled'] },
  },
  {
    id: 'yml misspelt key',
    area: 'booty.yml',
    input: 'enabeld: true',
    workspace: governorYml('  enabeld: true\n'),
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['did you mean', 'enabled'] },
  },
  {
    id: 'yml __proto__ key',
    area: 'booty.yml',
    input: '__proto__ inside release_governor',
    workspace: governorYml('  enabled: true\n  __proto__:\n    enabled: false\n'),
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['__proto__'] },
  },
  {
    id: 'yml js tag',
    area: 'booty.yml',
    input: 'a !!js/function tag',
    workspace: yml('schema_version: 1\ntest_command: npm test\nrelease_governor: !!js/function "x"\n'),
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['tag'] },
  },
  {
    id: 'yml two documents',
    area: 'booty.yml',
    input: 'a second document after ---',
    workspace: yml(`${ENABLED_YML}---\nschema_version: 1\n`),
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['document'] },
  },

  // --- RELEASE_GOVERNOR_* --------------------------------------------------------------------
  env('ENABLED', 'maybe', ['boolean']),
  env('ENABLED', '', ['empty']),
  env('COOLDOWN_MINUTES', 'abc'),
  env('COOLDOWN_MINUTES', '-3'),
  env('COOLDOWN_MINUTES', '1.5', ['whole number']),
  env('COOLDOWN_MINUTES', '99999999999999999999', ['too large']),
  env('COOLDOWN_MINUTES', '1'.repeat(100_000), ['too large']),
  env('COOLDOWN_MINUTES', ' 5', ['spaces']),
  env('MAX_DEPLOYS_PER_HOUR', '0', ['1 or more']),
  env('HIGH_RISK_PATHS', '[1,2]', ['array of strings']),
  env('HIGH_RISK_PATHS', '["a",', ['not valid JSON']),
  env('MIGRATION_PATHS', ',', ['empty item']),
  env('APPROVAL_MODE', 'bogus', ['environment, label, comment']),
  env('DEPLOY_WORKFLOW_NAME', 'a/b.yml'),
  env('DEPLOY_WORKFLOW_REF', '-x'),
  env('PRODUCTION_ENVIRONMENT_NAME', '', ['cannot be null']),
  env('APPROVAL_LABEL', '   ', ['blank']),
  env('REQUIRE_APPROVAL_FOR_FIRST_DEPLOY', '2', ['boolean']),
  {
    id: 'env RELEASE_GOVERNOR_STATE_DIR is a file',
    area: 'env',
    input: 'the state directory variable names the .booty.yml file',
    env: { RELEASE_GOVERNOR_STATE_DIR: '{ws}/.booty.yml' },
    stateDirArg: null,
    expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['{ws}/.booty.yml', 'not a directory'] },
  },

  // --- state files ---------------------------------------------------------------------------
  release('state release.json zero-length', 'release.json is empty (0 bytes)', '', ['empty']),
  release(
    'state release.json truncated',
    'release.json cut off mid-string',
    `{"production_sha_current": "${SHA.slice(0, 10)}`,
    ['release.json:1:'],
  ),
  release(
    'state release.json not UTF-8',
    'release.json starts with 0xFF 0xFE',
    { bytes: () => Buffer.from([0xff, 0xfe, 0x7b, 0x7d]) },
    ['UTF-8'],
  ),
  release('state release.json is an array', 'release.json holds []', '[]\n', ['array']),
  release('state release.json is null', 'release.json holds null', 'null\n', ['null']),
  release('state release.json is a string', 'release.json holds a JSON string', '"production"\n', [
    'not a JSON object',
  ]),
  release('state last_deploy_result: 7', 'a number where a result string belongs', '{"last_deploy_result": 7}\n', [
    'last_deploy_result',
  ]),
  release('state last_health_check: {}', 'an object where a time belongs', '{"last_health_check": {}}\n', [
    'last_health_check',
  ]),
  release('state format_version 99', 'written by a newer version', '{"format_version": 99}\n', ['format_version']),
  release('state format_version "1"', 'format_version as a string', '{"format_version": "1"}\n', ['format_version']),
  release(
    'state release.json over the size cap',
    'a 9 MB release.json',
    { bytes: () => Buffer.from(`{"padding": "${'x'.repeat(9 * 1024 * 1024)}"}`) },
    ['larger than'],
  ),
  release('state release.json 200,000 open brackets', 'deep, unterminated nesting', { bytes: repeat('[', 200_000) }, [
    'not valid JSON',
  ]),
  release(
    'state release.json nested 100,000 deep',
    'well-formed JSON nested past any state file (would overflow --json output)',
    { bytes: () => Buffer.from(`{"x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`) },
    ['levels deep'],
  ),
  {
    id: 'state release.json is a symlink',
    area: 'state',
    input: 'release.json links to a well-formed file elsewhere',
    workspace: { '.booty.yml': ENABLED_YML, 'planted.json': '{"production_sha_current": null}\n' },
    state: { files: { 'release.json': { symlink: '{ws}/planted.json' } } },
    expect: { code: 'STATE_UNSAFE', exit: 1, says: ['{state}/release.json', 'symbolic link'] },
  },
  {
    id: 'state release.json is a directory',
    area: 'state',
    input: 'a directory where release.json belongs',
    state: { files: { 'release.json': { dir: true } } },
    expect: { code: 'STATE_UNSAFE', exit: 1, says: ['{state}/release.json', 'not a regular file'] },
  },
  {
    id: 'state release.json is a FIFO',
    area: 'state',
    input: 'a named pipe where release.json belongs (a naive read hangs)',
    state: { files: { 'release.json': { fifo: true } } },
    expect: { code: 'STATE_UNSAFE', exit: 1, says: ['{state}/release.json', 'not a regular file'] },
  },
  {
    id: 'state delivery_ids.json corrupt',
    area: 'state',
    input: 'the Python ledger file is cut off',
    state: { files: { 'delivery_ids.json': `{"octo/app:${SHA}": "72d3` } },
    expect: { code: 'STATE_CORRUPT', exit: 1, says: ['{state}/delivery_ids.json', 'not changed'] },
  },
  {
    id: 'state delivery_ids.json is an array',
    area: 'state',
    input: 'the Python ledger holds []',
    state: { files: { 'delivery_ids.json': '[]' } },
    expect: { code: 'STATE_CORRUPT', exit: 1, says: ['{state}/delivery_ids.json', 'array'] },
  },
  {
    id: 'state delivery_ids.json number value',
    area: 'state',
    input: 'a delivery id that is a number',
    state: { files: { 'delivery_ids.json': `{"octo/app:${SHA}": 5}` } },
    expect: { code: 'STATE_CORRUPT', exit: 1, says: ['{state}/delivery_ids.json', 'number'] },
  },
  {
    id: 'state delivery_ids.json is a symlink',
    area: 'state',
    input: 'the Python ledger links elsewhere',
    workspace: { '.booty.yml': ENABLED_YML, 'ids.json': '{}' },
    state: { files: { 'delivery_ids.json': { symlink: '{ws}/ids.json' } } },
    expect: { code: 'STATE_UNSAFE', exit: 1, says: ['{state}/delivery_ids.json', 'symbolic link'] },
  },
  {
    id: 'state deliveries/ is a symlink',
    area: 'state',
    input: 'the ledger directory links elsewhere',
    workspace: { '.booty.yml': ENABLED_YML, elsewhere: { dir: true } },
    state: { files: { deliveries: { symlink: '{ws}/elsewhere' } } },
    expect: { code: 'STATE_UNSAFE', exit: 1, says: ['{state}/deliveries', 'symbolic link'] },
  },
  {
    id: 'state dir world-writable',
    area: 'state',
    input: 'state directory mode 0777',
    state: { mode: 0o777 },
    expect: { code: 'STATE_UNSAFE', exit: 1, says: ['{state}', 'world-writable', 'chmod'] },
  },
  {
    id: 'state dir group-writable',
    area: 'state',
    input: 'state directory mode 0770',
    state: { mode: 0o770 },
    expect: { code: 'STATE_UNSAFE', exit: 1, says: ['{state}', 'group-writable', 'chmod'] },
  },
  {
    id: 'state dir foreign-owned',
    area: 'state',
    input: 'state directory owned by another user',
    state: { foreignOwner: true },
    expect: { code: 'STATE_UNSAFE', exit: 1, says: ['owned by uid', 'chown'] },
  },
  {
    id: 'state dir path through a file',
    area: 'state',
    input: '--state-dir goes through the .booty.yml file',
    state: { create: 'none' },
    stateDirArg: '{ws}/.booty.yml/state',
    expect: { code: 'STATE_READ', exit: 1, says: ['{ws}/.booty.yml/state', 'ENOTDIR'] },
  },
  {
    id: 'state dir read-only, no release.json yet',
    area: 'state',
    input: 'an empty state directory that cannot be written',
    state: { create: 'empty-dir', readOnly: true },
    expect: { code: 'STATE_WRITE', exit: 1, says: ['{state}/release.json', 'not changed'] },
  },
  // Node's recursive mkdir reports a read-only file system as ENOENT (nodejs/node#47098); the
  // store retries the last step plainly so that the message names the real cause.
  {
    id: 'state dir missing under a read-only parent',
    area: 'state',
    input: 'the state directory must be created in a read-only directory',
    state: { create: 'none', readOnly: true },
    expect: { code: 'STATE_WRITE', exit: 1, says: ['{state}', 'Nothing was written'], saysNot: ['ENOENT'] },
  },

  // --- workflow_run payloads (public API, child process) -----------------------------------
  payload('null body', { whole: null }, '(payload)'),
  payload('array body', { whole: [] }, '(payload)'),
  payload('string body', { whole: 'workflow_run' }, '(payload)'),
  payload('no action', { set: { action: undefined } }, 'action'),
  payload('unknown action', { set: { action: 'deleted' } }, 'action'),
  payload(
    '__proto__ carries the action',
    { set: { action: undefined }, rawExtra: '"__proto__": {"action": "completed"}' },
    'action',
  ),
  payload('no repository', { set: { repository: undefined } }, 'repository'),
  payload('full_name without owner', { set: { 'repository.full_name': 'hello' } }, 'repository.full_name'),
  payload('workflow_run is an array', { set: { workflow_run: [] } }, 'workflow_run'),
  payload('run id negative', { set: { 'workflow_run.id': -1 } }, 'workflow_run.id'),
  payload('run id beyond 2^53', { set: { 'workflow_run.id': 2 ** 60 } }, 'workflow_run.id'),
  payload('head_sha abbreviated', { set: { 'workflow_run.head_sha': 'abc1234' } }, 'workflow_run.head_sha'),
  payload('head_sha not hex', { set: { 'workflow_run.head_sha': 'g'.repeat(40) } }, 'workflow_run.head_sha'),
  payload(
    'head_sha 5 MB long',
    { set: { 'workflow_run.head_sha': 'a'.repeat(5 * 1024 * 1024) } },
    'workflow_run.head_sha',
  ),
  payload('head_branch a number', { set: { 'workflow_run.head_branch': 7 } }, 'workflow_run.head_branch'),
  payload(
    'conclusion an object',
    { set: { 'workflow_run.conclusion': { value: 'success' } } },
    'workflow_run.conclusion',
  ),
];

/**
 * Every case. Each class of hardening keeps its cases in a file of its own beside this one
 * (cases-*.ts), so a new case is a new line in the file of its class.
 */
/** The operator's tools never make things worse: a slip, a secret, a file read, a diagnosis (one file each). */
export const OPERATOR_CASES: FaultCase[] = [...SLIP_CASES, ...SECRET_CASES, ...FILE_CASES, ...DIAGNOSIS_CASES];

export const CASES: FaultCase[] = [...BASE_CASES, ...CONFIG_CASES, ...STATE_CASES, ...CLI_CASES, ...OPERATOR_CASES];
