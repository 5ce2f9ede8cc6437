// The diagnosis is true: every error names the option, argument or variable the user gave (not
// another one, not the library's name for it) and the fix that applies to it.
import type { FaultCase } from './cases';

const SHA = 'a'.repeat(40);

export const DIAGNOSIS_CASES: FaultCase[] = [
  {
    id: 'diagnosis copy --to a URL of another scheme names --to',
    area: 'state',
    input: '--to mysql://… (the error used to name --store-url, an option the user did not give)',
    commands: [
      ['state', 'copy', '--from', '{state}', '--to', 'mysql://ops:pw-5k2@db.example.com/booty', '--json'],
      ['state', 'copy', '--from', '{state}', '--to', 'mysql://ops:pw-5k2@db.example.com/booty'],
    ],
    expect: {
      code: 'STATE_INVALID_INPUT',
      exit: 2,
      says: ['in --to', 'correct --to'],
      saysNot: ['--store-url'],
      hidden: ['pw-5k2'],
    },
  },
  {
    id: 'diagnosis copy --from a missing directory names --from',
    area: 'state',
    input: '--from a directory that is not there (the fix used to be "check --state-dir, RELEASE_GOVERNOR_STATE_DIR…")',
    commands: [['state', 'copy', '--from', '{root}/nowhere', '--to', '{root}/backup', '--json']],
    expect: {
      code: 'STATE_INVALID_INPUT',
      exit: 2,
      says: ['(--from)', 'Check --from'],
      saysNot: ['--state-dir', 'RELEASE_GOVERNOR_STATE_DIR'],
    },
  },
  {
    id: 'diagnosis RELEASE_GOVERNOR_STATE_DIR missing names the variable',
    area: 'state',
    input: 'the variable names a directory that is not there; no option was given',
    env: { RELEASE_GOVERNOR_STATE_DIR: '{root}/nowhere' },
    stateDirArg: null,
    commands: [
      ['state', 'check', '--json'],
      ['state', 'claims'],
    ],
    expect: {
      code: 'STATE_INVALID_INPUT',
      exit: 2,
      says: ['(RELEASE_GOVERNOR_STATE_DIR)', 'Check RELEASE_GOVERNOR_STATE_DIR'],
      saysNot: ['--state-dir'],
    },
  },
  {
    id: 'diagnosis a mistyped RELEASE_GOVERNOR_STORE_URL names the variable',
    area: 'state',
    input: 'the variable holds a URL with a bad sslmode; no --store-url was given',
    env: { RELEASE_GOVERNOR_STORE_URL: 'postgres://booty@db.example.com/booty?sslmode=prefer' },
    stateDirArg: null,
    commands: [
      ['state', 'check', '--json'],
      ['governor', 'status', '--json'],
    ],
    expect: {
      code: 'STATE_INVALID_INPUT',
      exit: 2,
      says: ['in RELEASE_GOVERNOR_STORE_URL', 'correct RELEASE_GOVERNOR_STORE_URL', 'prefer'],
      saysNot: ['--store-url'],
    },
  },
  {
    id: 'diagnosis claim show with a short SHA names SHA',
    area: 'state',
    input: 'an abbreviated SHA as the argument (the error used to say "headSha", the library\'s word)',
    commands: [
      ['state', 'claim', 'show', 'octo/app', 'abc1234', '--json'],
      ['state', 'claim', 'forget', 'octo/app', 'abc1234'],
    ],
    expect: { code: 'USAGE', exit: 2, says: ['SHA "abc1234"', 'git rev-parse'], saysNot: ['headSha'] },
  },
  {
    id: 'diagnosis claim forget with a bad repository names OWNER/REPO',
    area: 'state',
    input: 'a repository without an owner',
    commands: [
      ['state', 'claim', 'forget', 'app', SHA, '--json'],
      ['state', 'claim', 'show', 'app', SHA],
    ],
    expect: { code: 'USAGE', exit: 2, says: ['OWNER/REPO "app"', 'owner/name'], saysNot: ['Invalid repo'] },
  },
  {
    id: 'diagnosis claims --repo with a bad repository names --repo',
    area: 'state',
    input: '--repo with a space in it',
    commands: [
      ['state', 'claims', '--repo', 'octo app', '--json'],
      ['state', 'claims', '--repo', 'octo app'],
    ],
    expect: { code: 'USAGE', exit: 2, says: ['--repo "octo app"'], saysNot: ['Invalid repo'] },
  },
];
