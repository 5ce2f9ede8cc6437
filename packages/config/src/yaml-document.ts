import type * as Yaml from 'yaml';
import { ConfigError } from './errors';
import { MAX_ALIAS_VALUES, MAX_YAML_DEPTH, MAX_YAML_TOKENS } from './limits';
import { pointerSegment, pointerToPath } from './paths';
import { keyName } from './messages';
import { escapeText } from './text';
import type { ConfigIssue } from './types';

/** Start and end offsets of a node in the text given to the parser. */
type Span = readonly [number, number];

/** Where a value sits in the file: its node, and for mapping values the key before it. */
export interface Location {
  key?: Span;
  value: Span;
}

export interface ParsedYaml {
  /** The document as plain data; mappings are prototype-less objects. `undefined` for an empty document. */
  value: unknown;
  /** JSON Pointer (as in ajv's instancePath) to location. */
  locations: Map<string, Location>;
  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number };
}

// Tags the parser resolves to values JSON has no type for (the YAML 1.1 extras). Any other
// non-core tag is already reported by the parser as unresolved.
const NON_JSON_TAGS = new Set(
  ['binary', 'timestamp', 'set', 'omap', 'pairs'].map((name) => `tag:yaml.org,2002:${name}`),
);

// The parser's problems in our words, by its stable codes (every code it has). Its own messages
// name its functions ("use YAML.parseAllDocuments()") and can quote the source, which may be a
// secret when `.booty.yml` is not config-shaped, so they are never shown.
const MESSAGES: Partial<Record<string, string>> = {
  TAB_AS_INDENT: 'a tab is used for indentation; YAML indents with spaces, so use spaces instead',
  TAG_RESOLVE_FAILED: 'this tag is not known; remove it, .booty.yml uses plain YAML values',
  DUPLICATE_KEY: 'this key appears twice in one mapping; keep one of them',
  BAD_INDENT: 'this line is not indented as the lines above it expect; check its indentation',
  MISSING_CHAR: 'a closing character is missing here (a quote, `]` or `}`); add it',
  BLOCK_AS_IMPLICIT_KEY:
    'a nested mapping cannot be written on the line of its key; put it on its own lines, indented under its key',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; check the indentation: this line continues the previous key',
  BAD_ALIAS: 'this alias is not allowed here; write the value out',
  BAD_DIRECTIVE: 'this `%` directive is not valid; remove it',
  BAD_SCALAR_START: 'a plain value cannot start with this character; put the value in quotes',
  BLOCK_IN_FLOW: 'a block value cannot appear inside `[...]` or `{...}`; write it in flow style or move it out',
  IMPOSSIBLE: 'this cannot be read as YAML; check the line',
  KEY_OVER_1024_CHARS: 'this key is longer than 1024 characters; shorten it',
  UNEXPECTED_TOKEN: 'this character is not expected here; check the line for a stray character or a missing quote',
  BAD_PROP_ORDER: 'an anchor or tag is in the wrong place; put it before the value',
  ALIAS_PROPS: 'an alias cannot have an anchor or a tag; remove them',
  BAD_DQ_ESCAPE:
    'this backslash escape is not valid in a double-quoted string; write `\\\\` for a backslash, or use single quotes',
  MULTIPLE_ANCHORS: 'a value can have only one anchor; remove the others',
  MULTIPLE_TAGS: 'a value can have only one tag; remove the others',
  NON_STRING_KEY: 'mapping keys must be plain words or quoted strings',
  RESOURCE_EXHAUSTION: 'aliases expand to too many values; write the values out instead of nesting aliases',
  BAD_COLLECTION_TYPE: 'this tag does not fit a list or mapping; remove it',
};

/** Where the token scan found the document's end marker and flow brackets that never closed. */
interface Scan {
  /** Offsets of `...` lines. */
  docEnds: number[];
  /** Offsets of `[` and `{` that were still open when their collection ended. */
  unclosed: { offset: number; char: string }[];
}

let yamlModule: typeof Yaml | undefined;
function yaml(): typeof Yaml {
  // Loaded on first parse: a workspace without .booty.yml never pays for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yamlModule ??= require('yaml') as typeof Yaml;
  return yamlModule;
}

class Collector {
  readonly issues: ConfigIssue[] = [];
  constructor(
    private readonly file: string,
    private readonly lines: Yaml.LineCounter,
  ) {}

