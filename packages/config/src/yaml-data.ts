import type * as Yaml from 'yaml';
import { MAX_ALIAS_VALUES, MAX_YAML_DEPTH } from './limits';
import { keyName } from './messages';
import { pointerSegment, pointerToPath } from './paths';
import { escapeText } from './text';
import type { Collector } from './yaml-issues';
import { yaml } from './yaml-module';

/** Start and end offsets of a node in the text given to the parser. */
type Span = readonly [number, number];

/** Where a value sits in the file: its node, and for mapping values the key before it. */
export interface Location {
  key?: Span;
  value: Span;
}

// Tags the parser resolves to values JSON has no type for (the YAML 1.1 extras). Any other
// non-core tag is already reported by the parser as unresolved.
const NON_JSON_TAGS = new Set(
  ['binary', 'timestamp', 'set', 'omap', 'pairs'].map((name) => `tag:yaml.org,2002:${name}`),
);

/** The document as plain data, and where each value sits (by JSON Pointer). */
export interface DocumentData {
  value: unknown;
  locations: Map<string, Location>;
}

interface WalkState {
  aliasValues: number;
  active: Set<unknown>;
  locations: Map<string, Location>;
}

function describeTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

/**
 * Turns the parsed document into plain data, recording the location of every value. Mappings
 * become prototype-less objects with keys defined as own properties, so `__proto__`,
 * `constructor` and `prototype` are ordinary keys. Aliases are expanded within a node budget.
 */
export function toData(doc: Yaml.Document.Parsed, out: Collector): DocumentData {
  const Y = yaml();
  const state: WalkState = { aliasValues: 0, active: new Set(), locations: new Map() };

  const keyText = (key: unknown): string | undefined => {
    if (!Y.isScalar(key)) return undefined;
    const v: unknown = key.value;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
    if (v === null) return key.source ?? '';
    return undefined;
  };

  const nodeRange = (n: unknown, fallback: Span): Span => {
    const range = Y.isNode(n) ? n.range : undefined;
    return range ? [range[0], range[1]] : fallback;
  };

  const walk = (
    node: unknown,
    pointer: string,
    depth: number,
    fallback: Span,
    key?: Span,
    viaAlias = false,
  ): unknown => {
    if (depth > MAX_YAML_DEPTH) {
      out.at(fallback[0], `values are nested more than ${MAX_YAML_DEPTH} levels deep (through aliases); flatten them`);
      throw out.fail();
    }
    if (viaAlias && ++state.aliasValues > MAX_ALIAS_VALUES) {
      out.at(
        fallback[0],
        `aliases expand to more than ${MAX_ALIAS_VALUES.toLocaleString('en-US')} values (an alias bomb?); ` +
          'write the values out instead of nesting aliases',
      );
      throw out.fail();
    }
    const here = nodeRange(node, fallback);
    state.locations.set(pointer, key ? { key, value: here } : { value: here });
    if (node === null || node === undefined) return null;

    if (Y.isAlias(node)) {
      const target = node.resolve(doc);
      if (target === undefined) {
        out.at(
          here[0],
          `alias *${escapeText(node.source)} refers to no anchor; define &${escapeText(node.source)} before it`,
          pointerToPath(pointer),
        );
        return null;
      }
      if (state.active.has(target)) {
        out.at(
          here[0],
          `alias *${escapeText(node.source)} refers to a value that contains it; aliases cannot be recursive`,
          pointerToPath(pointer),
        );
        return null;
      }
      const value = walk(target, pointer, depth + 1, here, key, true);
      // Report the alias itself, where the key is, rather than the anchor.
      state.locations.set(pointer, key ? { key, value: here } : { value: here });
      return value;
    }

    const tag = Y.isNode(node) ? node.tag : undefined;
    if (tag !== undefined && NON_JSON_TAGS.has(tag)) {
      out.at(
        here[0],
        `values tagged ${escapeText(describeTag(tag))} are not supported; ` +
          '.booty.yml takes strings, numbers, booleans, null, lists and mappings',
        pointerToPath(pointer),
      );
      return null;
    }

    if (Y.isScalar(node)) {
      const v: unknown = node.value;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
      if (typeof v === 'bigint') return Number(v);
      out.at(
        here[0],
        'this value has a type .booty.yml does not use; write a string, number, boolean or null',
        pointerToPath(pointer),
      );
      return null;
    }

    if (Y.isSeq(node) || Y.isMap(node)) {
      // Collections being walked: an alias to one of them from inside it is recursive.
      state.active.add(node);
      try {
        return Y.isSeq(node)
          ? node.items.map((item, index) => walk(item, `${pointer}/${index}`, depth + 1, here, undefined, viaAlias))
          : mapping(node, pointer, depth, viaAlias);
      } finally {
        state.active.delete(node);
      }
    }

    out.at(here[0], 'unsupported YAML node');
    return null;
  };

  const mapping = (node: Yaml.YAMLMap, pointer: string, depth: number, viaAlias: boolean): Record<string, unknown> => {
    const result = Object.create(null) as Record<string, unknown>;
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      const keyNode: unknown = pair.key;
      const keySpan = nodeRange(keyNode, nodeRange(node, [0, 0]));
      const name = keyText(keyNode);
      if (name === undefined) {
        out.at(keySpan[0], 'mapping keys must be plain words or quoted strings, not lists, mappings or aliases');
        continue;
      }
      const childPointer = `${pointer}/${pointerSegment(name)}`;
      const first = seen.get(name);
      if (first !== undefined) {
        out.at(
          keySpan[0],
          `duplicate key ${keyName(name)} (first at line ${out.lineOf(first)}); keep one of them`,
          pointerToPath(childPointer),
        );
        continue;
      }
      seen.set(name, keySpan[0]);
      const value = walk(pair.value, childPointer, depth + 1, [keySpan[1], keySpan[1]], keySpan, viaAlias);
      Object.defineProperty(result, name, { value, enumerable: true, writable: true, configurable: true });
    }
    return result;
  };

  const contents = doc.contents;
  // `---` alone gives an implicit empty scalar: that is an empty document, not a written null.
  const empty = contents === null || (Y.isScalar(contents) && contents.value === null && !contents.source);
  const value = empty ? undefined : walk(contents, '', 0, [0, 0]);
  return { value, locations: state.locations };
}
