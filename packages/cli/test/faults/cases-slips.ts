// A slip never destroys state: a store that does not exist is an error naming it, never an empty
// one created on the spot; a copy never writes into its own source (however it is spelt), into
// another store, over a directory of other files, or an empty source over a store that holds
// data. Each case leaves every file of its temp directory as it was.
import { ENABLED_YML } from './case-helpers';
import type { FaultCase } from './cases';

const SHA = 'a'.repeat(40);
/** A store with nothing in it: a release.json whose fields are all null. */
const EMPTY_RELEASE = '{"production_sha_current": null}\n';

/** `booty state copy ARGS`, as text and as JSON. */
const copy = (...args: string[]): string[][] => [
  ['state', 'copy', ...args],
  ['state', 'copy', ...args, '--json'],
];

const refusedCopy = (
  id: string,
  input: string,
  args: string[],
  says: string[],
  extra: Partial<FaultCase> = {},
): FaultCase => ({
  id: `slip ${id}`,
  area: 'state',
  input,
  commands: copy(...args),
  expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['Nothing was copied or changed', ...says] },
  ...extra,
});

export const SLIP_CASES: FaultCase[] = [
  // --- the target is never the source, nor inside a store ----------------------------------
  refusedCopy(
    'copy --to the source through a symlink',
    'a link to the source directory, spelt as another path',
    ['--from', '{state}', '--to', '{ws}/state-link', '--replace', '--force'],
    ['is the source store itself'],
    {
      workspace: { '.booty.yml': ENABLED_YML, 'state-link': { symlink: '{state}' } },
    },
  ),
  refusedCopy(
    'copy --to the source by way of ..',
    'the source directory spelt through ..',
    ['--from', '{state}', '--to', '{ws}/../state', '--replace'],
    ['is the source store itself'],
  ),
  refusedCopy(
    'copy --to inside the source',
    'a new directory inside the source store',
    ['--from', '{state}', '--to', '{state}/backup'],
    ['is inside the source store'],
  ),
  refusedCopy(
    'copy --to a new directory deep inside the source',
    'a target whose parents do not exist yet, inside the source: none of them is made',
    ['--from', '{state}', '--to', '{state}/a/b/backup'],
    ['is inside the source store'],
  ),
  refusedCopy(
    'copy --to the source ledger directory',
    "the source's own deliveries/ directory",
    ['--from', '{state}', '--to', '{state}/deliveries', '--replace'],
    ['is inside the source store'],
  ),
  refusedCopy(
    'copy --to the parent of the source',
    'a directory that holds the source store (--replace would replace it)',
    ['--from', '{state}', '--to', '{root}', '--replace', '--force'],
    ['holds the source store'],
  ),
  refusedCopy(
    'copy --to inside another store',
    'the default store of another directory, from the workspace',
    ['--from', '{ws}/other', '--to', '{state}/nested'],
    ['is inside the state directory {state}'],
    {
      workspace: { '.booty.yml': ENABLED_YML, 'other/release.json': EMPTY_RELEASE, 'other/delivery_ids.json': '{}\n' },
    },
  ),
  refusedCopy(
    'copy --to a directory of other files',
    'the workspace (a repository) as the target of a --replace',
    ['--from', '{state}', '--to', '{ws}', '--replace', '--force'],
    ['is not a state directory', '.booty.yml'],
  ),
  refusedCopy(
    'copy --to a regular file',
    'the target names .booty.yml',
    ['--from', '{state}', '--to', '{ws}/.booty.yml', '--replace'],
    ['not a directory', 'give --to a directory'],
    {
      expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['not a directory', 'give --to a directory'] },
    },
  ),
  refusedCopy(
    'copy --to a path through a file',
    'the target goes through .booty.yml',
    ['--from', '{state}', '--to', '{ws}/.booty.yml/backup'],
    ['goes through a file', 'give --to a directory'],
    {
      expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['goes through a file', 'give --to a directory'] },
    },
  ),

  // --- what the target holds -----------------------------------------------------------------
  refusedCopy(
    'copy an empty source over a store with --replace',
    'an empty store as the source (a typo, say) over one that holds data',
    ['--from', '{ws}/empty', '--to', '{state}', '--replace'],
    ['source store is empty', '--force'],
    {
      workspace: { '.booty.yml': ENABLED_YML, 'empty/release.json': EMPTY_RELEASE },
    },
  ),
  refusedCopy(
    'copy into a store without --replace',
    'a target that holds a release state and a claim',
    ['--from', '{ws}/source', '--to', '{state}'],
    ['already holds', '--replace'],
    {
      workspace: {
        '.booty.yml': ENABLED_YML,
        'source/release.json': EMPTY_RELEASE,
        'source/delivery_ids.json': `{"octo/app:${SHA}": "d-1"}\n`,
      },
    },
  ),
  {
    id: 'slip copy --force without --replace',
    area: 'state',
    input: '--force alone (it only lets an empty source replace a store)',
    commands: copy('--from', '{state}', '--to', '{root}/backup', '--force'),
    expect: { code: 'USAGE', exit: 2, says: ['--force only applies with --replace'] },
  },

  // --- a store that is not there is not an empty one -------------------------------------------
  {
    id: 'slip copy --from a directory that does not exist',
    area: 'state',
    input: 'a mistyped source directory: nothing is created, here or at the target',
    commands: copy('--from', '{root}/sate', '--to', '{root}/backup'),
    expect: {
      code: 'STATE_INVALID_INPUT',
      exit: 2,
      says: ['There is no state directory at {root}/sate', 'Check --from'],
      saysNot: ['--state-dir'],
    },
  },
  {
    id: 'slip copy --from an empty directory',
    area: 'state',
    input: 'an empty directory as the source: no store, never read as an empty one',
    workspace: { '.booty.yml': ENABLED_YML, empty: { dir: true } },
    commands: copy('--from', '{ws}/empty', '--to', '{root}/backup'),
    expect: { code: 'STATE_INVALID_INPUT', exit: 2, says: ['There is no store in {ws}/empty', 'Check --from'] },
  },
  {
    id: 'slip state commands on a mistyped --state-dir',
    area: 'state',
    input: '--state-dir names a directory that does not exist: check, claims, prune, reset, forget create nothing',
    stateDirArg: '{root}/sate',
    commands: [
      ['state', 'check', '--json'],
      ['state', 'claims'],
      ['state', 'prune', '--json'],
      ['state', 'reset', 'deliveries'],
      ['state', 'claim', 'forget', 'octo/app', SHA, '--json'],
    ],
    expect: {
      code: 'STATE_INVALID_INPUT',
      exit: 2,
      says: ['There is no state directory at {root}/sate', 'Check --state-dir'],
    },
  },
  {
    id: 'slip copy of a damaged source',
    area: 'state',
    input: 'a source whose release.json is cut off: refused before the target is made',
    state: { files: { 'release.json': '{"production_sha_current": ' } },
    commands: copy('--from', '{state}', '--to', '{root}/backup'),
    expect: { code: 'STATE_CORRUPT', exit: 1, says: ['{state}/release.json', 'not changed'] },
  },
];
