import type { Assert, DefaultsFit, Equals, SchemaNode, SchemaValue } from './schema-types';
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

// The one definition of what a valid .booty.yml is. types.ts states the same shapes for
// readers; the assertions at the bottom make the compiler prove that the two agree, and
// schema.json is written from this file (scripts/write-schema.cjs), with a test that it is current.

/** At least one character that is not white space. */
export const NOT_BLANK = '\\S';
/** A workflow file name in `.github/workflows`, not a path. */
export const WORKFLOW_FILE = '^[^/\\\\]+\\.ya?ml$';
/** Enough of git's ref-name rules to catch typos: no spaces, no `..`, no leading `-`, none of ~^:?*[\ */
export const GIT_REF = '^(?!-)(?!.*\\.\\.)[^\\s~^:?*\\[\\\\]+$';

/**
 * The control characters a command may not hold: C0 except tab and line feed (a block scalar `|`
 * puts one command per line), DEL and C1. A NUL cannot reach a shell at all, and an escape
 * sequence or carriage return makes a log line lie about what ran. The one definition: the
 * schema's COMMAND pattern, the loader's messages and the Verifier's last guard all use it.
 */
const COMMAND_CONTROL_CLASS = '\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f';
const COMMAND_CONTROL = new RegExp(`[${COMMAND_CONTROL_CLASS}]`, 'u');

/** A command run through the shell (or typed as a comment): not blank, and none of the control characters above. */
export const COMMAND = `^(?=[\\s\\S]*\\S)[^${COMMAND_CONTROL_CLASS}]*$`;

/**
 * The first control character in `command` that a command may not hold (tab and line feed are
 * fine), with its 1-based position in characters; null when there is none. Never throws.
 *
 * @param command - a command as written in `.booty.yml` (`test_command`, ...)
 */
export function commandControlCharacter(command: string): { character: string; position: number } | null {
  const found = COMMAND_CONTROL.exec(command);
  if (found === null) return null;
  return { character: found[0], position: Array.from(command.slice(0, found.index)).length + 1 };
}

/** What each pattern accepts, for the environment table. */
export const PATTERN_NOUN: Readonly<Record<string, string>> = {
  [NOT_BLANK]: 'any text that is not blank',
  [COMMAND]: 'a command that is not blank, without control characters (tab aside)',
  [WORKFLOW_FILE]: 'a workflow file name such as `deploy.yml`',
  [GIT_REF]: 'a branch or tag name such as `main`',
};

/** Plain words for each pattern, used in error messages. */
export const PATTERN_HELP: Readonly<Record<string, string>> = {
  [NOT_BLANK]: 'must not be blank (only white space)',
  [COMMAND]: 'must be a command that is not blank, without control characters (tab and line breaks aside)',
  [WORKFLOW_FILE]: 'must be a workflow file name ending in .yml or .yaml, such as `deploy.yml` (no directories)',
  [GIT_REF]: 'must be a branch or tag name such as `main` or `v1.2.0` (no spaces, no `..`, none of ~^:?*[\\)',
};

const MAX_INT = Number.MAX_SAFE_INTEGER;

const DEFAULT_PROTECTED_PATHS = [
  '.github/workflows/**',
  '.env',
  '.env.*',
  '**/*.env',
  '**/secrets.*',
  'Dockerfile',
  'docker-compose*.yml',
] as const;

const pathList = { type: 'array', items: { type: 'string', minLength: 1, pattern: NOT_BLANK } } as const;

const testCommand = {
  type: 'string',
  minLength: 1,
  pattern: COMMAND,
  description:
    "The command that runs the repository's tests, e.g. `npm test`. Required; must not be blank; no control characters except tab and line breaks.",
  examples: ['npm test', 'pytest -q'],
} as const;

const maxRetries = {
  type: 'integer',
  minimum: 1,
  maximum: 10,
  default: 3,
  description: 'How many times the agent may retry a failing change (1 to 10).',
} as const;

const protectedPaths = {
  ...pathList,
  default: DEFAULT_PROTECTED_PATHS,
  description: 'Globs of files the agent must never change.',
} as const;

