import type * as Yaml from 'yaml';
import { ConfigError } from './errors';
import { type DocumentData, type Location, toData } from './yaml-data';
import { Collector } from './yaml-issues';
import { parserProblem, parserStopped, secondDocument, unclosedBracket } from './yaml-messages';
import { yaml } from './yaml-module';
import { checkComplexity, type Scan } from './yaml-scan';

export interface ParsedYaml {
  /** The document as plain data; mappings are prototype-less objects. `undefined` for an empty document. */
  value: unknown;
  /** JSON Pointer (as in ajv's instancePath) to location. */
  locations: Map<string, Location>;
  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number };
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
    out.at(0, parserStopped(error));
    throw out.fail();
  }

  reportProblems(doc, scan, out);

  let data: DocumentData | undefined;
  try {
    data = toData(doc, out);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw out.fail();
  }
  if (out.issues.length > 0) throw out.fail();
  return { value: data.value, locations: data.locations, position };
}

/** The parser's errors and warnings, once each, at most 50, pointed where the author can act. */
function reportProblems(doc: Yaml.Document.Parsed, scan: Scan, out: Collector): void {
  const seen = new Set<string>();
  let bracketsReported = false;
  for (const problem of [...doc.errors, ...doc.warnings]) {
    const offset = problem.pos[0];
    const id = `${problem.code}@${offset}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (problem.code === 'MULTIPLE_DOCS') {
      const end = scan.docEnds.filter((at) => at < offset).pop();
      out.at(offset, secondDocument(end === undefined ? undefined : out.lineOf(end)));
    } else if (scan.unclosed.length > 0 && /end with an? [\]}]/.test(problem.message)) {
      // The parser reports where it gave up (often past the last line); point at the bracket.
      if (bracketsReported) continue;
      bracketsReported = true;
      for (const { offset: at, char } of scan.unclosed) out.at(at, unclosedBracket(char));
    } else {
      out.at(offset, parserProblem(problem.code));
    }
    if (out.issues.length >= 50) break;
  }
}
