import { SERVICE_BLOCKS, SERVICE_NAMES, variableOf } from './blocks';
import { explainProblems } from './messages';
import { pointerSegments } from './paths';
import { PATTERN_NOUN } from './schema-patterns';
import type { SchemaNode } from './schema-types';
import { closest } from './suggest';
import type { ConfigIssue, ConfigWarning, ServiceName } from './types';
import { escapeText, excerpt } from './text';
import { validateAgainst } from './validate';

/**
 * Variables of these prefixes that other parts of booty read and that are not config keys: never
 * taken for overrides, never warned about.
 */
export const NON_CONFIG_VARIABLES: readonly string[] = [
  'RELEASE_GOVERNOR_STATE_DIR',
  'RELEASE_GOVERNOR_STORE_URL',
  'RELEASE_GOVERNOR_APPROVED',
  'RELEASE_GOVERNOR_OVERRIDE_POLL_SEC',
  'MEMORY_STATE_DIR',
  'PLANNER_STATE_DIR',
  'PLANNER_CACHE_TTL_HOURS',
  'ARCHITECT_CACHE_TTL_HOURS',
];

type Kind =
  | { kind: 'boolean' }
  | { kind: 'integer' }
  | { kind: 'list' }
  | { kind: 'enum'; values: string[]; nullable: boolean }
  | { kind: 'string'; nullable: boolean };

// How each variable is parsed follows from the key's schema, so a new key gets its variable for free.
function kindOf(node: SchemaNode): Kind {
  const types = Array.isArray(node.type) ? node.type : [node.type];
  const nullable = types.includes('null');
  if (node.enum) return { kind: 'enum', values: node.enum.filter((v): v is string => typeof v === 'string'), nullable };
  if (types.includes('boolean')) return { kind: 'boolean' };
  if (types.includes('integer')) return { kind: 'integer' };
  if (types.includes('array')) return { kind: 'list' };
  return { kind: 'string', nullable };
}

const BOOLEAN_WORDS = 'true/false, 1/0, yes/no or on/off (any case)';
const LIST_WORDS = 'a JSON array of strings (["a","b"]) or comma-separated values (a, b)';

function acceptsFor(node: SchemaNode): string {
  const kind = kindOf(node);
  switch (kind.kind) {
    case 'boolean':
      return BOOLEAN_WORDS;
    case 'integer': {
      const max =
        node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? ` to ${node.maximum}` : ' or more';
      return `a whole number in decimal digits, ${node.minimum ?? 0}${max}`;
    }
    case 'list':
      return LIST_WORDS;
    case 'enum':
      return `${kind.values.join(', ')}${kind.nullable ? '; empty for null' : ''}`;
    case 'string': {
      const noun = (node.pattern !== undefined ? PATTERN_NOUN[node.pattern] : undefined) ?? 'any text';
      return `${noun}${kind.nullable ? '; empty for null' : ''}`;
    }
  }
}

/** One variable that overrides a key of a service's block, and what it accepts. */
export interface ConfigEnvVariable {
  variable: string;
  block: ServiceName;
  key: string;
  accepts: string;
}

/** Every variable that overrides a config key, block by block in the schema's order. */
export const configEnvVariables: readonly ConfigEnvVariable[] = Object.freeze(
  SERVICE_NAMES.flatMap((block) =>
    SERVICE_BLOCKS[block].envKeys.map((key) =>
      Object.freeze({ variable: variableOf(block, key), block, key, accepts: acceptsFor(propertyOf(block, key)) }),
    ),
  ),
);

/** Every `RELEASE_GOVERNOR_<KEY>` variable, the key it overrides, and what it accepts. */
export const releaseGovernorEnvVariables: readonly { variable: string; key: string; accepts: string }[] = Object.freeze(
  configEnvVariables
    .filter((entry) => entry.block === 'release_governor')
    .map(({ variable, key, accepts }) => Object.freeze({ variable, key, accepts })),
);

const GOVERNOR_PREFIX = SERVICE_BLOCKS.release_governor.prefix;
// Typos are looked for only under the Governor's prefix: the others are words other software uses.
const KNOWN_GOVERNOR_VARIABLES = [
  ...configEnvVariables.filter((entry) => entry.block === 'release_governor').map((entry) => entry.variable),
  ...NON_CONFIG_VARIABLES.filter((variable) => variable.startsWith(GOVERNOR_PREFIX)),
];

function propertyOf(block: ServiceName, key: string): SchemaNode {
  const node = SERVICE_BLOCKS[block].schema.properties[key];
  if (node === undefined) throw new Error(`${block} has no key ${key}`);
  return node;
}

type Parsed = { ok: true; value: unknown } | { ok: false; problem: string };

const INTEGER = /^-?(0|[1-9][0-9]*)$/;

