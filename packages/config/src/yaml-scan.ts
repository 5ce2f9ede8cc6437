import { ConfigError } from './errors';
import { MAX_YAML_DEPTH, MAX_YAML_TOKENS } from './limits';
import type { Collector } from './yaml-issues';
import { yaml } from './yaml-module';

/** Where the token scan found the document's end marker and flow brackets that never closed. */
export interface Scan {
  /** Offsets of `...` lines. */
  docEnds: number[];
  /** Offsets of `[` and `{` that were still open when their collection ended. */
  unclosed: { offset: number; char: string }[];
}

/**
 * A cheap pass over the tokens that refuses documents too big or too deeply nested for the
 * parser to handle quickly, before the parser sees them.
 */
export function checkComplexity(text: string, out: Collector): Scan {
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
        `the document has more than ${MAX_YAML_TOKENS.toLocaleString('en-US')} YAML tokens; ` +
          'a .booty.yml needs a few hundred, so check that this is the right file',
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
