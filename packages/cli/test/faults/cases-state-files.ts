// The state directory and its files, damaged or unsafe: a corrupt or oversized file, a link or a
// special file where a file belongs, a directory others can write or that cannot be written.
import { ENABLED_YML } from './case-helpers';
import type { Entry, FaultCase } from './cases';

const repeat = (text: string, times: number) => () => Buffer.from(text.repeat(times));

const SHA = 'a'.repeat(40);
const release = (id: string, input: string, contents: Entry, says: string[] = []): FaultCase => ({
  id,
  area: 'state',
  input,
  state: { files: { 'release.json': contents } },
  // "It was not changed" or "left unchanged": the message says the file was kept as it was.
  expect: { code: 'STATE_CORRUPT', exit: 1, says: ['{state}/release.json', 'changed', ...says] },
});

export const STATE_FILE_CASES: FaultCase[] = [
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
];
