import { SERVICE_BLOCKS, SERVICE_NAMES } from './blocks';
import type { BootyConfigV0, BootyConfigV1, ServiceName } from './types';
import { FILE, parse, parseError } from '../test/helpers';

// Every key: its default, the edges of its range, and the errors for values it refuses.

type Scope = 'v0' | 'v1' | ServiceName;

interface KeyCase {
  key: string;
  scope: Scope;
  default: unknown;
  /** YAML text of a value and what it loads as. */
  accepts: [string, unknown][];
  /** YAML text of a value and a fragment of the message it gets. */
  refuses: [string, string][];
}

const PROTECTED = [
  '.github/workflows/**',
  '.env',
  '.env.*',
  '**/*.env',
  '**/secrets.*',
  'Dockerfile',
  'docker-compose*.yml',
];
const MAX = Number.MAX_SAFE_INTEGER;

const wholeNumber = (min: number, max: number | null): KeyCase['refuses'] => [
  [
    String(min - 1),
    max === null
      ? `must be a whole number ${min} or more, found ${min - 1}`
      : `must be a whole number from ${min} to ${max}, found ${min - 1}`,
  ],
  ...(max === null ? [] : ([[String(max + 1), `from ${min} to ${max}, found ${max + 1}`]] as [string, string][])),
  [`${min}.5`, `expected a whole number, found ${min}.5; use a whole number without a fraction`],
  [`"${min}"`, `expected a whole number, found the string "${min}"; remove the quotes`],
  ['[1]', 'expected a whole number, found a list'],
  ['.inf', 'found infinity'],
];

const nullableWholeNumber = (min: number): KeyCase['refuses'] => [
  [String(min - 1), `must be a whole number ${min} or more, found ${min - 1}`],
  [String(MAX + 2), `at most ${MAX}`],
  ['2.5', 'expected a whole number or null, found 2.5'],
  ['yes', 'expected a whole number or null, found the string "yes"'],
];

const stringList = (): KeyCase['refuses'] => [
  ['"a, b"', 'expected a list, found the string "a, b"; write a list'],
  ['[a, 1]', 'expected a string, found 1; put it in quotes'],
  ['[a, ""]', 'must not be empty'],
  ['[a, "  "]', 'must not be blank'],
  ['{a: 1}', 'expected a list, found a mapping'],
];

