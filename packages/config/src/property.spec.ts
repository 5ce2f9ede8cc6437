import fc from 'fast-check';
import { stringify } from 'yaml';
import { ConfigError } from './errors';
import { parseBootyConfig } from './parse';
import type {
  ArchitectSettings,
  BootyConfigV0,
  BootyConfigV1,
  MemorySettings,
  PlannerSettings,
  ReleaseGovernorSettings,
  ReviewerSettings,
  SecuritySettings,
} from './types';
import { releaseGovernorEnvVariables } from './env-overrides';

const FILE = '/repo/.booty.yml';

/** Parses, and lets only ConfigError escape. */
function survives(source: string | Uint8Array, env: NodeJS.ProcessEnv = {}): void {
  try {
    parseBootyConfig(source, { file: FILE, env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(typeof issue.message).toBe('string');
      if (issue.line !== null) expect(issue.line).toBeGreaterThanOrEqual(1);
      if (issue.column !== null) expect(issue.column).toBeGreaterThanOrEqual(1);
    }
  }
}

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));

const KEYS = [
  'schema_version',
  'test_command',
  'setup_command',
  'install_command',
  'timeout',
  'timeout_seconds',
  'max_retries',
  'allowed_paths',
  'forbidden_paths',
  'allowed_commands',
  'network_policy',
  'labels',
  'max_files_changed',
  'max_diff_loc',
  'max_loc_per_file',
  'max_loc_per_file_pathspec',
  'protected_paths',
  'release_governor',
  'enabled',
  'cooldown_minutes',
  'approval_mode',
  '__proto__',
  'constructor',
  'prototype',
];

/** Text made of YAML's own pieces, so that it gets past the tokenizer more often than noise does. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(...KEYS),
      fc.constantFrom(
        ': ',
        ':',
        '- ',
        '\n',
        '\n  ',
        '\n    ',
        '\t',
        '[',
        ']',
        '{',
        '}',
        ', ',
        '&a ',
        '*a',
        '&b ',
        '*b',
        '? ',
        '"',
        "'",
        '#',
        '!!str ',
        '!x ',
        '|\n',
        '>-\n',
        '---\n',
        '...\n',
        '~',
        'null',
        'true',
        'yes',
        '1',
        '0',
        '-1',
        '1.5',
        '.inf',
        '0x1F',
        '1e3',
        '%YAML 1.1\n',
      ),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

const json = fc.jsonValue({ maxDepth: 3 });

const envArb = fc.dictionary(
  fc.oneof(
    fc.constantFrom(...releaseGovernorEnvVariables.map((v) => v.variable)),
    fc.string({ maxLength: 30 }).map((s) => `RELEASE_GOVERNOR_${s}`),
  ),
  fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.constantFrom('', 'true', 'off', '5', '-1', '1.5', '[]', '["a"]', 'a,,b', 'label'),
  ),
  { maxKeys: 5 },
);

describe('random input never throws anything but ConfigError', () => {
  it('for any text, including unpaired surrogates', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: codeUnit })), (text) => survives(text)),
      { numRuns: 500 },
    );
  });

  it('for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => survives(bytes)),
      { numRuns: 500 },
    );
  });

  it('for YAML-shaped text and any environment', () => {
    fc.assert(
      fc.property(yamlish, envArb, (text, env) => survives(text, env)),
      { numRuns: 1000 },
    );
  });

  it('for any JSON-like values under the known keys', () => {
    const doc = fc.record(
      {
        schema_version: fc.oneof(fc.constantFrom(0, 1), json),
        test_command: fc.oneof(fc.string(), json),
        release_governor: fc.oneof(
          fc.constant(null),
          fc.dictionary(fc.constantFrom(...KEYS, 'high_risk_paths'), json, { maxKeys: 4 }),
          json,
        ),
        labels: json,
        protected_paths: json,
        max_diff_loc: json,
        extra: json,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(doc, envArb, (value, env) => survives(stringify(value), env)),
      { numRuns: 500 },
    );
  });
});

// Arbitraries of valid configurations, written from the rules in REFERENCE.md.
const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });
const command = text.map((s) => s.trim()).filter((s) => /\S/.test(s));
const nonBlank = text.filter((s) => /\S/.test(s));
const paths = fc.array(nonBlank, { maxLength: 4 });
const nullableLimit = fc.option(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { nil: null });

const workflowFile = fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}\.ya?ml$/);
const gitRef = fc.stringMatching(/^[a-z][a-z0-9._/-]{0,15}$/).filter((r) => !r.includes('..'));

const settingsArb: fc.Arbitrary<ReleaseGovernorSettings> = fc.record({
  enabled: fc.boolean(),
  production_environment_name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((s) => /\S/.test(s)),
  require_approval_for_first_deploy: fc.boolean(),
  high_risk_paths: paths,
  migration_paths: paths,
  deploy_workflow_name: workflowFile,
  deploy_workflow_ref: gitRef,
  cooldown_minutes: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  max_deploys_per_hour: fc.integer({ min: 1, max: 10_000 }),
  approval_mode: fc.constantFrom('environment', 'label', 'comment'),
  approval_label: fc.option(nonBlank, { nil: null }),
  approval_command: fc.option(nonBlank, { nil: null }),
  medium_risk_paths: paths,
  verification_workflow_name: nonBlank,
});

// The other services' blocks; each may be absent, null or written in full.
const blockArbs = {
  security: fc.record<SecuritySettings>({
    enabled: fc.boolean(),
    fail_severity: fc.constantFrom('low', 'medium', 'high', 'critical'),
    sensitive_paths: paths,
    secret_scanner: fc.constantFrom('gitleaks', 'trufflehog'),
    secret_scan_exclude: paths,
  }),
  memory: fc.record<MemorySettings>({
    enabled: fc.boolean(),
    retention_days: fc.integer({ min: 1, max: 365 }),
    max_matches: fc.integer({ min: 1, max: 20 }),
    comment_on_pr: fc.boolean(),
    comment_on_incident_issue: fc.boolean(),
  }),
  planner: fc.record<PlannerSettings>({ enabled: fc.boolean() }),
  architect: fc.record<ArchitectSettings>({
    enabled: fc.boolean(),
    builder_compat: fc.boolean(),
    rewrite_ambiguous_steps: fc.boolean(),
    enforce_risk_rules: fc.boolean(),
  }),
  reviewer: fc.record<ReviewerSettings>({ enabled: fc.boolean(), block_on: paths }),
};
const blocksArb = fc.record(
  Object.fromEntries(
    Object.entries(blockArbs).map(([name, arb]) => [
      name,
      fc.oneof(fc.constant('absent' as const), fc.constant(null), arb as fc.Arbitrary<object>),
    ]),
  ),
);

/** Labels with any non-empty names, `__proto__` included, as own properties. */
const labelsArb = fc
  .uniqueArray(
    fc.tuple(
      fc.oneof(nonBlank, fc.constantFrom('__proto__', 'constructor', 'prototype', ' ')),
      fc.string({ maxLength: 10 }),
    ),
    {
      selector: ([key]) => key,
      maxLength: 4,
    },
  )
  .map((entries) => {
    const labels: Record<string, string> = {};
    for (const [key, value] of entries)
      Object.defineProperty(labels, key, { value, enumerable: true, writable: true, configurable: true });
    return labels;
  });

