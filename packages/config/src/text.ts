// The one escaping rule for text that came from outside (a file, the environment, a payload)
// on its way to a terminal or a log: nothing in it can move the cursor, change colours, end a
// line, or reorder what is shown. Everything else passes unchanged, so ordinary text (accents,
// CJK, emoji) reads as written.

// C0 controls (tab and newline included: one outside value never spans lines or columns),
// DEL, C1 controls, and the invisible or reordering format characters: zero-width and
// joiners, line and paragraph separators, bidirectional embeddings, overrides and isolates,
// the BOM, the interlinear annotation marks, and lone surrogates (a broken decoder's output).
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\p{Surrogate}]/gu;

const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

function escapeChar(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * `text` with every control, invisible or reordering character shown as an escape (`\e`, `\n`,
 * `\x00`, `\u{202e}`, a lone surrogate as `\u{d800}`). A backslash in the input is kept as is:
 * the output is for reading, not for parsing back. Never throws.
 *
 * @param text - any text from outside (a file, a variable, an argument)
 */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/**
 * True when `text` holds a character that `escapeText` would change. Never throws.
 *
 * @param text - any text from outside
 */
export function hasUnsafeText(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}

/**
 * An outside value as a short quoted excerpt for a message: escaped, in double quotes, and cut
 * to `max` characters with the full length said, so an error never carries a whole document.
 * A value that spans lines is described, never quoted: it is almost always one that swallowed
 * the lines after it (a quote left open in a .env file), and those lines are other variables,
 * secrets among them. (@booty/release-state's `excerptValue` keeps the same rule.)
 * Never throws.
 *
 * @param text - the value to quote
 * @param max - the most characters quoted (default 40)
 */
export function excerpt(text: string, max = 40): string {
  if (/[\n\r\u2028\u2029]/.test(text)) {
    const lines = text.split(/\r\n|[\n\r\u2028\u2029]/).length;
    return `(a value of ${lines} lines, ${text.length} characters, not shown)`;
  }
  const chars = Array.from(text);
  const cut = chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
  const suffix = chars.length > max ? ` (${chars.length} characters)` : '';
  return `"${escapeText(cut).replace(/"/g, '\\"')}"${suffix}`;
}
