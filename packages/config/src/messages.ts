import { pointerSegment, pointerSegments, pointerToPath } from './paths';
import { blocksWithKey, isServiceName } from './blocks';
import { COMMAND, commandControlCharacter, PATTERN_HELP } from './schema-patterns';
import type { SchemaTypeName } from './schema-types';
import { closest, lookAlikes } from './suggest';
import { escapeText, excerpt } from './text';
import type { SchemaProblem } from './validate';

/** A schema problem in words, with the pointer of the value (or key) it is about. */
export interface Explained {
  pointer: string;
  /** Point at the key rather than its value (unknown keys). */
  atKey: boolean;
  message: string;
  suggestion?: string;
  /**
   * For a key the schema does not know: `mistake` when it cannot be a key of any booty version (a
   * near miss of a known key, a block's key written at the top level, or a name that is not
   * lowercase words joined by `_`, as every booty key is), else `unknown` (perhaps a newer one's).
   */
  unknownKey?: 'mistake' | 'unknown';
}

const TYPE_WORDS: Record<SchemaTypeName, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
  array: 'a list',
  object: 'a mapping',
};

const YAML_11_BOOLEANS = /^(y|yes|n|no|on|off|true|false)$/i;

/** A key from the file, for a message: escaped and cut short, in backticks. */
export function keyName(name: string): string {
  const chars = Array.from(name);
  return `\`${escapeText(chars.length > 60 ? `${chars.slice(0, 60).join('')}…` : name)}\``;
}

/** A string's length in characters (code points), as the schema counts. */
function characters(value: unknown): number {
  return Array.from(String(value)).length;
}

function commandMessage(value: unknown): string {
  const bad = commandControlCharacter(typeof value === 'string' ? value : '');
  if (bad === null) return `must not be blank (only white space); found ${describeValue(value)}`;
  const found = `holds the control character ${escapeText(bad.character)} at character ${bad.position}`;
  const why = 'which a command never needs (tab and line breaks are fine)';
  return `${found}, ${why}; found ${describeValue(value)}; remove it, or write the command in a script and call that`;
}

/** What a value is, for "found ..." in messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : `the string ${excerpt(value, 60)}`;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'infinity' : '-infinity';
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}

function list(words: readonly string[], last = 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${last} ${words[words.length - 1] ?? ''}`;
}

function typeNames(type: unknown): SchemaTypeName[] {
  return (Array.isArray(type) ? type : [type]) as SchemaTypeName[];
}

function typeMessage(problem: SchemaProblem, key: string, topLevelBlock: boolean): string {
  const expected = typeNames(problem.params['type']);
  const found = problem.data;
  const words = list(expected.map((t) => TYPE_WORDS[t]));
  let fix = '';
  if (expected.includes('boolean') && typeof found === 'string' && YAML_11_BOOLEANS.test(found)) {
    fix = '; write true or false without quotes (YAML 1.2 reads yes/no/on/off as strings)';
  } else if (expected.includes('integer') && typeof found === 'number') {
    fix = Number.isFinite(found) ? '; use a whole number without a fraction' : '';
  } else if (expected.includes('integer') && typeof found === 'string' && /^\s*-?\d+\s*$/.test(found)) {
    fix = '; remove the quotes';
  } else if (expected.includes('string') && (typeof found === 'number' || typeof found === 'boolean')) {
    fix = `; put it in quotes if you mean the text ("${String(found)}")`;
  } else if (expected.includes('array') && typeof found === 'string') {
    fix = '; write a list, one item per line starting with `- `, or [a, b]';
  } else if (topLevelBlock && found !== null && typeof found !== 'object') {
    const enabled = found === false ? 'false' : 'true';
    fix = `; write its settings under it, e.g. \`${key}:\` then \`  enabled: ${enabled}\` on the next line`;
  }
  return `expected ${words}, found ${describeValue(found)}${fix}`;
}

function rangeMessage(problem: SchemaProblem): string {
  const { minimum: min, maximum: max } = problem.parentSchema;
  const found = describeValue(problem.data);
  const unbounded = max === undefined || max >= Number.MAX_SAFE_INTEGER;
  if (problem.keyword === 'maximum' && unbounded) {
    return `must be at most ${String(max)}, the largest whole number a .booty.yml can hold exactly; found ${found}`;
  }
  const allowed =
    min !== undefined && !unbounded
      ? `from ${min} to ${max}`
      : min !== undefined
        ? `${min} or more`
        : `at most ${String(max)}`;
  return `must be a whole number ${allowed}, found ${found}`;
}

function enumMessage(problem: SchemaProblem): { message: string; suggestion?: string } {
  const allowed = (problem.params['allowedValues'] as unknown[]) ?? [];
  const words = allowed.filter((v): v is string => typeof v === 'string');
  const nullable = allowed.includes(null);
  const quoted = words.map((w) => `\`${w}\``);
  const choices = nullable ? `${quoted.join(', ')} or null` : list(quoted);
  const suggestion = typeof problem.data === 'string' ? closest(problem.data, words) : undefined;
  const differs =
    suggestion === undefined || typeof problem.data !== 'string' ? '' : lookAlikes(problem.data, suggestion);
  const hint = suggestion ? `; did you mean \`${suggestion}\`?${differs === '' ? '' : ` (${differs})`}` : '';
  return {
    message: `must be one of ${choices}; found ${describeValue(problem.data)}${hint}`,
    ...(suggestion === undefined ? {} : { suggestion }),
  };
}

function where(pointer: string): string {
  const path = pointerToPath(pointer);
  return path === '' ? 'at the top level' : `in ${path}`;
}

/** How every key of every booty version is named; a key named otherwise is a mistake, not a newer key. */
const BOOTY_KEY = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

