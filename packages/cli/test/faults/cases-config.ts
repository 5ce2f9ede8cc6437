// Hardening cases of .booty.yml: files people actually write (encodings, other names, YAML edge cases,
// look-alike letters), symlinks that point outside the workspace, secrets never echoed.
import { ENABLED_YML, governorYml, yml } from './case-helpers';
import type { FaultCase } from './cases';

const TOKEN = 'npm_SECRETTOKEN0123456789abcdef';
const NPMRC = `//registry.npmjs.org/:_authToken=${TOKEN}\nalways-auth=true\n`;
const PRIVATE_KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU: [KEYBODYSECRET\n-----END OPENSSH PRIVATE KEY-----\n';
const ERASE = '\u001b[2K';

// Each command a user or CI runs on a checkout: all must refuse it the same way.
const ALL: string[][] = [
  ['governor', 'status', '--json'],
  ['config', 'validate', '--json'],
  ['config', 'validate'],
  ['verifier', 'run'],
];
// The authors' side, which reads every block strictly (the Governor goes on when only another's block is
// broken); for a command field, `verifier run` must refuse before anything runs (the runner checks no file appeared).
const COMMAND_RUNS: string[][] = [
  ['config', 'validate', '--json'],
  ['config', 'validate'],
  ['verifier', 'run'],
];

const utf16 = (text: string, bigEndian: boolean) => () => {
  const bytes = Buffer.from(text, 'utf16le');
  return bigEndian ? bytes.swap16() : bytes;
};

export const CONFIG_CASES: FaultCase[] = [
  // --- symbolic links and foreign content: nothing of it is read or echoed ------------------
  {
    id: 'yml links to an .npmrc with a token outside the workspace',
    area: 'booty.yml',
    input: 'a pull request commits .booty.yml -> ../.npmrc',
    workspace: { '../secret/.npmrc': NPMRC, '.booty.yml': { symlink: '{root}/secret/.npmrc' } },
    commands: ALL,
    expect: {
      code: 'CONFIG_READ',
      exit: 2,
      says: ['outside the workspace', 'nothing of it was read'],
      hidden: [TOKEN, 'SECRETTOKEN'],
    },
  },
  {
    id: 'yml links to /proc/self/environ',
    area: 'booty.yml',
    input: 'the process environment (with a secret in it) behind a link',
    workspace: { '.booty.yml': { symlink: '/proc/self/environ' } },
    env: { BOOTY_CANARY_SECRET: 'canary-VALUE-8472' },
    commands: ALL,
    expect: { code: 'CONFIG_READ', exit: 2, says: ['outside the workspace'], hidden: ['canary-VALUE-8472'] },
  },
  {
    id: 'yml links inside, through a directory link that leads outside',
    area: 'booty.yml',
    input: 'ws/conf -> ../elsewhere, .booty.yml -> conf/booty.yml',
    workspace: {
      '../elsewhere/booty.yml': ENABLED_YML,
      conf: { symlink: '{root}/elsewhere' },
      '.booty.yml': { symlink: 'conf/booty.yml' },
    },
    expect: { code: 'CONFIG_READ', exit: 2, says: ['outside the workspace'] },
  },
  {
    id: 'yml links to the workspace directory',
    area: 'booty.yml',
    input: '.booty.yml -> .',
    workspace: { '.booty.yml': { symlink: '.' } },
    expect: { code: 'CONFIG_READ', exit: 2, says: ['not a regular file'] },
  },
  {
    id: 'yml is a copied .npmrc',
    area: 'booty.yml',
    input: 'an .npmrc with a token saved as .booty.yml (a plain string at the top level)',
    workspace: yml(NPMRC),
    commands: ALL,
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['found text ('], hidden: [TOKEN, 'SECRETTOKEN'] },
  },
  {
    id: 'yml is a private key',
    area: 'booty.yml',
    input: 'an SSH private key saved as .booty.yml (YAML errors on foreign content)',
    workspace: yml(PRIVATE_KEY),
    commands: ALL,
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['{ws}/.booty.yml:'], hidden: ['KEYBODYSECRET', 'b3BlbnNzaC1rZXkt'] },
  },
  {
    id: 'yml is a .env file',
    area: 'booty.yml',
    input: 'KEY=value lines (a multi-line plain string)',
    workspace: yml('DATABASE_URL=postgres://app:dbpassword77@db/app\nAPI_KEY=sk_live_abcdef\n'),
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['must be a mapping'], hidden: ['dbpassword77', 'sk_live_abcdef'] },
  },

  // --- escape sequences and control characters ----------------------------------------------
  {
    id: 'yml key with an erase-line sequence',
    area: 'booty.yml',
    input: 'a key "\\e[2K\\rtest passed" that would rewrite the log line',
    workspace: yml(`schema_version: 1\ntest_command: npm test\n"\\e[2K\\rtest passed": 1\n`),
    commands: ALL,
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['\\e[2K\\rtest passed'], hidden: [ERASE, '\rtest passed'] },
  },
  {
    id: 'yml key with a bidi override',
    area: 'booty.yml',
    input: 'a release_governor key with U+202E (reverses what follows on screen)',
    workspace: governorYml('  "enabled\u202e": true\n'),
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['\\u{202e}'], hidden: ['\u202e'] },
  },
  {
    id: 'yml test_command with an escape sequence',
    area: 'booty.yml',
    input: 'test_command: "true \\e[2K" (hides itself in a log)',
    workspace: yml(`schema_version: 1\ntest_command: "touch ran \\e[2K"\n`),
    commands: COMMAND_RUNS,
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['test_command', 'control character \\e'], hidden: [ERASE] },
  },
  {
    id: 'yml test_command with a NUL',
    area: 'booty.yml',
    input: 'test_command: "touch ran\\0x" (a NUL cannot reach a shell)',
    workspace: yml(`schema_version: 1\ntest_command: "touch ran\\0x"\n`),
    commands: COMMAND_RUNS,
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['test_command', 'control character \\x00'], hidden: ['\u0000'] },
  },
  {
    id: 'yml test_command with a carriage return',
    area: 'booty.yml',
    input: 'test_command: "touch ran\\rnpm test" (the log shows only "npm test")',
    workspace: yml(`schema_version: 1\ntest_command: "touch ran\\rnpm test"\n`),
    commands: COMMAND_RUNS,
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['test_command', 'control character \\r'], hidden: ['\rnpm test'] },
  },
  {
    id: 'yml setup_command with a C1 CSI',
    area: 'booty.yml',
    input: 'setup_command with U+009B (a one-byte escape sequence start)',
    workspace: yml(`schema_version: 1\ntest_command: npm test\nsetup_command: "touch ran\\x9b2K"\n`),
    commands: COMMAND_RUNS,
    expect: { code: 'CONFIG_SCHEMA', exit: 2, says: ['setup_command', '\\x9b'], hidden: ['\u009b'] },
  },
  {
    id: 'env approval command with an escape sequence',
    area: 'env',
    input: 'RELEASE_GOVERNOR_APPROVAL_COMMAND="/deploy\\e[2K"',
    env: { RELEASE_GOVERNOR_APPROVAL_COMMAND: `/deploy${ERASE}` },
    expect: {
      code: 'CONFIG_ENV',
      exit: 2,
      says: ['RELEASE_GOVERNOR_APPROVAL_COMMAND', 'control character \\e'],
      hidden: [ERASE],
    },
  },
  {
    id: 'env value with a terminal title sequence',
    area: 'env',
    input: 'RELEASE_GOVERNOR_COOLDOWN_MINUTES holding OSC 0 (sets the window title) and a newline',
    env: { RELEASE_GOVERNOR_COOLDOWN_MINUTES: '5\u001b]0;pwned\u0007\nfake: line' },
    // It spans lines, so it is described, not quoted: nothing of it reaches the output.
    expect: {
      code: 'CONFIG_ENV',
      exit: 2,
      says: ['(a value of 2 lines, 22 characters, not shown)'],
      hidden: ['\u001b]0;', 'pwned', 'fake: line'],
    },
  },

  // --- the other services' blocks: the same hardening, and the authors' side refuses them --------
  {
    id: 'yml security key with an erase-line sequence',
    area: 'booty.yml',
    input: 'a key "\\e[2K\\rok" inside security (the Governor goes on; every authors\' command refuses it)',
    workspace: yml(`${ENABLED_YML}security:\n  "\\e[2K\\rok": true\n`),
    commands: COMMAND_RUNS,
    expect: {
      code: 'CONFIG_SCHEMA',
      exit: 2,
      says: ['security.\\e[2K\\rok', 'remove it (known keys: enabled'],
      hidden: [ERASE, '\rok'],
    },
  },
  {
    id: 'env SECURITY_FAIL_SEVERITY with an escape sequence',
    area: 'env',
    input: 'SECURITY_FAIL_SEVERITY="high\\e[2K" with a security block to apply to',
    workspace: yml(`${ENABLED_YML}security: {}\n`),
    env: { SECURITY_FAIL_SEVERITY: `high${ERASE}` },
    commands: COMMAND_RUNS,
    expect: {
      code: 'CONFIG_ENV',
      exit: 2,
      says: ['SECURITY_FAIL_SEVERITY', '"high\\e[2K"', 'low, medium, high, critical'],
      hidden: [ERASE],
    },
  },
  {
    id: 'yml block name with a Cyrillic look-alike letter',
    area: 'booty.yml',
    input: 'security typed with U+0455 CYRILLIC SMALL LETTER DZE for its s: a near miss, refused by every reader',
    workspace: yml(`${ENABLED_YML}\u0455ecurity:\n  enabled: false\n`),
    commands: ALL,
    expect: {
      code: 'CONFIG_SCHEMA',
      exit: 2,
      says: ['did you mean `security`?', 'U+0455 CYRILLIC SMALL LETTER DZE at position 1'],
    },
  },
  {
    id: 'env MEMORY_RETENTION_DAYS beyond every number',
    area: 'env',
    input: 'MEMORY_RETENTION_DAYS=99999999999999999999 (the Python loader dropped a bad value without a word)',
    workspace: yml(`${ENABLED_YML}memory: {}\n`),
    env: { MEMORY_RETENTION_DAYS: '99999999999999999999' },
    commands: COMMAND_RUNS,
    expect: { code: 'CONFIG_ENV', exit: 2, says: ['MEMORY_RETENTION_DAYS', 'is too large', '1 to 365'] },
  },

  // --- files people actually write -----------------------------------------------------------
  {
    id: 'yml UTF-16 LE without a BOM',
    area: 'booty.yml',
    input: 'saved as "Unicode" by an editor on Windows: ASCII interleaved with zero bytes',
    workspace: { '.booty.yml': { bytes: utf16(ENABLED_YML, false) } },
    commands: ALL,
    expect: { code: 'CONFIG_ENCODING', exit: 2, says: ['UTF-16 LE without a byte order mark', 'save it as UTF-8'] },
  },
  {
    id: 'yml UTF-16 BE without a BOM',
    area: 'booty.yml',
    input: 'big-endian UTF-16, no byte order mark',
    workspace: { '.booty.yml': { bytes: utf16(ENABLED_YML, true) } },
    expect: { code: 'CONFIG_ENCODING', exit: 2, says: ['UTF-16 BE'] },
  },
  {
    id: 'yml only .booty.yaml present',
    area: 'booty.yml',
    input: 'the file saved with the other extension',
    workspace: { '.booty.yaml': ENABLED_YML },
    commands: ALL,
    expect: {
      code: 'CONFIG_READ',
      exit: 2,
      says: ['there is no .booty.yml, but there is .booty.yaml', 'git mv .booty.yaml .booty.yml'],
    },
  },
  {
    id: 'yml only booty.yml present',
    area: 'booty.yml',
    input: 'the file without its leading dot',
    workspace: { 'booty.yml': ENABLED_YML },
    expect: { code: 'CONFIG_READ', exit: 2, says: ['but there is booty.yml', 'git mv booty.yml .booty.yml'] },
  },
  {
    id: 'yml only .booty.json present',
    area: 'booty.yml',
    input: 'the configuration written as JSON under another name',
    workspace: { '.booty.json': '{"schema_version": 1, "test_command": "npm test"}\n' },
    expect: { code: 'CONFIG_READ', exit: 2, says: ['but there is .booty.json', 'JSON is valid YAML'] },
  },
  {
    id: 'yml content after ...',
    area: 'booty.yml',
    input: 'a document end marker with settings after it',
    workspace: yml(`${ENABLED_YML}...\n  cooldown_minutes: 5\n`),
    expect: {
      code: 'CONFIG_YAML',
      exit: 2,
      says: ['{ws}/.booty.yml:6:', 'content after `...` (the end of the document, line 5)'],
      saysNot: ['parseAllDocuments', 'YAML.'],
    },
  },
  {
    id: 'yml unclosed [ on the last line',
    area: 'booty.yml',
    input: 'high_risk_paths: [infra/** with no ] and no newline at the end',
    workspace: governorYml('  high_risk_paths: [infra/**, db/**'),
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['{ws}/.booty.yml:4:20', 'this `[` is never closed'] },
  },
  {
    id: 'yml unclosed { on the last line',
    area: 'booty.yml',
    input: 'labels: {approved: ship-it with no }',
    workspace: yml('schema_version: 1\ntest_command: npm test\nlabels: {approved: ship-it\n'),
    expect: { code: 'CONFIG_YAML', exit: 2, says: ['{ws}/.booty.yml:3:9', 'this `{` is never closed'] },
  },
  {
    id: 'yml key with a Cyrillic look-alike letter',
    area: 'booty.yml',
    input: 'enabled typed with U+0435 CYRILLIC SMALL LETTER IE for its first e',
    workspace: governorYml('  \u0435nabled: true\n'),
    commands: ALL,
    expect: {
      code: 'CONFIG_SCHEMA',
      exit: 2,
      says: ['did you mean `enabled`?', 'U+0435 CYRILLIC SMALL LETTER IE at position 1 differs from `e`'],
    },
  },
  {
    id: 'yml key with a Greek look-alike letter',
    area: 'booty.yml',
    input: 'cooldown_minutes with U+03BF GREEK SMALL LETTER OMICRON',
    workspace: governorYml('  c\u03bfoldown_minutes: 5\n'),
    expect: {
      code: 'CONFIG_SCHEMA',
      exit: 2,
      says: ['did you mean `cooldown_minutes`?', 'U+03BF GREEK SMALL LETTER OMICRON at position 2'],
    },
  },
];