const CASES: KeyCase[] = [
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
  // release_governor
  {
    key: 'enabled',
    scope: 'release_governor',
    default: true,
    accepts: [
      ['true', true],
      ['false', false],
    ],
    refuses: [
      ['yes', 'expected true or false, found the string "yes"; write true or false without quotes'],
      ['1', 'expected true or false, found 1'],
      ['~', 'expected true or false, found null'],
    ],
  },
  {
    key: 'production_environment_name',
    scope: 'release_governor',
    default: 'production',
    accepts: [
      ['prod', 'prod'],
      ['"Production EU"', 'Production EU'],
      [`"${'😀'.repeat(255)}"`, '😀'.repeat(255)],
    ],
    refuses: [
      ['""', 'must not be empty'],
      ['" "', 'must not be blank'],
      [`"${'x'.repeat(256)}"`, 'must be at most 255 characters, found 256'],
      [`"${'😀'.repeat(256)}"`, 'must be at most 255 characters, found 256'],
      ['1', 'expected a string, found 1'],
    ],
  },
  {
    key: 'require_approval_for_first_deploy',
    scope: 'release_governor',
    default: false,
    accepts: [['true', true]],
    refuses: [
      ['"true"', 'expected true or false, found the string "true"'],
      ['on', 'YAML 1.2 reads yes/no/on/off as strings'],
    ],
  },
  {
    key: 'high_risk_paths',
    scope: 'release_governor',
    default: ['.github/workflows/**', '**/migrations/**'],
    accepts: [
      ['[]', []],
      ['[infra/**]', ['infra/**']],
    ],
    refuses: stringList(),
  },
  {
    key: 'migration_paths',
    scope: 'release_governor',
    default: [],
    accepts: [['[db/migrations/**]', ['db/migrations/**']]],
    refuses: stringList(),
  },
  {
    key: 'deploy_workflow_name',
    scope: 'release_governor',
    default: 'deploy.yml',
    accepts: [['release.yaml', 'release.yaml']],
    refuses: [
      ['.github/workflows/deploy.yml', 'must be a workflow file name ending in .yml or .yaml'],
      ['deploy', 'such as `deploy.yml`'],
      ['7', 'expected a string, found 7'],
    ],
  },
  {
    key: 'deploy_workflow_ref',
    scope: 'release_governor',
    default: 'main',
    accepts: [
      ['v1.2.0', 'v1.2.0'],
      ['release/2024', 'release/2024'],
    ],
    refuses: [
      ['"main branch"', 'must be a branch or tag name'],
      ['"a..b"', 'no `..`'],
      ['""', 'must be a branch or tag name'],
    ],
  },
  {
    key: 'cooldown_minutes',
    scope: 'release_governor',
    default: 30,
    accepts: [
      ['0', 0],
      [String(MAX), MAX],
    ],
    refuses: [...wholeNumber(0, null), [String(MAX + 2), `at most ${MAX}`]],
  },
  {
    key: 'max_deploys_per_hour',
    scope: 'release_governor',
    default: 6,
    accepts: [
      ['1', 1],
      ['60', 60],
    ],
    refuses: wholeNumber(1, null),
  },
  {
    key: 'approval_mode',
    scope: 'release_governor',
    default: 'environment',
    accepts: [
      ['environment', 'environment'],
      ['label', 'label'],
      ['comment', 'comment'],
    ],
    refuses: [
      ['lable', 'must be one of `environment`, `label` or `comment`; found the string "lable"; did you mean `label`?'],
      ['~', 'expected a string, found null'],
    ],
  },
  {
    key: 'approval_label',
    scope: 'release_governor',
    default: null,
    accepts: [
      ['ship-it', 'ship-it'],
      ['~', null],
    ],
    refuses: [
      ['""', 'must not be empty'],
      ['"  "', 'must not be blank'],
      ['[a]', 'expected a string or null, found a list'],
    ],
  },
  {
    key: 'approval_command',
    scope: 'release_governor',
    default: null,
    accepts: [
      ['/approve', '/approve'],
      ['null', null],
    ],
    refuses: [
      ['""', 'must not be empty'],
      ['false', 'expected a string or null, found false'],
    ],
  },
  // security
  {
    key: 'enabled',
    scope: 'security',
    default: true,
    accepts: [['false', false]],
    refuses: [
      ['on', 'YAML 1.2 reads yes/no/on/off as strings'],
      ['"true"', 'expected true or false, found the string "true"'],
    ],
  },
  {
    key: 'fail_severity',
    scope: 'security',
    default: 'high',
    accepts: [
      ['low', 'low'],
      ['medium', 'medium'],
      ['critical', 'critical'],
    ],
    refuses: [
      ['extreme', 'must be one of `low`, `medium`, `high` or `critical`; found the string "extreme"'],
      ['hihg', 'did you mean `high`?'],
      ['3', 'expected a string, found 3'],
    ],
  },
  {
    key: 'sensitive_paths',
    scope: 'security',
    default: [
      '.github/workflows/**',
      'infra/**',
      'terraform/**',
      'helm/**',
      'k8s/**',
      'iam/**',
      'auth/**',
      'security/**',
    ],
    accepts: [
      ['[]', []],
      ['[infra/**]', ['infra/**']],
    ],
    refuses: stringList(),
  },
  {
    key: 'secret_scanner',
    scope: 'security',
    default: 'gitleaks',
    accepts: [['trufflehog', 'trufflehog']],
    refuses: [
      ['detect-secrets', 'must be one of `gitleaks` or `trufflehog`'],
      ['gitleak', 'did you mean `gitleaks`?'],
    ],
  },
  {
    key: 'secret_scan_exclude',
    scope: 'security',
    default: [],
    accepts: [['[docs/**]', ['docs/**']]],
    refuses: stringList(),
  },
  // memory
  {
    key: 'enabled',
    scope: 'memory',
    default: true,
    accepts: [['false', false]],
    refuses: [['yes', 'write true or false without quotes']],
  },
  {
    key: 'retention_days',
    scope: 'memory',
    default: 90,
    accepts: [
      ['1', 1],
      ['365', 365],
    ],
    refuses: wholeNumber(1, 365),
  },
  {
    key: 'max_matches',
    scope: 'memory',
    default: 3,
    accepts: [
      ['1', 1],
      ['20', 20],
    ],
    refuses: wholeNumber(1, 20),
  },
  {
    key: 'comment_on_pr',
    scope: 'memory',
    default: true,
    accepts: [['false', false]],
    refuses: [['1', 'expected true or false, found 1']],
  },
  {
    key: 'comment_on_incident_issue',
    scope: 'memory',
    default: true,
    accepts: [['false', false]],
    refuses: [['~', 'expected true or false, found null']],
  },
  // planner
  {
    key: 'enabled',
    scope: 'planner',
    default: true,
    accepts: [['false', false]],
    refuses: [
      ['off', 'YAML 1.2 reads yes/no/on/off as strings'],
      ['[true]', 'expected true or false, found a list'],
    ],
  },
  // architect
  {
    key: 'enabled',
    scope: 'architect',
    default: true,
    accepts: [['false', false]],
    refuses: [['"no"', 'expected true or false, found the string "no"']],
  },
  {
    key: 'builder_compat',
    scope: 'architect',
    default: true,
    accepts: [['false', false]],
    refuses: [['0', 'expected true or false, found 0']],
  },
  {
    key: 'rewrite_ambiguous_steps',
    scope: 'architect',
    default: true,
    accepts: [['false', false]],
    refuses: [['null', 'expected true or false, found null']],
  },
  {
    key: 'enforce_risk_rules',
    scope: 'architect',
    default: true,
    accepts: [['false', false]],
    refuses: [['{}', 'expected true or false, found a mapping']],
  },
  // reviewer
  {
    key: 'enabled',
    scope: 'reviewer',
    default: false,
    accepts: [['true', true]],
    refuses: [['Y', 'YAML 1.2 reads yes/no/on/off as strings']],
  },
  {
    key: 'block_on',
    scope: 'reviewer',
    default: [],
    accepts: [['[overengineering, poor_tests, duplication]', ['overengineering', 'poor_tests', 'duplication']]],
    refuses: stringList(),
  },
  // release_governor, the keys added later
  {
    key: 'medium_risk_paths',
    scope: 'release_governor',
    default: [
      '**/package.json',
      '**/requirements*.txt',
      '**/pyproject.toml',
      '**/Cargo.toml',
      '**/go.mod',
      '**/go.sum',
    ],
    accepts: [
      ['[]', []],
      ['["**/Gemfile"]', ['**/Gemfile']],
    ],
    refuses: stringList(),
  },
  {
    key: 'verification_workflow_name',
    scope: 'release_governor',
    default: 'Verify main',
    accepts: [['"CI / verify"', 'CI / verify']],
    refuses: [
      ['""', 'must not be empty'],
      ['"  "', 'must not be blank'],
      ['1', 'put it in quotes'],
    ],
  },
];

