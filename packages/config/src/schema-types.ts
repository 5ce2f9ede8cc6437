// Type-level reading of the JSON Schema subset used in schema.ts and its parts (schema-*.ts), so
// that the schema and the interfaces in types.ts are checked against each other by the compiler:
// change one without the other and the build fails.

/** The keywords the schema may use; `satisfies SchemaNode` rejects a misspelt keyword. */
export interface SchemaNode {
  readonly $schema?: string;
  readonly $id?: string;
  readonly $comment?: string;
  readonly title?: string;
  readonly description?: string;
  readonly type?: SchemaTypeName | readonly SchemaTypeName[];
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly const?: string | number | boolean | null;
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly items?: SchemaNode;
  readonly properties?: { readonly [key: string]: SchemaNode };
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | SchemaNode;
  readonly propertyNames?: SchemaNode;
  readonly definitions?: { readonly [key: string]: SchemaNode };
  readonly if?: SchemaNode;
  readonly then?: SchemaNode | { readonly $ref: string };
  readonly else?: SchemaNode | { readonly $ref: string };
}

export type SchemaTypeName = 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'array' | 'object';

/** The TypeScript type of a value that passed `S` with defaults applied. */
export type SchemaValue<S> = S extends { readonly enum: readonly (infer E)[] }
  ? E
  : S extends { readonly const: infer C }
    ? C
    : S extends { readonly type: infer T }
      ? TypeValue<T extends readonly (infer U)[] ? U : T, S>
      : unknown;

type TypeValue<T, S> = T extends 'string'
  ? string
  : T extends 'integer' | 'number'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? S extends { readonly items: infer I }
            ? SchemaValue<I>[]
            : unknown[]
          : T extends 'object'
            ? ObjectValue<S>
            : never;

type ObjectValue<S> = S extends { readonly properties: infer P }
  ? Simplify<
      { -readonly [K in keyof P as K extends PresentKeys<S, P> ? K : never]: SchemaValue<P[K]> } & {
        -readonly [K in keyof P as K extends PresentKeys<S, P> ? never : K]?: SchemaValue<P[K]>;
      }
    >
  : S extends { readonly additionalProperties: infer A extends object }
    ? Record<string, SchemaValue<A>>
    : Record<string, unknown>;

/** Keys always present after validation: the required ones and the ones with a default. */
type PresentKeys<S, P> =
  | (S extends { readonly required: readonly (infer R)[] } ? R : never)
  | { [K in keyof P]: P[K] extends { readonly default: unknown } ? K : never }[keyof P];

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** True only when A and B are the same type (optional, readonly and null included). */
export type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export type Assert<T extends true> = T;

type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** `true` when every `default` in the properties of `S` is a value `S` accepts for that key. */
export type DefaultsFit<S> = S extends { readonly properties: infer P }
  ? false extends {
      [K in keyof P]: P[K] extends { readonly default: infer D }
        ? D extends DeepReadonly<SchemaValue<P[K]>>
          ? true
          : false
        : true;
    }[keyof P]
    ? false
    : true
  : true;