function parseValue(raw: string, kind: Kind): Parsed {
  if (raw === '') {
    const nullable = (kind.kind === 'string' || kind.kind === 'enum') && kind.nullable;
    return nullable
      ? { ok: true, value: null }
      : {
          ok: false,
          problem: "is empty, and this key cannot be null; set a value or unset the variable to keep the file's value",
        };
  }
  switch (kind.kind) {
    case 'boolean': {
      const word = raw.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(word)) return { ok: true, value: true };
      if (['false', '0', 'no', 'off'].includes(word)) return { ok: true, value: false };
      return { ok: false, problem: 'is not a boolean' };
    }
    case 'integer': {
      if (!INTEGER.test(raw)) {
        const why = /^\s|\s$/.test(raw)
          ? 'has spaces around it'
          : /^[+-]?(\d+\.\d*|\.\d+|\d+e[+-]?\d+)$/i.test(raw)
            ? 'is not a whole number'
            : 'is not a whole number in decimal digits';
        return { ok: false, problem: why };
      }
      const value = Number(raw);
      if (!Number.isSafeInteger(value)) return { ok: false, problem: 'is too large' };
      return { ok: true, value };
    }
    case 'list': {
      const text = raw.trim();
      if (text.startsWith('[')) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return { ok: false, problem: 'starts with [ but is not valid JSON' };
        }
        if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
          return { ok: false, problem: 'is a JSON value but not an array of strings' };
        }
        return { ok: true, value: parsed };
      }
      const items = raw.split(',').map((item) => item.trim());
      const empty = items.findIndex((item) => item === '');
      if (empty !== -1) return { ok: false, problem: `has an empty item (item ${empty + 1}); remove the extra comma` };
      return { ok: true, value: items };
    }
    case 'enum':
      if (kind.values.includes(raw)) return { ok: true, value: raw };
      return { ok: false, problem: 'is not one of the allowed values' };
    case 'string':
      return { ok: true, value: raw };
  }
}

function envIssue(variable: string, path: string, message: string, suggestion?: string): ConfigIssue {
  return {
    path,
    message,
    file: null,
    line: null,
    column: null,
    variable,
    ...(suggestion === undefined ? {} : { suggestion }),
  };
}

export interface AppliedOverrides {
  /** The variables that were applied, in key order. */
  overriddenBy: string[];
  /** A CONFIG_ENV issue for each variable that does not parse or breaks the schema once applied. */
  issues: ConfigIssue[];
}

/**
 * Applies the variables of `block` that are set in `env` to `settings`, in place (the caller owns
 * the object: the settings are copied once, from the document), and validates the result with
 * the same schema as the file. Every bad value is an issue; the caller decides whether that stops
 * it. Messages leave the variable's name to the issue's place (`variable`), so it is printed once.
 */
export function applyEnvOverrides(block: ServiceName, settings: object, env: NodeJS.ProcessEnv): AppliedOverrides {
  const next = settings as Record<string, unknown>;
  const overriddenBy: string[] = [];
  const issues: ConfigIssue[] = [];
  for (const key of SERVICE_BLOCKS[block].envKeys) {
    const variable = variableOf(block, key);
    const raw = env[variable];
    if (raw === undefined) continue;
    const node = propertyOf(block, key);
    const kind = kindOf(node);
    const parsed = parseValue(raw, kind);
    if (!parsed.ok) {
      const suggestion = kind.kind === 'enum' ? closest(raw, kind.values) : undefined;
      const hint = suggestion ? ` (did you mean ${suggestion}?)` : '';
      issues.push(
        envIssue(
          variable,
          `${block}.${key}`,
          `the value ${excerpt(raw, 60)} ${parsed.problem}${hint}; it accepts ${acceptsFor(node)}`,
          suggestion,
        ),
      );
      continue;
    }
    next[key] = parsed.value;
    overriddenBy.push(variable);
  }
  // Values that parsed still have to pass the schema (ranges, patterns), like the file's: with the
  // file's own validator, on a document that holds only the block (one generated validator per
  // schema version keeps what every start loads small).
  if (overriddenBy.length > 0) {
    const document = { schema_version: 1, test_command: 'true', [block]: next };
    for (const explained of explainProblems(validateAgainst('v1', document))) {
      const key = pointerSegments(explained.pointer)[1] ?? '';
      const variable = variableOf(block, key);
      const accepts = SERVICE_BLOCKS[block].envKeys.includes(key)
        ? `; it accepts ${acceptsFor(propertyOf(block, key))}`
        : '';
      issues.push(envIssue(variable, `${block}.${key}`, `${explained.message}${accepts}`, explained.suggestion));
    }
  }
  return { overriddenBy, issues };
}

/** Names in `env` that look like `RELEASE_GOVERNOR_*` but are not known (typos). */
export function unknownVariableWarnings(env: NodeJS.ProcessEnv): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  for (const variable of Object.keys(env).sort()) {
    if (!variable.toUpperCase().startsWith('RELEASE_GOV') || env[variable] === undefined) continue;
    if (KNOWN_GOVERNOR_VARIABLES.includes(variable)) continue;
    const suggestion = closest(variable, KNOWN_GOVERNOR_VARIABLES);
    const shownName = escapeText(variable);
    warnings.push({
      code: 'CONFIG_ENV_UNKNOWN',
      block: 'release_governor',
      variable: shownName,
      message: `${shownName} is not a known variable and is ignored${suggestion ? `; did you mean ${suggestion}?` : ''}`,
      ...(suggestion === undefined ? {} : { suggestion }),
    });
  }
  return warnings;
}

/** One warning per variable of `block` that is set while the block is not in force; `why` is the block's reason. */
export function ignoredVariableWarnings(block: ServiceName, env: NodeJS.ProcessEnv, why: string): ConfigWarning[] {
  const applies = SERVICE_BLOCKS[block].emptyMeansDisabled
    ? `a ${block} block that has at least one key (e.g. \`enabled: true\`)`
    : `a ${block} block written in the file (\`${block}: {}\` for every default)`;
  return SERVICE_BLOCKS[block].envKeys
    .map((key) => variableOf(block, key))
    .filter((variable) => env[variable] !== undefined)
    .map((variable) => ({
      code: 'CONFIG_ENV_IGNORED' as const,
      block,
      variable,
      message: `${variable} is set but ${why}, so it does not apply; overrides only change ${applies}`,
    }));
}
