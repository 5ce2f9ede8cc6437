// The top level of .booty.yml in each version: v0 (the first loader's keys, unknown keys ignored)
// and v1 (strict, with a block per service). Apart from the service blocks because these keys
// belong to the file as a whole (the commands the Verifier runs, the agent's limits) and differ
// by version, while a service block is the same wherever it appears.
import { COMMAND, NOT_BLANK } from './schema-patterns';
import {
  architectSchema,
  memorySchema,
  plannerSchema,
  releaseGovernorSchema,
  reviewerSchema,
  securitySchema,
} from './schema-services';
import { deepFreeze, MAX_INT, pathList } from './schema-shared';
import type { SchemaNode } from './schema-types';

const DEFAULT_PROTECTED_PATHS = [
  '.github/workflows/**',
  '.env',
  '.env.*',
  '**/*.env',
  '**/secrets.*',
  'Dockerfile',
  'docker-compose*.yml',
] as const;

const testCommand = {
  type: 'string',
  minLength: 1,
  pattern: COMMAND,
  description:
    "The command that runs the repository's tests, e.g. `npm test`. Required; must not be blank; " +
    'no control characters except tab and line breaks.',
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

/** A service block as it may be written in v1: its mapping, or null for "not configured". */
const nullable = <S extends SchemaNode & { type: 'object' }>(schema: S) =>
  ({ ...schema, type: ['object', 'null'] }) as const;

export const bootyConfigV0Schema = deepFreeze({
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
} as const satisfies SchemaNode);

export const bootyConfigV1Schema = deepFreeze({
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
} as const satisfies SchemaNode);
