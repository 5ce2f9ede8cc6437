import Ajv from 'ajv';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { bootyConfigSchema, SCHEMA_ID, validatedSchemas } from './schema';
import { COMMAND, commandControlCharacter, GIT_REF, WORKFLOW_FILE } from './schema-patterns';
import { releaseGovernorSchema } from './schema-services';
import { bootyConfigV1Schema } from './schema-versions';
import type { SchemaNode } from './schema-types';
import { SERVICE_BLOCKS, SERVICE_NAMES } from './blocks';
import { configEnvVariables } from './env-overrides';
import type { ServiceName } from './types';

const packageDir = path.join(__dirname, '..');

describe('schema.json', () => {
  it('is exactly the schema authored in src/schema.ts (refresh it with `npx nx run @booty/config:write-schema`)', () => {
    const committed: unknown = JSON.parse(readFileSync(path.join(packageDir, 'schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(bootyConfigSchema)));
  });

  it('has current validators in dist/generated/validators.js (written by `npx nx build @booty/config`)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const generate = require('../scripts/generate.cjs') as {
      VALIDATORS_FILE: string;
      validatorsText: (schemas: unknown) => string;
    };
    const built = readFileSync(generate.VALIDATORS_FILE, 'utf8');
    expect(built === generate.validatorsText({ validatedSchemas })).toBe(true);
  });

  it('is exported by the package as @booty/config/schema.json and shipped in its files', () => {
    const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      files: string[];
    };
    expect(manifest.exports['./schema.json']).toBe('./schema.json');
    expect(manifest.files).toContain('schema.json');
  });
});

describe('bootyConfigSchema', () => {
  const strictAjv = (): Ajv => new Ajv({ strict: true, allErrors: true });

  it('is a draft-07 schema with an $id, a title and a description for editors', () => {
    expect(bootyConfigSchema).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: SCHEMA_ID,
      title: '.booty.yml',
    });
  });

  it('is frozen, so nobody can change what the loader validates', () => {
    expect(Object.isFrozen(bootyConfigSchema)).toBe(true);
    expect(Object.isFrozen(releaseGovernorSchema.properties.high_risk_paths.default)).toBe(true);
  });

  it('compiles in ajv strict mode as a whole (what an editor sees)', () => {
    expect(() => strictAjv().compile(bootyConfigSchema)).not.toThrow();
  });

  it('picks v1 for schema_version 1 and v0 otherwise, as the loader does', () => {
    const validate = strictAjv().compile(bootyConfigSchema);
    expect(validate({ schema_version: 1, test_command: 'npm test' })).toBe(true);
    expect(validate({ schema_version: 1, test_command: 'npm test', timeout: 5 })).toBe(false);
    expect(validate({ test_command: 'npm test', anything: 'goes in v0' })).toBe(true);
    expect(validate({ schema_version: 0, test_command: 'npm test' })).toBe(true);
    expect(validate({ schema_version: 2, test_command: 'npm test' })).toBe(false);
    expect(validate({ schema_version: 1, test_command: 'x', release_governor: { enabled: true, nope: 1 } })).toBe(
      false,
    );
    expect(validate(['a list'])).toBe(false);
  });

  function propertiesOf(schema: SchemaNode): [string, SchemaNode][] {
    return Object.entries(schema.properties ?? {});
  }

  // Each version, and each service block (nested in v1).
  const schemas: [string, SchemaNode][] = [
    ...Object.entries(validatedSchemas),
    ...SERVICE_NAMES.map((name): [string, SchemaNode] => [name, SERVICE_BLOCKS[name].schema]),
  ];

  it.each(schemas)('every default of %s passes its own schema', (_name, schema) => {
    const ajv = strictAjv();
    for (const [key, property] of propertiesOf(schema)) {
      if (!('default' in property)) continue;
      const validate = ajv.compile(property);
      expect({ key, valid: validate(property.default) }).toEqual({ key, valid: true });
    }
  });

  it('gives every key a description', () => {
    for (const [, schema] of schemas) {
      for (const [key, property] of propertiesOf(schema)) {
        expect({ key, description: typeof property.description }).toEqual({ key, description: 'string' });
      }
    }
  });

  it('has the keys and defaults of the reference table for release_governor', () => {
    const defaults = Object.fromEntries(propertiesOf(releaseGovernorSchema).map(([key, p]) => [key, p.default]));
    expect(defaults).toEqual({
      enabled: true,
      production_environment_name: 'production',
      require_approval_for_first_deploy: false,
      high_risk_paths: ['.github/workflows/**', '**/migrations/**'],
      migration_paths: [],
      deploy_workflow_name: 'deploy.yml',
      deploy_workflow_ref: 'main',
      cooldown_minutes: 30,
      max_deploys_per_hour: 6,
      approval_mode: 'environment',
      approval_label: null,
      approval_command: null,
      medium_risk_paths: [
        '**/package.json',
        '**/requirements*.txt',
        '**/pyproject.toml',
        '**/Cargo.toml',
        '**/go.mod',
        '**/go.sum',
      ],
      verification_workflow_name: 'Verify main',
    });
  });
});

