import {
  architectSchema,
  memorySchema,
  plannerSchema,
  releaseGovernorSchema,
  reviewerSchema,
  securitySchema,
} from './schema-services';
import type { SchemaNode } from './schema-types';
import type { ServiceName } from './types';

// The service blocks of .booty.yml: who owns each, and which of its keys the environment
// overrides. Everything that treats the blocks alike (validation by block, overrides, statuses,
// origins, messages) reads this table, so a block is added in one place (and in schema-services.ts).

export interface ServiceBlock {
  /** The service, as messages name it ("the Release Governor"). */
  owner: string;
  schema: SchemaNode & { properties: Readonly<Record<string, SchemaNode>> };
  /** Variables are `<prefix><KEY IN UPPER CASE>`. */
  prefix: string;
  /**
   * The keys with a variable. The Governor's block has one for every key; the other prefixes are
   * generic words (other software sets MEMORY_LIMIT or SECURITY_PROFILE), so only the names the
   * services have always read are read.
   */
  envKeys: readonly string[];
  /** `release_governor: {}` means disabled (the decision record); any other `{}` is every default. */
  emptyMeansDisabled: boolean;
}

const keysOf = (schema: { properties: object }): string[] => Object.keys(schema.properties);

export const SERVICE_BLOCKS: Readonly<Record<ServiceName, ServiceBlock>> = {
  release_governor: {
    owner: 'the Release Governor',
    schema: releaseGovernorSchema,
    prefix: 'RELEASE_GOVERNOR_',
    envKeys: keysOf(releaseGovernorSchema),
    emptyMeansDisabled: true,
  },
  security: {
    owner: 'Security',
    schema: securitySchema,
    prefix: 'SECURITY_',
    envKeys: ['enabled', 'fail_severity'],
    emptyMeansDisabled: false,
  },
  memory: {
    owner: 'Memory',
    schema: memorySchema,
    prefix: 'MEMORY_',
    envKeys: ['enabled', 'retention_days', 'max_matches'],
    emptyMeansDisabled: false,
  },
  planner: {
    owner: 'the Planner',
    schema: plannerSchema,
    prefix: 'PLANNER_',
    envKeys: ['enabled'],
    emptyMeansDisabled: false,
  },
  architect: {
    owner: 'the Architect',
    schema: architectSchema,
    prefix: 'ARCHITECT_',
    envKeys: ['enabled', 'builder_compat'],
    emptyMeansDisabled: false,
  },
  reviewer: {
    owner: 'the Reviewer',
    schema: reviewerSchema,
    prefix: 'REVIEWER_',
    envKeys: ['enabled'],
    emptyMeansDisabled: false,
  },
};

/** The service blocks in the schema's order. */
export const SERVICE_NAMES = Object.keys(SERVICE_BLOCKS) as ServiceName[];

export function isServiceName(name: string): name is ServiceName {
  return Object.prototype.hasOwnProperty.call(SERVICE_BLOCKS, name);
}

/** The variable that overrides `key` of `block`. */
export function variableOf(block: ServiceName, key: string): string {
  return `${SERVICE_BLOCKS[block].prefix}${key.toUpperCase()}`;
}

/** The blocks that have `key` (for a block's key written at the top level). */
export function blocksWithKey(key: string): ServiceName[] {
  return SERVICE_NAMES.filter((name) =>
    Object.prototype.hasOwnProperty.call(SERVICE_BLOCKS[name].schema.properties, key),
  );
}
