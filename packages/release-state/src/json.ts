import { StateError } from './errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Which `reset()` repairs a file, for the fix in messages. */
export type ResetTarget = 'release' | 'deliveries';

/**
 * Decodes and parses a whole JSON document. An empty file, bytes that are not UTF-8 and text
 * that is not JSON are all STATE_CORRUPT naming the file (and line:column when known): a damaged
 * file is never read as "no data".
 */
export function parseJsonDocument(bytes: Uint8Array, file: string, resetTarget: ResetTarget): unknown {
  const fix = `Repair it by hand, or reset it with store.reset('${resetTarget}') (the current bytes are kept beside it).`;
  if (bytes.byteLength === 0) {
    throw new StateError(
      'STATE_CORRUPT',
      file,
      `${file} is empty (0 bytes); an empty state file is damage (for example a crash of a writer that did not fsync), not "no data", so it is not read as empty. It was not changed. ${fix}`,
      { reason: 'empty' },
    );
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new StateError('STATE_CORRUPT', file, `${file} is not valid UTF-8 text. It was not changed. ${fix}`, { reason: 'not-utf8' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const match = /position (\d+)/.exec(detail);
    const offset = match?.[1] === undefined ? text.length : Number(match[1]);
    const { line, column } = lineColumn(text, offset);
    throw new StateError(
      'STATE_CORRUPT',
      file,
      `${file}:${line}:${column} is not valid JSON (${detail.replace(/ in JSON at position \d+.*$/, '')}). It was not changed. ${fix}`,
      { reason: 'not-json', line, column },
      error,
    );
  }
  // A state file is a few levels deep. Nesting past this is damage (or an attack), and would
  // overflow the stack of anything that walks the value later (JSON.stringify, for one).
  if (depthExceeds(value, MAX_DEPTH)) {
    throw new StateError(
      'STATE_CORRUPT',
      file,
      `${file} nests values more than ${MAX_DEPTH} levels deep; no state file does. It was not changed. ${fix}`,
      { reason: 'too-deep' },
    );
  }
  return value;
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
