// Hardening cases of the CLI itself: the verifier's commands, empty path options, escaping of outside strings in every output, --dotenv.
import { ENABLED_YML, yml } from './case-helpers';
import type { Entry, FaultCase } from './cases';

const ESC = '\u001b[2K';
const SECRET = 's3cr3t-token-4f9a';

/** Every command, as a case runs it: each JSON form is checked as JSON. */
const EVERY_COMMAND = [
  ['config', 'validate'],
  ['config', 'validate', '--json'],
  ['governor', 'status', '--json'],
  ['verifier', 'run'],
];

/** An empty value for a path option is a usage error of every command that has it. */
const emptyOption = (option: string, commands: string[][]): FaultCase => ({
  id: `cli empty ${option}`,
  area: 'booty.yml',
  input: `${option} '' (an empty path would silently mean the current directory)`,
  commands: commands.map((args) => [...args, option, '']),
  expect: { code: 'USAGE', exit: 2, says: [option, 'empty'] },
});

/** --dotenv naming something that is not a readable .env file. */
const envFile = (
  id: string,
  input: string,
  entry: Entry | null,
  says: string[],
  extra: Partial<FaultCase['expect']> = {},
): FaultCase => ({
  id: `cli --dotenv ${id}`,
  area: 'env',
  input,
  workspace: { '.booty.yml': ENABLED_YML, ...(entry === null ? {} : { 'booty.env': entry }) },
  commands: EVERY_COMMAND.map((args) => [...args, '--dotenv', '{ws}/booty.env']),
  expect: { code: 'ENV_FILE', exit: 2, says: ['--dotenv {ws}/booty.env', ...says], ...extra },
});

