import type * as AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { bootyConfigV0Schema, bootyConfigV1Schema, releaseGovernorSchema } from './schema';
import type { SchemaNode } from './schema-types';

// The only module that knows about ajv. Validators are compiled on first use, not at import,
// so loading the package (or a workspace without .booty.yml) costs nothing; a later step can
// swap this module for standalone code generated at build time without touching callers.

export type SchemaName = 'v0' | 'v1' | 'release_governor';

/** One schema violation, as ajv reports it (with `verbose`: the value and its schema). */
export interface SchemaProblem {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  data: unknown;
  parentSchema: SchemaNode;
  propertyName?: string;
}

const SOURCES: Record<SchemaName, SchemaNode> = {
  v0: bootyConfigV0Schema,
  v1: bootyConfigV1Schema,
  release_governor: releaseGovernorSchema,
};

let ajv: InstanceType<typeof AjvModule.default> | undefined;
const validators = new Map<SchemaName, ValidateFunction>();

/** Compiles one schema on first use (a v1 file without overrides never compiles the others). */
function validator(name: SchemaName): ValidateFunction {
  const known = validators.get(name);
  if (known) return known;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: Ajv } = require('ajv') as typeof AjvModule;
  ajv ??= new Ajv({
    allErrors: true, // every problem in one run
    useDefaults: true, // fills missing keys from the schema's defaults
    strict: true, // unknown keywords or a type-less keyword in our schema is a bug: fail loudly
    verbose: true, // errors carry the value and its schema, for messages
    code: { esm: false },
  });
  const compiled = ajv.compile(SOURCES[name]);
  validators.set(name, compiled);
  return compiled;
}

/**
 * Validates `data` in place against one of the schemas, filling in defaults, and returns every
 * problem (empty when valid).
 */
export function validateAgainst(name: SchemaName, data: unknown): SchemaProblem[] {
  const validate = validator(name);
  if (validate(data)) return [];
  return (validate.errors ?? []).map((error: ErrorObject) => ({
    keyword: error.keyword,
    instancePath: error.instancePath,
    params: error.params,
    data: error.data,
    parentSchema: (error.parentSchema ?? {}) as SchemaNode,
    ...(error.propertyName === undefined ? {} : { propertyName: error.propertyName }),
  }));
}
