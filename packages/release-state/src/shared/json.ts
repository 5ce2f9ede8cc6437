// Reading a whole JSON state document: damage is always an error, never "no data".
import type { StorePart } from './contract';
import { REPAIR_COMMAND, stateError } from './errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes and parses a whole JSON document. An empty file, bytes that are not UTF-8 and text
 * that is not JSON are all STATE_CORRUPT naming the file (and line:column when known): a damaged
 * file is never read as "no data".
 */
export function parseJsonDocument(bytes: Uint8Array, file: string, resetTarget: StorePart): unknown {
  const corrupt = (
    happened: string,
    reason: 'empty' | 'not-utf8' | 'not-json' | 'too-deep',
    extra: { details?: { line: number; column: number }; cause?: unknown } = {},
  ) =>
    stateError('STATE_CORRUPT', {
      path: file,
      reason,
      happened,
      changed: 'It was not changed',
      fix: resetFix(resetTarget),
      ...extra,
    });
  if (bytes.byteLength === 0) {
    const why = 'an empty state file is damage (for example a crash of a writer that did not fsync), not "no data"';
    throw corrupt(`${file} is empty (0 bytes); ${why}, so it is not read as empty`, 'empty');
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw corrupt(`${file} is not valid UTF-8 text`, 'not-utf8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const match = /position (\d+)/.exec(detail);
    const offset = match?.[1] === undefined ? text.length : Number(match[1]);
    const { line, column } = lineColumn(text, offset);
    // V8's message quotes the text around the error ("... is not valid JSON"): keep only its
    // first words, never the file's content.
    const what = detail
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/, ".*$/s, '')
      .slice(0, 60);
    // No `cause`: the parser's error carries the file's text.
    throw corrupt(`${file}:${line}:${column} is not valid JSON (${what})`, 'not-json', { details: { line, column } });
  }
  // A state file is a few levels deep. Nesting past this is damage (or an attack), and would
  // overflow the stack of anything that walks the value later (JSON.stringify, for one).
  if (depthExceeds(value, MAX_DEPTH)) {
    throw corrupt(`${file} nests values more than ${MAX_DEPTH} levels deep; no state file does`, 'too-deep');
  }
  return value;
}

/** The repair step for a damaged state file, as an operator runs it. */
export function resetFix(target: StorePart): string {
  return `Repair it by hand, or run ${REPAIR_COMMAND[target]} (the damaged bytes are kept beside it)`;
}

const MAX_DEPTH = 64;

/** True when `value` has arrays or objects nested more than `limit` deep (iterative: no recursion). */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