/** The file for one key and value, with the line the key is on. */
function fileWith(scope: Scope, key: string, value: string | null): { text: string; line: number; column: number } {
  const entry = value === null ? [] : [`${key}: ${value}`];
  switch (scope) {
    case 'v0': {
      const lines = key === 'test_command' ? ['max_retries: 3', ...entry] : ['test_command: npm test', ...entry];
      return { text: `${lines.join('\n')}\n`, line: lines.length, column: key.length + 3 };
    }
    case 'v1': {
      const lines =
        key === 'test_command'
          ? ['schema_version: 1', ...entry]
          : ['schema_version: 1', 'test_command: npm test', ...entry];
      return { text: `${lines.join('\n')}\n`, line: lines.length, column: key.length + 3 };
    }
    default: {
      // The Governor's block gets another key first, so that it is never empty ({} is disabled);
      // the others are written as {} when the key is left out (every default).
      const filler =
        scope !== 'release_governor' ? [] : [key === 'enabled' ? '  approval_mode: environment' : '  enabled: true'];
      const block =
        entry.length === 0 && filler.length === 0
          ? [`${scope}: {}`]
          : [`${scope}:`, ...filler, ...entry.map((l) => `  ${l}`)];
      const lines = ['schema_version: 1', 'test_command: npm test', ...block];
      return { text: `${lines.join('\n')}\n`, line: lines.length, column: key.length + 5 };
    }
  }
}

