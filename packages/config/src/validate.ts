import type { validatedSchemas } from './schema';
import type { SchemaNode } from './schema-types';

// The only module that runs schema validation. The validators are ajv's standalone code,
// generated from src/schema.ts by the build (scripts/generate.cjs) into dist/generated/, away from
// the hand-written sources; dist/ is beside src/, so `../dist/generated` is the same file from the
// sources (tests) and from the build. Nothing is compiled at run time: no ajv is loaded, and the
// generated module is required on first use, not at import.

export type SchemaName = keyof typeof validatedSchemas;

/** One schema violation, as ajv reports it (with `verbose`: the value and its schema). */
export interface SchemaProblem {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  data: unknown;
  parentSchema: SchemaNode;
  propertyName?: string;
}

/** What the generated code reports (ajv's ErrorObject, the fields used here). */
interface GeneratedError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  data?: unknown;
  parentSchema?: unknown;
  propertyName?: string;
}

type GeneratedValidator = ((data: unknown) => boolean) & { errors?: GeneratedError[] | null };
let validators: Record<SchemaName, GeneratedValidator> | undefined;

/**
 * Validates `data` in place against one of the schemas, filling in defaults, and returns every
 * problem (empty when valid).
 */
export function validateAgainst(name: SchemaName, data: unknown): SchemaProblem[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  validators ??= require('../dist/generated/validators.js') as Record<SchemaName, GeneratedValidator>;
  const validate = validators[name];
  if (validate(data)) return [];
  return (validate.errors ?? []).map((error) => ({
    keyword: error.keyword,
    instancePath: error.instancePath,
    params: error.params,
    data: error.data,
    parentSchema: (error.parentSchema ?? {}) as SchemaNode,
    ...(error.propertyName === undefined ? {} : { propertyName: error.propertyName }),
  }));
}
