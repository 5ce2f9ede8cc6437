import Ajv from 'ajv';
import ajvUcs2length from 'ajv/dist/runtime/ucs2length';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { validatedSchemas } from './schema';
import type { SchemaNode } from './schema-types';

// The generated validators (dist/generated/validators.js, built by scripts/generate.cjs) carry their
// own copy of the one ajv helper they call, so that the package needs no ajv at run time. These
// tests hold them to ajv itself: the helper against ajv's, and each validator against the same
// schema compiled by ajv at run time, on random documents.

// eslint-disable-next-line @typescript-eslint/no-require-imports
const generate = require('../scripts/generate.cjs') as { AJV_OPTIONS: Record<string, unknown> };
type Validator = ((data: unknown) => boolean) & {
  errors?: { keyword: string; instancePath: string; params: unknown }[] | null;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const generated = require('../dist/generated/validators.js') as Record<string, Validator> & {
  ucs2length: (text: string) => number;
};

/** Code units around the surrogate ranges (lone, paired, reversed), ASCII and astral characters. */
const tricky = fc.oneof(
  fc.integer({ min: 0xd7f0, max: 0xe010 }).map((unit) => String.fromCharCode(unit)),
  fc.constantFrom('a', ' ', '\t', '😀', '\ud83d\ude00', '\ude00\ud83d', 'é'),
  fc.string({ unit: 'binary', maxLength: 3 }),
);
const text = fc.array(tricky, { maxLength: 12 }).map((parts) => parts.join(''));

describe('the generated validators need no ajv at run time', () => {
  it('require nothing: no ajv, no other module', () => {
    const source = readFileSync(require.resolve('../dist/generated/validators.js'), 'utf8');
    expect(source.match(/require\([^)]*\)/g)).toBeNull();
  });

  it("count a string's length as ajv's own ucs2length does (surrogate pairs once, lone surrogates each)", () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(generated.ucs2length(value)).toBe(ajvUcs2length(value));
      }),
      { numRuns: 5000 },
    );
  });
});

/** A value of any JSON kind, weighted towards the edges the schemas check. */
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.constantFrom(
      '',
      ' ',
      'deploy.yml',
      'main',
      'a..b',
      'high',
      'label',
      'gitleaks',
      'npm test',
      'x\u0000',
      'x'.repeat(255),
      'x'.repeat(256),
      '😀'.repeat(200),
    ),
    fc.integer({ min: -5, max: 400 }),
    fc.constantFrom(0, 1, 10, 20, 365, 366, 3600, 3601, 1.5, 300.0, Number.MAX_SAFE_INTEGER + 2),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'enabled', ''), tie('value'), { maxKeys: 2 }),
  ),
})).value;

/** A mapping with some of the schema's keys (any value) and sometimes an unknown one. */
function documentOf(schema: SchemaNode): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(schema.properties ?? {});
  const known = fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: keys.length });
  const nested = Object.entries(schema.properties ?? {}).filter(([, node]) => node.properties !== undefined);
  return fc
    .tuple(
      known,
      fc.option(fc.constantFrom('unknown_key', 'enabeld'), { nil: undefined }),
      fc.option(fc.constantFrom(...(nested.length > 0 ? nested : [['', {}] as const])), { nil: undefined }),
    )
    .chain(([data, extra, block]) =>
      block === undefined || block[0] === ''
        ? fc.constant({ ...data, ...(extra ? { [extra]: 1 } : {}) })
        : documentOf(block[1] as SchemaNode).map((inner) => ({
            ...data,
            [block[0]]: inner,
            ...(extra ? { [extra]: 1 } : {}),
          })),
    );
}

describe.each(Object.keys(validatedSchemas))('the generated %s validator', (name) => {
  const schema = validatedSchemas[name as keyof typeof validatedSchemas] as SchemaNode;
  const options = { ...generate.AJV_OPTIONS };
  delete options['code'];
  const compiled = new Ajv(options).compile(schema) as Validator;
  const validate = generated[name] as Validator;

  it('gives the same verdict, errors and defaults as ajv compiled at run time', () => {
    fc.assert(
      fc.property(documentOf(schema), (document) => {
        const [a, b] = [structuredClone(document), structuredClone(document)];
        const verdict = { generated: validate(a), compiled: compiled(b) };
        expect(verdict.generated).toBe(verdict.compiled);
        const errors = (v: Validator) =>
          (v.errors ?? []).map(({ keyword, instancePath, params }) => ({ keyword, instancePath, params }));
        expect(errors(validate)).toEqual(errors(compiled));
        expect(a).toEqual(b);
      }),
      { numRuns: 1500 },
    );
  });
});
