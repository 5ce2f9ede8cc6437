// Every top-level key of .booty.yml, v0 and v1: its default, the edges of its range, and the
// errors for values it refuses. Apart from the service blocks (keys-service-blocks.spec.ts):
// these keys belong to the file as a whole and differ by version.
import {
  describeKeyCases,
  type KeyCase,
  MAX,
  nullableWholeNumber,
  PROTECTED,
  stringList,
  wholeNumber,
} from '../test/key-cases';

const TOP_LEVEL_CASES: KeyCase[] = [
  // v0
  {
    key: 'test_command',
    scope: 'v0',
    default: undefined,
    accepts: [
      ['npm test', 'npm test'],
      ['"  pytest  "', '  pytest  '],
    ],
    refuses: [
      ['""', 'must not be empty'],
      ['"   "', 'must not be blank'],
      ['42', 'expected a string, found 42'],
      ['~', 'expected a string, found null'],
    ],
  },
  {
    key: 'timeout',
    scope: 'v0',
    default: 300,
    accepts: [
      ['10', 10],
      ['3600', 3600],
      ['300.0', 300],
    ],
    refuses: wholeNumber(10, 3600),
  },
  {
    key: 'max_retries',
    scope: 'v0',
    default: 3,
    accepts: [
      ['1', 1],
      ['10', 10],
    ],
    refuses: wholeNumber(1, 10),
  },
  {
    key: 'protected_paths',
    scope: 'v0',
    default: PROTECTED,
    accepts: [
      ['[]', []],
      ['[a, "b/**"]', ['a', 'b/**']],
    ],
    refuses: stringList(),
  },
  // v1
  {
    key: 'test_command',
    scope: 'v1',
    default: undefined,
    accepts: [
      ['npm test', 'npm test'],
      ['"  npm test\\t"', 'npm test'],
    ],
    refuses: [
      ['""', 'must not be empty'],
      ['"   "', 'must not be blank'],
      ['true', 'expected a string, found true'],
    ],
  },
  {
    key: 'setup_command',
    scope: 'v1',
    default: null,
    accepts: [
      ['make setup', 'make setup'],
      ['" x "', 'x'],
      ['~', null],
    ],
    refuses: [
      ['""', 'must not be empty'],
      ['" "', 'must not be blank'],
      ['[a]', 'expected a string or null, found a list'],
    ],
  },
  {
    key: 'install_command',
    scope: 'v1',
    default: null,
    accepts: [
      ['npm ci', 'npm ci'],
      ['null', null],
    ],
    refuses: [
      ['"\\t"', 'must not be blank'],
      ['1', 'expected a string or null, found 1'],
    ],
  },
  {
    key: 'timeout_seconds',
    scope: 'v1',
    default: 300,
    accepts: [
      ['10', 10],
      ['3600', 3600],
    ],
    refuses: wholeNumber(10, 3600),
  },
  {
    key: 'max_retries',
    scope: 'v1',
    default: 3,
    accepts: [
      ['1', 1],
      ['10', 10],
    ],
    refuses: wholeNumber(1, 10),
  },
  { key: 'allowed_paths', scope: 'v1', default: [], accepts: [['[src/**]', ['src/**']]], refuses: stringList() },
  {
    key: 'forbidden_paths',
    scope: 'v1',
    default: [],
    accepts: [['[secrets/**]', ['secrets/**']]],
    refuses: stringList(),
  },
  {
    key: 'allowed_commands',
    scope: 'v1',
    default: [],
    accepts: [['[npm test, make]', ['npm test', 'make']]],
    refuses: stringList(),
  },
  {
    key: 'network_policy',
    scope: 'v1',
    default: null,
    accepts: [
      ['deny_all', 'deny_all'],
      ['registry_only', 'registry_only'],
      ['allow_list', 'allow_list'],
      ['~', null],
    ],
    refuses: [
      ['deny', 'must be one of `deny_all`, `registry_only`, `allow_list` or null; found the string "deny"'],
      ['alow_list', 'did you mean `allow_list`?'],
      ['1', 'expected a string or null, found 1'],
    ],
  },
  {
    key: 'labels',
    scope: 'v1',
    default: {},
    accepts: [
      ['{approved: ship-it}', { approved: 'ship-it' }],
      ['{"a.b": c}', { 'a.b': 'c' }],
    ],
    refuses: [
      ['[a]', 'expected a mapping, found a list'],
      ['{a: 1}', 'expected a string, found 1'],
      ['{"": x}', 'keys in labels must not be empty'],
    ],
  },
  {
    key: 'max_files_changed',
    scope: 'v1',
    default: null,
    accepts: [
      ['1', 1],
      [String(MAX), MAX],
      ['~', null],
    ],
    refuses: nullableWholeNumber(1),
  },
  {
    key: 'max_diff_loc',
    scope: 'v1',
    default: null,
    accepts: [
      ['500', 500],
      ['null', null],
    ],
    refuses: nullableWholeNumber(1),
  },
  { key: 'max_loc_per_file', scope: 'v1', default: null, accepts: [['200', 200]], refuses: nullableWholeNumber(1) },
  {
    key: 'max_loc_per_file_pathspec',
    scope: 'v1',
    default: null,
    accepts: [
      ['[src/**]', ['src/**']],
      ['~', null],
    ],
    refuses: [
      ['src', 'expected a list or null, found the string "src"'],
      ['[1]', 'expected a string, found 1'],
    ],
  },
  {
    key: 'protected_paths',
    scope: 'v1',
    default: PROTECTED,
    accepts: [
      ['[]', []],
      ['[x]', ['x']],
    ],
    refuses: stringList(),
  },
];

describeKeyCases(TOP_LEVEL_CASES);
