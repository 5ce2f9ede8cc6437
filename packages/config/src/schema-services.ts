// The block of each booty service in .booty.yml (`release_governor`, `security`, `memory`,
// `planner`, `architect`, `reviewer`): its keys, their defaults and their limits. Apart from the
// top-level keys because each block is owned and read by its own service (blocks.ts names the
// owner and the variables). A new block goes here, under v1 (schema-versions.ts), into blocks.ts
// and into types.ts (schema.ts proves the two agree).
import { COMMAND, GIT_REF, NOT_BLANK, WORKFLOW_FILE } from './schema-patterns';
import { deepFreeze, MAX_INT, pathList } from './schema-shared';
import type { SchemaNode } from './schema-types';

export const releaseGovernorSchema = deepFreeze({
  type: 'object',
  title: 'release_governor',
  description:
    'Release Governor settings. Absent, null or {} means the Governor is disabled. ' +
    'Every key can be overridden by RELEASE_GOVERNOR_<KEY> in the environment.',
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
} as const satisfies SchemaNode);

/** A block's `enabled` key; `on` says what the block's own default is. */
const enabledKey = (on: boolean, what: string, variable: string) =>
  ({
    type: 'boolean',
    default: on,
    description: `Turn ${what} on or off (${variable}); ${on ? 'on' : 'off'} by default.`,
  }) as const;

export const securitySchema = deepFreeze({
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
} as const satisfies SchemaNode);

export const memorySchema = deepFreeze({
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
} as const satisfies SchemaNode);

export const plannerSchema = deepFreeze({
  type: 'object',
  title: 'planner',
  description: 'The Planner. {} means on; null or absent means not configured. Overridden by PLANNER_ENABLED.',
  additionalProperties: false,
  properties: {
    enabled: enabledKey(true, 'the Planner', 'PLANNER_ENABLED'),
  },
} as const satisfies SchemaNode);

export const architectSchema = deepFreeze({
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
} as const satisfies SchemaNode);

export const reviewerSchema = deepFreeze({
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
} as const satisfies SchemaNode);