function unknownKey(problem: SchemaProblem): Explained {
  const name = String(problem.params['additionalProperty']);
  const known = Object.keys(problem.parentSchema.properties ?? {});
  const pointer = `${problem.instancePath}/${pointerSegment(name)}`;
  const owners = problem.instancePath === '' ? blocksWithKey(name) : [];
  if (owners.length > 0) {
    const under =
      owners.length === 1
        ? `under ${owners[0] ?? ''} (indent it under \`${owners[0] ?? ''}:\`)`
        : `under one of ${list(owners)}`;
    return {
      pointer,
      atKey: true,
      message: `unknown key ${keyName(name)} at the top level; it belongs ${under}`,
      unknownKey: 'mistake',
    };
  }
  const suggestion = closest(name, known);
  const differs = suggestion === undefined ? '' : lookAlikes(name, suggestion);
  const tail = suggestion
    ? `; did you mean \`${suggestion}\`?${differs === '' ? '' : ` (${differs})`}`
    : `; remove it (known keys: ${known.join(', ')})`;
  return {
    pointer,
    atKey: true,
    message: `unknown key ${keyName(name)} ${where(problem.instancePath)}${tail}`,
    ...(suggestion === undefined ? {} : { suggestion }),
    unknownKey: suggestion === undefined && BOOTY_KEY.test(name) ? 'unknown' : 'mistake',
  };
}

function missingKey(problem: SchemaProblem): Explained {
  const name = String(problem.params['missingProperty']);
  const fix =
    name === 'test_command'
      ? 'add `test_command: <the command that runs your tests>`, e.g. `test_command: npm test`'
      : `add \`${name}\``;
  return {
    pointer: problem.instancePath,
    atKey: true,
    message: `missing required key \`${name}\` ${where(problem.instancePath)}; ${fix}`,
  };
}

/** Checks about a key of a mapping rather than the mapping's own value. */
const ABOUT_CHILD = new Set(['additionalProperties', 'required', 'propertyNames']);

/**
 * Turns ajv's problems into messages: one per value, the first that applies (a wrong type
 * hides the other checks; an empty string is "empty", not also "blank").
 */
export function explainProblems(problems: readonly SchemaProblem[]): Explained[] {
  const typed = new Set(problems.filter((p) => p.keyword === 'type').map((p) => p.instancePath));
  const explainedValues = new Set<string>();
  const out: Explained[] = [];
  for (const problem of problems) {
    // propertyNames reports the inner failure as well as its own; keep its own.
    if (problem.propertyName !== undefined) continue;
    if (problem.keyword !== 'type' && typed.has(problem.instancePath)) continue;
    if (!ABOUT_CHILD.has(problem.keyword)) {
      if (explainedValues.has(problem.instancePath)) continue;
      explainedValues.add(problem.instancePath);
    }
    const segments = pointerSegments(problem.instancePath);
    const key = segments[segments.length - 1] ?? '';
    switch (problem.keyword) {
      case 'additionalProperties':
        out.push(unknownKey(problem));
        break;
      case 'required':
        out.push(missingKey(problem));
        break;
      case 'type':
        out.push({
          pointer: problem.instancePath,
          atKey: false,
          message: typeMessage(problem, key, segments.length === 1 && isServiceName(key)),
        });
        break;
      case 'minimum':
      case 'maximum':
        out.push({ pointer: problem.instancePath, atKey: false, message: rangeMessage(problem) });
        break;
      case 'enum':
      case 'const': {
        const explained =
          problem.keyword === 'enum'
            ? enumMessage(problem)
            : {
                message: `must be ${describeValue(problem.params['allowedValue'])}, found ${describeValue(problem.data)}`,
              };
        out.push({ pointer: problem.instancePath, atKey: false, ...explained });
        break;
      }
      case 'minLength':
        out.push({ pointer: problem.instancePath, atKey: false, message: 'must not be empty' });
        break;
      case 'maxLength':
        out.push({
          pointer: problem.instancePath,
          atKey: false,
          message: `must be at most ${String(problem.params['limit'])} characters, found ${characters(problem.data)}`,
        });
        break;
      case 'pattern': {
        if (problem.params['pattern'] === COMMAND) {
          out.push({ pointer: problem.instancePath, atKey: false, message: commandMessage(problem.data) });
          break;
        }
        const help =
          PATTERN_HELP[String(problem.params['pattern'])] ?? `must match ${String(problem.params['pattern'])}`;
        out.push({
          pointer: problem.instancePath,
          atKey: false,
          message: `${help}; found ${describeValue(problem.data)}`,
        });
        break;
      }
      case 'propertyNames': {
        const name = String(problem.params['propertyName']);
        out.push({
          pointer: `${problem.instancePath}/${pointerSegment(name)}`,
          atKey: true,
          message: `keys ${where(problem.instancePath)} must not be empty`,
        });
        break;
      }
      default:
        out.push({ pointer: problem.instancePath, atKey: false, message: `is not valid (${problem.keyword})` });
    }
  }
  return out;
}