export const releaseGovernorSchema = {
  type: 'object',
  title: 'release_governor',
  description:
    'Release Governor settings. Absent, null or {} means the Governor is disabled. Every key can be overridden by RELEASE_GOVERNOR_<KEY> in the environment.',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', default: true, description: 'Turn the Governor on or off (RELEASE_GOVERNOR_ENABLED).' },
    production_environment_name: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      pattern: NOT_BLANK,
      default: 'production',
      description: 'The GitHub environment that production deploys use.',
    },
    require_approval_for_first_deploy: {
      type: 'boolean',
      default: false,
      description: 'Hold the very first deploy until it is approved.',
    },
    high_risk_paths: {
      ...pathList,
      default: ['.github/workflows/**', '**/migrations/**'],
      description: 'Pathspecs whose change makes a deploy high risk.',
    },
    migration_paths: { ...pathList, default: [], description: 'Pathspecs of database migrations.' },
    deploy_workflow_name: {
      type: 'string',
      pattern: WORKFLOW_FILE,
      default: 'deploy.yml',
      description: 'File name of the deploy workflow in .github/workflows.',
    },
    deploy_workflow_ref: {
      type: 'string',
      pattern: GIT_REF,
      default: 'main',
      description: 'Branch or tag at which the deploy workflow is dispatched.',
    },
    cooldown_minutes: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_INT,
      default: 30,
      description: 'Minutes to wait after a deploy before the next one (0 or more).',
    },
    max_deploys_per_hour: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_INT,
      default: 6,
      description: 'At most this many deploys in any hour (1 or more).',
    },
    approval_mode: {
      type: 'string',
      enum: ['environment', 'label', 'comment'],
      default: 'environment',
      description: 'How approval is given: GitHub environment protection, a label, or a comment.',
    },
    approval_label: {
      type: ['string', 'null'],
      minLength: 1,
      pattern: NOT_BLANK,
      default: null,
      description: 'The label that approves a deploy when approval_mode is `label`.',
    },
    approval_command: {
      type: ['string', 'null'],
      minLength: 1,
      pattern: COMMAND,
      default: null,
      description: 'The comment command that approves a deploy when approval_mode is `comment`.',
    },
    medium_risk_paths: {
      ...pathList,
      default: [
        '**/package.json',
        '**/requirements*.txt',
        '**/pyproject.toml',
        '**/Cargo.toml',
        '**/go.mod',
        '**/go.sum',
      ],
      description: 'Pathspecs whose change makes a deploy medium risk (dependency manifests by default).',
    },
    verification_workflow_name: {
      type: 'string',
      minLength: 1,
      pattern: NOT_BLANK,
      default: 'Verify main',
      description: 'The display name (`name:`) of the workflow whose successful run on main the Governor acts on.',
    },
  },
} as const satisfies SchemaNode;

/** A block's `enabled` key; `on` says what the block's own default is. */
const enabledKey = (on: boolean, what: string, variable: string) =>
  ({
    type: 'boolean',
    default: on,
    description: `Turn ${what} on or off (${variable}); ${on ? 'on' : 'off'} by default.`,
  }) as const;

export const securitySchema = {
  type: 'object',
  title: 'security',
  description:
    'Security checks of pull requests. {} means on with every default; null or absent means not configured. ' +
    'Overridden by SECURITY_ENABLED and SECURITY_FAIL_SEVERITY.',
  additionalProperties: false,
  properties: {
    enabled: enabledKey(true, 'Security', 'SECURITY_ENABLED'),
    fail_severity: {
      type: 'string',
      enum: ['low', 'medium', 'high', 'critical'],
      default: 'high',
      description: 'Findings of this severity or worse fail the check (SECURITY_FAIL_SEVERITY).',
    },
    sensitive_paths: {
      ...pathList,
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
      description: 'Pathspecs whose change needs a closer look.',
    },
    secret_scanner: {
      type: 'string',
      enum: ['gitleaks', 'trufflehog'],
      default: 'gitleaks',
      description: 'The secret scanner to run.',
    },
    secret_scan_exclude: { ...pathList, default: [], description: 'Path patterns the secret scanner skips.' },
  },
} as const satisfies SchemaNode;

export const memorySchema = {
  type: 'object',
  title: 'memory',
  description:
    'Memory of past incidents and changes. {} means on with every default; null or absent means not configured. ' +
    'Overridden by MEMORY_ENABLED, MEMORY_RETENTION_DAYS and MEMORY_MAX_MATCHES.',
  additionalProperties: false,
  properties: {
    enabled: enabledKey(true, 'Memory', 'MEMORY_ENABLED'),
    retention_days: {
      type: 'integer',
      minimum: 1,
      maximum: 365,
      default: 90,
      description: 'Days a memory is kept (1 to 365; MEMORY_RETENTION_DAYS).',
    },
    max_matches: {
      type: 'integer',
      minimum: 1,
      maximum: 20,
      default: 3,
      description: 'At most this many related memories are shown (1 to 20; MEMORY_MAX_MATCHES).',
    },
    comment_on_pr: { type: 'boolean', default: true, description: 'Comment related memories on pull requests.' },
    comment_on_incident_issue: {
      type: 'boolean',
      default: true,
      description: 'Comment related memories on incident issues.',
    },
  },
} as const satisfies SchemaNode;

