import { escapeText } from './text';

// The parser's problems in our words, by its stable codes (every code it has). Its own messages
// name its functions ("use YAML.parseAllDocuments()") and can quote the source, which may be a
// secret when `.booty.yml` is not config-shaped, so they are never shown.
const PARSER_MESSAGES: Partial<Record<string, string>> = {
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

/** A second document where a .booty.yml holds one: after `...` (its line, when there is one) or after `---`. */
export function secondDocument(endLine: number | undefined): string {
  if (endLine !== undefined) {
    return (
      `there is content after \`...\` (the end of the document, line ${endLine}); ` +
      'a .booty.yml holds one document, so remove the `...` line or what follows it'
    );
  }
  return (
    'a second document starts here (after `---`); ' +
    'a .booty.yml holds one document, so remove the extra `---` and what follows it, or merge them'
  );
}

/** A `[` or `{` that the document never closes. */
export function unclosedBracket(char: string): string {
  const [close, what] = char === '[' ? [']', 'list'] : ['}', 'mapping'];
  return `this \`${char}\` is never closed; add \`${close}\` where the ${what} ends`;
}

/** A problem the parser reports, in our words; codes we have no words for are named. */
export function parserProblem(code: string): string {
  return PARSER_MESSAGES[code] ?? `this is not valid YAML (${escapeText(code)}); check the syntax of this line`;
}

/** The parser threw instead of reporting: its message may quote the source, so only its name is given. */
export function parserStopped(error: unknown): string {
  const name = error instanceof Error ? escapeText(error.name) : 'error';
  return `the YAML parser stopped on this document (${name}); check its syntax`;
}