  lineOf(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  at(offset: number, message: string, path = ''): void {
    const { line, col } = this.lines.linePos(offset);
    this.issues.push({ path: escapeText(path), message, file: this.file, line, column: col });
  }

  fail(): ConfigError {
    return new ConfigError('CONFIG_YAML', this.issues);
  }
}

/**
 * A cheap pass over the tokens that refuses documents too big or too deeply nested for the
 * parser to handle quickly, before the parser sees them.
 */
function checkComplexity(text: string, out: Collector): Scan {
  const { Lexer, CST } = yaml();
  const scan: Scan = { docEnds: [], unclosed: [] };
  const open: { offset: number; char: string }[] = [];
  let tokens = 0;
  let offset = 0;
  let flow = 0;
  let indent = 0;
  let indicators = 0;
  let lineStart = true;
  let scalarNext = false;
  for (const token of new Lexer().lex(text)) {
    if (++tokens > MAX_YAML_TOKENS) {
      out.at(
        offset,
        `the document has more than ${MAX_YAML_TOKENS.toLocaleString('en-US')} YAML tokens; a .booty.yml needs a few hundred, so check that this is the right file`,
      );
      throw new ConfigError('CONFIG_TOO_LARGE', out.issues);
    }
    const type: string | null = scalarNext ? 'scalar-text' : CST.tokenType(token);
    scalarNext = type === 'scalar';
    // Markers (document, scalar, flow-error) are not part of the text.
    const start = offset;
    if (type !== 'scalar' && type !== 'doc-mode' && type !== 'flow-error-end' && type !== 'byte-order-mark')
      offset += token.length;
    switch (type) {
      case 'newline':
        lineStart = true;
        indent = 0;
        indicators = 0;
        continue;
      case 'space':
        if (lineStart) indent = token.length;
        continue;
      case 'flow-error-end':
        // The lexer gave up on the open brackets: each is one that was never closed.
        scan.unclosed.push(...open.splice(0));
        flow = 0;
        continue;
      case 'comment':
      case 'scalar':
      case 'doc-mode':
      case 'byte-order-mark':
        continue;
      case 'flow-seq-start':
      case 'flow-map-start':
        flow++;
        open.push({ offset: start, char: token });
        break;
      case 'flow-seq-end':
      case 'flow-map-end':
        flow = Math.max(0, flow - 1);
        open.pop();
        break;
      case 'doc-end':
        scan.docEnds.push(start);
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
      case 'map-value-ind':
        if (flow === 0) indicators++;
        break;
      default:
        break;
    }
    lineStart = false;
    if (indent + indicators + flow > MAX_YAML_DEPTH) {
      out.at(start, `the document is nested more than ${MAX_YAML_DEPTH} levels deep here; flatten it`);
      throw out.fail();
    }
  }
  scan.unclosed.push(...open);
  return scan;
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
function toData(doc: Yaml.Document.Parsed, out: Collector): { value: unknown; locations: Map<string, Location> } {
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
        `aliases expand to more than ${MAX_ALIAS_VALUES.toLocaleString('en-US')} values (an alias bomb?); write the values out instead of nesting aliases`,
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
        `values tagged ${escapeText(describeTag(tag))} are not supported; .booty.yml takes strings, numbers, booleans, null, lists and mappings`,
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

function secondDocument(scan: Scan, offset: number, out: Collector): string {
  const end = scan.docEnds.filter((at) => at < offset).pop();
  if (end !== undefined) {
    return `there is content after \`...\` (the end of the document, line ${out.lineOf(end)}); a .booty.yml holds one document, so remove the \`...\` line or what follows it`;
  }
  return 'a second document starts here (after `---`); a .booty.yml holds one document, so remove the extra `---` and what follows it, or merge them';
}

/**
 * Parses `.booty.yml` text into plain data plus positions. Every syntax problem in the
 * document is reported at once (CONFIG_YAML); oversized documents are CONFIG_TOO_LARGE.
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  const Y = yaml();
  const scanLines = new Y.LineCounter();
  scanLines.addNewLine(0);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) scanLines.addNewLine(i + 1);
  const scan = checkComplexity(text, new Collector(file, scanLines));

  const lines = new Y.LineCounter();
  const out = new Collector(file, lines);
  const position = (offset: number): { line: number; column: number } => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };

  let doc: Yaml.Document.Parsed;
  try {
    doc = Y.parseDocument(text, {
      lineCounter: lines,
      prettyErrors: false,
      strict: true,
      // Checked below after keys become strings, in linear time (the built-in check compares
      // every pair of keys, which takes seconds on large mappings, and misses `1` vs "1").
      uniqueKeys: false,
      version: '1.2',
    });
  } catch (error) {
    // Its message may quote the source; say only that it stopped.
    out.at(
      0,
      `the YAML parser stopped on this document (${error instanceof Error ? escapeText(error.name) : 'error'}); check its syntax`,
    );
    throw out.fail();
  }

  const seen = new Set<string>();
  let bracketsReported = false;
  for (const problem of [...doc.errors, ...doc.warnings]) {
    const offset = problem.pos[0];
    const id = `${problem.code}@${offset}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (problem.code === 'MULTIPLE_DOCS') {
      out.at(offset, secondDocument(scan, offset, out));
    } else if (scan.unclosed.length > 0 && /end with an? [\]}]/.test(problem.message)) {
      // The parser reports where it gave up (often past the last line); point at the bracket.
      if (bracketsReported) continue;
      bracketsReported = true;
      for (const { offset: at, char } of scan.unclosed) {
        out.at(
          at,
          `this \`${char}\` is never closed; add \`${char === '[' ? ']' : '}'}\` where the ${char === '[' ? 'list' : 'mapping'} ends`,
        );
      }
    } else {
      out.at(
        offset,
        MESSAGES[problem.code] ?? `this is not valid YAML (${escapeText(problem.code)}); check the syntax of this line`,
      );
    }
    if (out.issues.length >= 50) break;
  }

  let data: { value: unknown; locations: Map<string, Location> } | undefined;
  try {
    data = toData(doc, out);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw out.fail();
  }
  if (out.issues.length > 0) throw out.fail();
  return { value: data.value, locations: data.locations, position };
}
