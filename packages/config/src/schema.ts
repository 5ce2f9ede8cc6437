import type { Assert, DefaultsFit, Equals, SchemaNode, SchemaValue } from './schema-types';
import {
  architectSchema,
  memorySchema,
  plannerSchema,
  releaseGovernorSchema,
  reviewerSchema,
  securitySchema,
} from './schema-services';
import { deepFreeze } from './schema-shared';
import { bootyConfigV0Schema, bootyConfigV1Schema } from './schema-versions';
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

// The one definition of what a valid .booty.yml is, put together from its parts:
// schema-patterns.ts (the text rules), schema-shared.ts (building blocks), schema-services.ts
// (a block per service) and schema-versions.ts (the top level of v0 and v1). types.ts states the
// same shapes for readers; the assertions at the bottom make the compiler prove that the two
// agree. The build writes the validators from this module's `validatedSchemas`, and schema.json
// is written from its `bootyConfigSchema` (scripts/generate.cjs), with a test that both are current.

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
    'Configuration of booty for one repository. `schema_version: 1` selects the strict v1 schema; ' +
    'without it (or with 0) the file is v0.',
  definitions: { v0: bootyConfigV0Schema, v1: bootyConfigV1Schema },
  if: { type: 'object', required: ['schema_version'], properties: { schema_version: { const: 1 } } },
  then: { $ref: '#/definitions/v1' },
  else: { $ref: '#/definitions/v0' },
} as const satisfies SchemaNode;

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