export const plannerSchema = {
  type: 'object',
  title: 'planner',
  description: 'The Planner. {} means on; null or absent means not configured. Overridden by PLANNER_ENABLED.',
  additionalProperties: false,
  properties: {
    enabled: enabledKey(true, 'the Planner', 'PLANNER_ENABLED'),
  },
} as const satisfies SchemaNode;

export const architectSchema = {
  type: 'object',
  title: 'architect',
  description:
    'The Architect, which reviews plans before the builder. {} means on with every default; ' +
    'null or absent means not configured. Overridden by ARCHITECT_ENABLED and ARCHITECT_BUILDER_COMPAT.',
  additionalProperties: false,
  properties: {
    enabled: enabledKey(true, 'the Architect', 'ARCHITECT_ENABLED'),
    builder_compat: {
      type: 'boolean',
      default: true,
      description: 'Keep plans in the shape the builder reads (ARCHITECT_BUILDER_COMPAT).',
    },
    rewrite_ambiguous_steps: { type: 'boolean', default: true, description: 'Rewrite plan steps that are ambiguous.' },
    enforce_risk_rules: { type: 'boolean', default: true, description: 'Apply the risk rules to plans.' },
  },
} as const satisfies SchemaNode;

export const reviewerSchema = {
  type: 'object',
  title: 'reviewer',
  description:
    'The Reviewer of pull requests. Off unless `enabled: true` ({} means off); null or absent means not configured. ' +
    'Overridden by REVIEWER_ENABLED.',
  additionalProperties: false,
  properties: {
    enabled: enabledKey(false, 'the Reviewer', 'REVIEWER_ENABLED'),
    block_on: {
      type: 'array',
      items: { type: 'string', minLength: 1, pattern: NOT_BLANK },
      default: [],
      description: 'Review categories that block a merge, e.g. `overengineering`, `poor_tests`, `duplication`.',
    },
  },
} as const satisfies SchemaNode;

/** A service block as it may be written in v1: its mapping, or null for "not configured". */
const nullable = <S extends SchemaNode & { type: 'object' }>(schema: S) =>
  ({ ...schema, type: ['object', 'null'] }) as const;

export const bootyConfigV0Schema = {
  type: 'object',
  title: '.booty.yml v0',
  description: 'Version 0 (no schema_version, or 0). Unknown keys are ignored, as the first loader did.',
  required: ['test_command'],
  properties: {
    schema_version: { type: 'integer', const: 0, default: 0, description: 'Absent or 0 for this version.' },
    test_command: testCommand,
    timeout: {
      type: 'integer',
      minimum: 10,
      maximum: 3600,
      default: 300,
      description: 'Seconds the test command may run (10 to 3600).',
    },
    max_retries: maxRetries,
    protected_paths: protectedPaths,
  },
} as const satisfies SchemaNode;

