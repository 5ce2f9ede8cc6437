import type { Assert, DefaultsFit, Equals, SchemaNode, SchemaValue } from './schema-types';
import type { BootyConfigV0, BootyConfigV1, ReleaseGovernorSettings } from './types';

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
 * fine), with its 1-based position in characters; null when there is none.
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
    'The command that runs the repository\'s tests, e.g. `npm test`. Required; must not be blank; no control characters except tab and line breaks.',
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
  },
} as const satisfies SchemaNode;

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
    test_command: { ...testCommand, description: `${testCommand.description} Leading and trailing white space is removed.` },
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
    release_governor: {
      ...releaseGovernorSchema,
      type: ['object', 'null'],
    },
  },
} as const satisfies SchemaNode;

/** The schemas the loader validates with, by name: one generated validator each (scripts/generate.cjs). */
export const validatedSchemas = {
  v0: bootyConfigV0Schema,
  v1: bootyConfigV1Schema,
  release_governor: releaseGovernorSchema,
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
  Assert<Equals<SchemaValue<typeof bootyConfigV0Schema>, BootyConfigV0>>,
  Assert<Equals<SchemaValue<typeof bootyConfigV1Schema>, BootyConfigV1>>,
  Assert<DefaultsFit<typeof releaseGovernorSchema>>,
  Assert<DefaultsFit<typeof bootyConfigV0Schema>>,
  Assert<DefaultsFit<typeof bootyConfigV1Schema>>,
];