export const CLI_CASES: FaultCase[] = [
  emptyOption('--workspace', EVERY_COMMAND),
  emptyOption('-w', [
    ['config', 'validate', '--json'],
    ['verifier', 'run'],
  ]),
  emptyOption('--dotenv', EVERY_COMMAND),
  emptyOption('--state-dir', [
    ['governor', 'status'],
    ['governor', 'status', '--json'],
  ]),
  {
    id: 'cli --workspace= (empty, joined form)',
    area: 'booty.yml',
    input: '--workspace= with nothing after the equals sign',
    commands: [
      ['config', 'validate', '--workspace='],
      ['verifier', 'run', '--workspace='],
    ],
    expect: { code: 'USAGE', exit: 2, says: ['--workspace'] },
  },

  envFile('missing', 'the file does not exist', null, ['does not exist']),
  envFile('is a directory', 'a directory where the file belongs', { dir: true }, ['is a directory']),
  envFile('is a symlink loop', 'the file links to itself', { symlink: 'booty.env' }, ['loop of symbolic links']),
  {
    id: 'cli --dotenv through a file',
    area: 'env',
    input: '--dotenv goes through .booty.yml as if it were a directory',
    commands: [
      ['config', 'validate'],
      ['governor', 'status', '--json'],
      ['verifier', 'run'],
    ].map((args) => [...args, '--dotenv', '{ws}/.booty.yml/booty.env']),
    expect: { code: 'ENV_FILE', exit: 2, says: ['{ws}/.booty.yml/booty.env', 'ENOTDIR'] },
  },
  envFile('is a FIFO', 'a named pipe nobody writes to (a naive read hangs)', { fifo: true }, ['not a regular file']),
  envFile('links to /dev/zero', 'an endless device (a naive read never ends)', { symlink: '/dev/zero' }, [
    'not a regular file',
  ]),
  envFile(
    'not UTF-8',
    'Latin-1 bytes around a secret',
    { bytes: () => Buffer.from(`TOKEN=${SECRET}\nNAME=caf\xe9\n`, 'latin1') },
    ['UTF-8'],
    { hidden: [SECRET] },
  ),
  envFile('holds a NUL', 'a value with a NUL after a secret', `API_TOKEN=${SECRET}\u0000x\n`, ['API_TOKEN', 'NUL'], {
    hidden: [SECRET],
  }),
  envFile('over 1 MiB', 'a 2 MB file', { bytes: () => Buffer.from(`A=${'x'.repeat(2 * 1024 * 1024)}\n`) }, ['1 MiB']),
  {
    ...envFile(
      'links to /proc/self/environ',
      "the process's own environment (NUL-separated, size 0 on stat) holding a secret",
      { symlink: '/proc/self/environ' },
      ['NUL'],
      { hidden: [SECRET] },
    ),
    env: { API_TOKEN: `${SECRET}\nFORGED ${SECRET}=1` },
  },
  {
    ...envFile(
      'unreadable',
      'mode 000, read by an unprivileged user',
      { text: `TOKEN=${SECRET}\n`, mode: 0o000 },
      ['permission denied'],
      { hidden: [SECRET] },
    ),
    unprivileged: true,
  },
  {
    id: 'cli --dotenv with a bad override',
    area: 'env',
    input: 'the file sets RELEASE_GOVERNOR_COOLDOWN_MINUTES to a word',
    workspace: {
      '.booty.yml': ENABLED_YML,
      'booty.env': '# deployment defaults\nRELEASE_GOVERNOR_COOLDOWN_MINUTES=soon # minutes\n',
    },
    commands: [
      ['config', 'validate'],
      ['config', 'validate', '--json'],
      ['governor', 'status', '--json'],
    ].map((args) => [...args, '--dotenv', '{ws}/booty.env']),
    expect: { code: 'CONFIG_ENV', exit: 2, says: ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', '{ws}/booty.env'] },
  },
  {
    id: 'cli --dotenv escape sequence in a value',
    area: 'env',
    input: 'the file sets RELEASE_GOVERNOR_APPROVAL_MODE to an erase-line sequence',
    workspace: { '.booty.yml': ENABLED_YML, 'booty.env': `RELEASE_GOVERNOR_APPROVAL_MODE="${ESC}label"\n` },
    commands: [
      ['config', 'validate'],
      ['governor', 'status', '--json'],
    ].map((args) => [...args, '--dotenv', '{ws}/booty.env']),
    expect: { code: 'CONFIG_ENV', exit: 2, says: ['RELEASE_GOVERNOR_APPROVAL_MODE'], hidden: [ESC] },
  },

  {
    id: 'cli env escape sequence in a value',
    area: 'env',
    input: 'RELEASE_GOVERNOR_APPROVAL_MODE holds \\e[2K and \\r (a forged log line)',
    env: { RELEASE_GOVERNOR_APPROVAL_MODE: `${ESC}\rlabel` },
    expect: { code: 'CONFIG_ENV', exit: 2, says: ['RELEASE_GOVERNOR_APPROVAL_MODE'], hidden: [ESC, '\r'] },
  },
  {
    id: 'cli env escape sequence in a name',
    area: 'env',
    input: 'an unknown RELEASE_GOVERNOR_\\e[2K name beside a bad value',
    env: { [`RELEASE_GOVERNOR_${ESC}`]: '1', RELEASE_GOVERNOR_ENABLED: 'maybe' },
    expect: { code: 'CONFIG_ENV', exit: 2, says: ['RELEASE_GOVERNOR_ENABLED'], hidden: [ESC] },
  },
  {
    id: 'cli env bidi override in a value',
    area: 'env',
    input: 'RELEASE_GOVERNOR_APPROVAL_MODE holds U+202E (text shown right to left)',
    env: { RELEASE_GOVERNOR_APPROVAL_MODE: '\u202elebal' },
    expect: { code: 'CONFIG_ENV', exit: 2, says: ['RELEASE_GOVERNOR_APPROVAL_MODE'], hidden: ['\u202e'] },
  },

  {
    id: 'cli verifier NUL in test_command',
    area: 'booty.yml',
    input: 'test_command "touch ran\\0" (spawn would throw)',
    workspace: yml('schema_version: 1\nsetup_command: touch set-up\ntest_command: "touch ran\\0"\n'),
    commands: [
      ['verifier', 'run'],
      ['config', 'validate', '--json'],
    ],
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['test_command'] },
  },
  {
    id: 'cli verifier escape sequence in setup_command',
    area: 'booty.yml',
    input: 'setup_command with \\e[2K that would erase the log line',
    workspace: yml('schema_version: 1\nsetup_command: "echo \\e[2Kok > made"\ntest_command: touch ran\n'),
    commands: [
      ['verifier', 'run'],
      ['config', 'validate'],
      ['config', 'validate', '--json'],
    ],
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['setup_command'], hidden: [ESC] },
  },
  {
    id: 'cli --workspace with an escape sequence',
    area: 'booty.yml',
    input: '--workspace names a missing directory whose name holds \\e[2K',
    commands: [
      ['config', 'validate', '--workspace', `{root}/ws${ESC}`],
      ['governor', 'status', '--json', '--workspace', `{root}/ws${ESC}`],
      ['verifier', 'run', '--workspace', `{root}/ws${ESC}`],
    ],
    expect: { code: 'CONFIG_READ', exit: 2, says: ['does not exist'], hidden: [ESC] },
  },
  {
    id: 'cli --dotenv with an escape sequence',
    area: 'env',
    input: '--dotenv names a missing file whose name holds \\e[2K',
    commands: [
      ['config', 'validate'],
      ['governor', 'status', '--json'],
      ['verifier', 'run'],
    ].map((args) => [...args, '--dotenv', `{ws}/${ESC}.env`]),
    expect: { code: 'ENV_FILE', exit: 2, says: ['does not exist'], hidden: [ESC] },
  },
  {
    id: 'cli unknown option with an escape sequence',
    area: 'booty.yml',
    input: 'an option --\\e[2K that clipanion echoes in its error',
    commands: [
      ['config', 'validate', `--${ESC}x`],
      ['governor', 'status', '--json', `--${ESC}x`],
      [`${ESC}x`],
      ['help', `${ESC}x`],
    ],
    expect: { code: 'USAGE', exit: 2, hidden: [ESC] },
  },
];