function loaded(scope: Scope, text: string): Record<string, unknown> {
  const result = parse(text);
  const config = result.config as BootyConfigV0 | BootyConfigV1;
  if (scope !== 'v0' && scope !== 'v1') return result.services[scope].settings as unknown as Record<string, unknown>;
  return config as unknown as Record<string, unknown>;
}

function pathOf(scope: Scope, key: string): string {
  return scope === 'v0' || scope === 'v1' ? key : `${scope}.${key}`;
}

describe.each(CASES.map((c) => [`${c.scope} ${c.key}`, c] as const))('%s', (_name, c) => {
  if (c.default !== undefined) {
    it(`defaults to ${JSON.stringify(c.default)}`, () => {
      const { text } = fileWith(c.scope, c.key, null);
      expect(loaded(c.scope, text)[c.key]).toEqual(c.default);
    });
  } else {
    it('is required', () => {
      const { text } = fileWith(c.scope, c.key, null);
      const error = parseError('CONFIG_SCHEMA', text);
      expect(error.issues).toEqual([
        expect.objectContaining({
          path: '',
          message: expect.stringContaining(`missing required key \`${c.key}\``),
          file: FILE,
          line: 1,
          column: 1,
        }),
      ]);
    });
  }

  it.each(c.accepts)('accepts %s', (yamlValue, expected) => {
    const { text } = fileWith(c.scope, c.key, yamlValue);
    expect(loaded(c.scope, text)[c.key]).toEqual(expected);
  });

  it.each(c.refuses)('refuses %s', (yamlValue, fragment) => {
    const { text, line, column } = fileWith(c.scope, c.key, yamlValue);
    const error = parseError('CONFIG_SCHEMA', text);
    expect(error.issues).toHaveLength(1);
    const [issue] = error.issues;
    expect(issue).toMatchObject({ file: FILE, line });
    expect(issue?.path.startsWith(pathOf(c.scope, c.key))).toBe(true);
    expect(issue?.message).toContain(fragment);
    // The value itself (or, for an item in a list, a column after the key).
    expect(issue?.column).toBeGreaterThanOrEqual(column);
  });
});

test('every key of every service block has its case above', () => {
  const missing = SERVICE_NAMES.flatMap((name) =>
    Object.keys(SERVICE_BLOCKS[name].schema.properties)
      .filter((key) => !CASES.some((c) => c.scope === name && c.key === key))
      .map((key) => `${name}.${key}`),
  );
  expect(missing).toEqual([]);
});