describe('the service blocks', () => {
  it('are in v1, each a mapping or null, in the order of the reference table', () => {
    const properties = bootyConfigV1Schema.properties as Record<string, SchemaNode>;
    expect(Object.keys(properties).slice(-6)).toEqual([
      'release_governor',
      'security',
      'memory',
      'planner',
      'architect',
      'reviewer',
    ]);
    for (const name of SERVICE_NAMES)
      expect({ name, type: properties[name]?.type }).toEqual({ name, type: ['object', 'null'] });
  });

  it('name their variables in their descriptions, so that an editor shows them', () => {
    for (const { block, variable } of configEnvVariables) {
      if (block === 'release_governor') continue;
      expect({ variable, described: SERVICE_BLOCKS[block].schema.description?.includes(variable) }).toEqual({
        variable,
        described: true,
      });
    }
  });

  it('have the defaults of the reference table', () => {
    const defaults = (name: ServiceName) =>
      Object.fromEntries(
        Object.entries(SERVICE_BLOCKS[name].schema.properties).map(([key, node]) => [key, node.default]),
      );
    expect(defaults('security')).toEqual({
      enabled: true,
      fail_severity: 'high',
      sensitive_paths: [
        '.github/workflows/**',
        'infra/**',
        'terraform/**',
        'helm/**',
        'k8s/**',
        'iam/**',
        'auth/**',
        'security/**',
      ],
      secret_scanner: 'gitleaks',
      secret_scan_exclude: [],
    });
    expect(defaults('memory')).toEqual({
      enabled: true,
      retention_days: 90,
      max_matches: 3,
      comment_on_pr: true,
      comment_on_incident_issue: true,
    });
    expect(defaults('planner')).toEqual({ enabled: true });
    expect(defaults('architect')).toEqual({
      enabled: true,
      builder_compat: true,
      rewrite_ambiguous_steps: true,
      enforce_risk_rules: true,
    });
    expect(defaults('reviewer')).toEqual({ enabled: false, block_on: [] });
  });
});

describe('patterns', () => {
  const workflowFile = new RegExp(WORKFLOW_FILE, 'u');
  const gitRef = new RegExp(GIT_REF, 'u');

  it.each(['deploy.yml', 'release.yaml', 'my deploy.yml'])('accepts the workflow file name %j', (name) => {
    expect(workflowFile.test(name)).toBe(true);
  });

  it.each(['.github/workflows/deploy.yml', 'deploy', 'deploy.json', 'a\\b.yml', '.yml'])(
    'refuses %j as a workflow file name',
    (name) => {
      expect(workflowFile.test(name)).toBe(false);
    },
  );

  it.each(['main', 'v1.2.0', 'release/2024-06', 'refs/heads/main'])('accepts the ref %j', (ref) => {
    expect(gitRef.test(ref)).toBe(true);
  });

  it.each(['', 'has space', '-main', 'a..b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[b', 'a\\b'])(
    'refuses the ref %j',
    (ref) => {
      expect(gitRef.test(ref)).toBe(false);
    },
  );
});

describe('commandControlCharacter: the one rule for control characters in commands', () => {
  it.each([
    ['npm test', null],
    ['make\tcheck', null],
    ['npm ci\nnpm test', null],
    ['touch ran\u0000', { character: '\u0000', position: 10 }],
    ['é\u001b[2K', { character: '\u001b', position: 2 }],
    ['😀a\rb', { character: '\r', position: 3 }],
    ['a\u0085b', { character: '\u0085', position: 2 }],
  ])('%j gives %j', (command, expected) => {
    expect(commandControlCharacter(command)).toEqual(expected);
  });

  it('agrees with the schema pattern on every non-blank string', () => {
    const pattern = new RegExp(COMMAND, 'u');
    // Characters near the edges of the rule (all of U+0000..U+00A0), and a few ordinary ones.
    const unit = fc.oneof(
      fc.integer({ min: 0, max: 0xa0 }).map((code) => String.fromCharCode(code)),
      fc.constantFrom('a', ' ', 'é', '😀', '\u2028'),
    );
    fc.assert(
      fc.property(
        fc.string({ unit, minLength: 1 }).filter((s) => /\S/.test(s)),
        (s) => {
          expect(pattern.test(s)).toBe(commandControlCharacter(s) === null);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