export const bootyConfigV1Schema = {
  type: 'object',
  title: '.booty.yml v1',
  description: 'Version 1: strict, an unknown key anywhere is an error.',
  additionalProperties: false,
  required: ['schema_version', 'test_command'],
  properties: {
    schema_version: { type: 'integer', const: 1, description: 'Must be 1 for this version.' },
    test_command: {
      ...testCommand,
      description: `${testCommand.description} Leading and trailing white space is removed.`,
    },
    setup_command: {
      type: ['string', 'null'],
      minLength: 1,
      pattern: COMMAND,
      default: null,
      description: 'Runs first, before install_command; null to skip.',
    },
    install_command: {
      type: ['string', 'null'],
      minLength: 1,
      pattern: COMMAND,
      default: null,
      description: 'Installs dependencies before the tests; null to skip.',
    },
    timeout_seconds: {
      type: 'integer',
      minimum: 10,
      maximum: 3600,
      default: 300,
      description: 'Seconds each command may run (10 to 3600).',
    },
    max_retries: maxRetries,
    allowed_paths: { ...pathList, default: [], description: 'Globs the agent may change; empty means no restriction.' },
    forbidden_paths: { ...pathList, default: [], description: 'Globs the agent must not change.' },
    allowed_commands: {
      type: 'array',
      items: { type: 'string', minLength: 1, pattern: COMMAND },
      default: [],
      description: 'Commands the agent may run.',
    },
    network_policy: {
      type: ['string', 'null'],
      enum: ['deny_all', 'registry_only', 'allow_list', null],
      default: null,
      description: 'Network access while the agent works; null for the service default.',
    },
    labels: {
      type: 'object',
      propertyNames: { type: 'string', minLength: 1 },
      additionalProperties: { type: 'string' },
      default: {},
      description: 'Labels by purpose, e.g. `{ approved: "ship-it" }`.',
    },
    max_files_changed: {
      type: ['integer', 'null'],
      minimum: 1,
      maximum: MAX_INT,
      default: null,
      description: 'At most this many files per change; null for no limit.',
    },
    max_diff_loc: {
      type: ['integer', 'null'],
      minimum: 1,
      maximum: MAX_INT,
      default: null,
      description: 'At most this many changed lines per change; null for no limit.',
    },
    max_loc_per_file: {
      type: ['integer', 'null'],
      minimum: 1,
      maximum: MAX_INT,
      default: null,
      description: 'At most this many changed lines in one file; null for no limit.',
    },
    max_loc_per_file_pathspec: {
      type: ['array', 'null'],
      items: { type: 'string', minLength: 1, pattern: NOT_BLANK },
      default: null,
      description: 'Pathspecs that max_loc_per_file applies to; null for every file.',
    },
    protected_paths: protectedPaths,
    release_governor: nullable(releaseGovernorSchema),
    security: nullable(securitySchema),
    memory: nullable(memorySchema),
    planner: nullable(plannerSchema),
    architect: nullable(architectSchema),
    reviewer: nullable(reviewerSchema),
  },
} as const satisfies SchemaNode;

/** The schemas the loader validates with, by name: one generated validator each (scripts/generate.cjs). */
export const validatedSchemas = {
  v0: bootyConfigV0Schema,
  v1: bootyConfigV1Schema,
} as const;

export const SCHEMA_ID = 'https://unpkg.com/@booty/config/schema.json';

const rootSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: SCHEMA_ID,
  title: '.booty.yml',
  description:
    'Configuration of booty for one repository. `schema_version: 1` selects the strict v1 schema; without it (or with 0) the file is v0.',
  definitions: { v0: bootyConfigV0Schema, v1: bootyConfigV1Schema },
  if: { type: 'object', required: ['schema_version'], properties: { schema_version: { const: 1 } } },
  then: { $ref: '#/definitions/v1' },
  else: { $ref: '#/definitions/v0' },
} as const satisfies SchemaNode;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The JSON Schema of `.booty.yml` (the same content as the package's schema.json); frozen. */
export const bootyConfigSchema: object = deepFreeze(rootSchema);

// Compile-time proof that schema and interfaces agree, including every default.
export type SchemaAgreesWithTypes = [
  Assert<Equals<SchemaValue<typeof releaseGovernorSchema>, ReleaseGovernorSettings>>,
  Assert<Equals<SchemaValue<typeof securitySchema>, SecuritySettings>>,
  Assert<Equals<SchemaValue<typeof memorySchema>, MemorySettings>>,
  Assert<Equals<SchemaValue<typeof plannerSchema>, PlannerSettings>>,
  Assert<Equals<SchemaValue<typeof architectSchema>, ArchitectSettings>>,
  Assert<Equals<SchemaValue<typeof reviewerSchema>, ReviewerSettings>>,
  Assert<Equals<SchemaValue<typeof bootyConfigV0Schema>, BootyConfigV0>>,
  Assert<Equals<SchemaValue<typeof bootyConfigV1Schema>, BootyConfigV1>>,
  Assert<DefaultsFit<typeof releaseGovernorSchema>>,
  Assert<DefaultsFit<typeof securitySchema>>,
  Assert<DefaultsFit<typeof memorySchema>>,
  Assert<DefaultsFit<typeof plannerSchema>>,
  Assert<DefaultsFit<typeof architectSchema>>,
  Assert<DefaultsFit<typeof reviewerSchema>>,
  Assert<DefaultsFit<typeof bootyConfigV0Schema>>,
  Assert<DefaultsFit<typeof bootyConfigV1Schema>>,
];