describe('unknown keys', () => {
  it('are ignored in v0, as the first loader did', () => {
    const result = parse(
      'test_command: npm test\ntimeout_seconds: 5\nrelease_governor:\n  enabled: true\nwhatever: [1]\n',
    );
    expect(result.config).toEqual({
      schema_version: 0,
      test_command: 'npm test',
      timeout: 300,
      max_retries: 3,
      protected_paths: PROTECTED,
    });
    expect(result.releaseGovernor.state).toBe('absent');
  });

  it('are errors in v1 at the top, pointing at the key, with a suggestion', () => {
    const error = parseError('CONFIG_SCHEMA', v1text('tets_command: x', 'timeout: 30'));
    expect(error.issues).toEqual([
      {
        path: 'tets_command',
        message: 'unknown key `tets_command` at the top level; did you mean `test_command`?',
        file: FILE,
        line: 3,
        column: 1,
        suggestion: 'test_command',
      },
      {
        path: 'timeout',
        message: 'unknown key `timeout` at the top level; did you mean `timeout_seconds`?',
        file: FILE,
        line: 4,
        column: 1,
        suggestion: 'timeout_seconds',
      },
    ]);
  });

  it('are errors in release_governor, with "did you mean"', () => {
    const error = parseError('CONFIG_SCHEMA', v1text('release_governor:', '  enabeld: true'));
    expect(error.issues).toEqual([
      {
        path: 'release_governor.enabeld',
        message: 'unknown key `enabeld` in release_governor; did you mean `enabled`?',
        file: FILE,
        line: 4,
        column: 3,
        suggestion: 'enabled',
      },
    ]);
  });

  it('list the known keys when nothing is close', () => {
    const error = parseError('CONFIG_SCHEMA', v1text('release_governor:', '  colour: blue'));
    expect(error.issues[0]?.message).toBe(
      'unknown key `colour` in release_governor; remove it (known keys: enabled, production_environment_name, ' +
        'require_approval_for_first_deploy, high_risk_paths, migration_paths, deploy_workflow_name, ' +
        'deploy_workflow_ref, ' +
        'cooldown_minutes, max_deploys_per_hour, approval_mode, approval_label, approval_command, medium_risk_paths, ' +
        'verification_workflow_name); if a newer booty reads it, booty 0.1.0 skips it with `--allow-newer-keys`',
    );
    expect(error.issues[0]?.suggestion).toBeUndefined();
  });

  it('say so when a release_governor key is written at the top level', () => {
    const error = parseError('CONFIG_SCHEMA', v1text('cooldown_minutes: 10'));
    expect(error.issues[0]?.message).toContain('it belongs under release_governor');
  });

  it('are errors in any nested mapping (release_governor inside labels is just a label)', () => {
    const result = parse(v1text('labels:', '  release_governor: x'));
    expect((result.config as BootyConfigV1).labels).toEqual({ release_governor: 'x' });
  });
});

function v1text(...lines: string[]): string {
  return ['schema_version: 1', 'test_command: npm test', ...lines, ''].join('\n');
}

describe('release_governor itself', () => {
  it.each([
    ['true', 'expected a mapping or null, found true; write its settings under it'],
    ['[enabled]', 'expected a mapping or null, found a list'],
    ['on', 'expected a mapping or null, found the string "on"'],
  ])('refuses %s', (value, fragment) => {
    const error = parseError('CONFIG_SCHEMA', v1text(`release_governor: ${value}`));
    expect(error.issues).toEqual([expect.objectContaining({ path: 'release_governor', line: 3, column: 19 })]);
    expect(error.issues[0]?.message).toContain(fragment);
  });
});

describe('several problems', () => {
  it('are all reported in one error, sorted by line and column', () => {
    const text = [
      'schema_version: 1',
      'test_command: "  "',
      'timeout_seconds: 5',
      'release_governor:',
      '  cooldown_minutes: -1',
      '  approval_mode: lable',
      '  enabeld: true',
      'network_policy: deny',
      'max_retries: 1.5',
      '',
    ].join('\n');
    const error = parseError('CONFIG_SCHEMA', text);
    expect(error.issues.map((i) => [i.line, i.path])).toEqual([
      [2, 'test_command'],
      [3, 'timeout_seconds'],
      [5, 'release_governor.cooldown_minutes'],
      [6, 'release_governor.approval_mode'],
      [7, 'release_governor.enabeld'],
      [8, 'network_policy'],
      [9, 'max_retries'],
    ]);
    expect(error.message).toBe(
      `${FILE}:2:15: test_command: must not be blank (only white space); found the string "  " (and 6 more problems)`,
    );
  });
});