const v0Arb: fc.Arbitrary<BootyConfigV0> = fc.record({
  schema_version: fc.constant(0 as const),
  test_command: nonBlank,
  timeout: fc.integer({ min: 10, max: 3600 }),
  max_retries: fc.integer({ min: 1, max: 10 }),
  protected_paths: paths,
});

const v1Arb: fc.Arbitrary<BootyConfigV1> = fc
  .tuple(
    fc.record({
      schema_version: fc.constant(1 as const),
      test_command: command,
      setup_command: fc.option(command, { nil: null }),
      install_command: fc.option(command, { nil: null }),
      timeout_seconds: fc.integer({ min: 10, max: 3600 }),
      max_retries: fc.integer({ min: 1, max: 10 }),
      allowed_paths: paths,
      forbidden_paths: paths,
      allowed_commands: paths,
      network_policy: fc.constantFrom('deny_all', 'registry_only', 'allow_list', null),
      labels: labelsArb,
      max_files_changed: nullableLimit,
      max_diff_loc: nullableLimit,
      max_loc_per_file: nullableLimit,
      max_loc_per_file_pathspec: fc.option(paths, { nil: null }),
      protected_paths: paths,
    }),
    fc.oneof(fc.constant('absent' as const), fc.constant(null), settingsArb),
    blocksArb,
  )
  .map(([base, block, others]) => {
    const written = Object.fromEntries(Object.entries(others).filter(([, value]) => value !== 'absent'));
    return { ...base, ...(block === 'absent' ? {} : { release_governor: block }), ...written } as BootyConfigV1;
  });

describe('valid configurations survive a YAML round trip', () => {
  it('v0', () => {
    fc.assert(
      fc.property(v0Arb, (config) => {
        const loaded = parseBootyConfig(stringify(config), { file: FILE, env: {} });
        expect(loaded.config).toEqual(config);
      }),
      { numRuns: 300 },
    );
  });

  it('v1, with and without each service block', () => {
    fc.assert(
      fc.property(v1Arb, (config) => {
        const loaded = parseBootyConfig(stringify(config), { file: FILE, env: {} });
        expect(loaded.config).toEqual(config);
        expect(Object.keys((loaded.config as BootyConfigV1).labels)).toEqual(Object.keys(config.labels));
        const block = config.release_governor;
        expect(loaded.releaseGovernor.enabled).toBe(block !== undefined && block !== null && block.enabled);
        for (const name of Object.keys(blockArbs) as (keyof typeof blockArbs)[]) {
          const written = config[name];
          expect({ name, enabled: loaded.services[name].enabled }).toEqual({
            name,
            enabled: written !== undefined && written !== null && written.enabled,
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('and again through the loaded result (loading is idempotent)', () => {
    fc.assert(
      fc.property(v1Arb, (config) => {
        const once = parseBootyConfig(stringify(config), { file: FILE, env: {} }).config;
        const twice = parseBootyConfig(stringify(once), { file: FILE, env: {} }).config;
        expect(twice).toEqual(once);
      }),
      { numRuns: 100 },
    );
  });
});
