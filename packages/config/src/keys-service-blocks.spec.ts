// Every key of every service block (release_governor, security, memory, planner, architect,
// reviewer): its default, the edges of its range, and the errors for values it refuses; that no
// key is left without a case; and a block that is not a mapping. Apart from the top-level keys
// (keys-top-level.spec.ts): each block is its own service's, checked on its own.
import { SERVICE_BLOCKS, SERVICE_NAMES } from './blocks';
import { describeKeyCases, type KeyCase, MAX, stringList, wholeNumber } from '../test/key-cases';
import { parseError, v1 } from '../test/helpers';

const SERVICE_BLOCK_CASES: KeyCase[] = [
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

describeKeyCases(SERVICE_BLOCK_CASES);

test('every key of every service block has its case above', () => {
  const missing = SERVICE_NAMES.flatMap((name) =>
    Object.keys(SERVICE_BLOCKS[name].schema.properties)
      .filter((key) => !SERVICE_BLOCK_CASES.some((c) => c.scope === name && c.key === key))
      .map((key) => `${name}.${key}`),
  );
  expect(missing).toEqual([]);
});

describe('release_governor itself', () => {
  it.each([
    ['true', 'expected a mapping or null, found true; write its settings under it'],
    ['[enabled]', 'expected a mapping or null, found a list'],
    ['on', 'expected a mapping or null, found the string "on"'],
  ])('refuses %s', (value, fragment) => {
    const error = parseError('CONFIG_SCHEMA', v1(`release_governor: ${value}`));
    expect(error.issues).toEqual([expect.objectContaining({ path: 'release_governor', line: 3, column: 19 })]);
    expect(error.issues[0]?.message).toContain(fragment);
  });
});
