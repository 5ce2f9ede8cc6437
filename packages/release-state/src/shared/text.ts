// How a value from outside (a file, the environment, a caller) appears in a message: one rule
// for the whole package. This package does not depend on @booty/config, whose `excerpt` follows
// the same idea for the CLI's own messages.

/**
 * A short, printable quote of a value: JSON syntax (so control characters show as escapes and
 * a newline cannot start a forged line), cut to `max` characters with the full length said. A
 * string that spans lines is described, never quoted: such a value is almost always one that
 * swallowed the lines after it (a quote left open in a .env file), and those lines are the
 * next variables, secrets among them. (@booty/config's `excerpt` keeps the same rule.)
 */
export function excerptValue(value: unknown, max = 40): string {
  if (typeof value === 'string' && /[\n\r\u2028\u2029]/.test(value)) return describeLines(value);
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  const cut = text.length > max;
  const quoted = typeof value === 'string' || cut ? JSON.stringify(cut ? text.slice(0, max) : text) : text;
  return cut ? `${quoted.slice(0, -1)}..." (${text.length} characters)` : quoted;
}

/** What kind of JSON value `value` is, for "expected X, got a number". */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'undefined';
  return `a ${typeof value}`;
}

/** A caller's value in a message: a string as its excerpt, anything else by its kind. */
export function describeInput(value: unknown): string {
  return typeof value === 'string' ? excerptValue(value) : describeJsonType(value);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * True when `text` holds a C0 control character or DEL: never part of a delivery id, an outcome
 * or a URL. (release.json values follow a wider rule of their own: see release-state.ts.)
 */
export function hasControlCharacter(text: string): boolean {
  return CONTROL.test(text);
}

/** A value that spans lines, in words: how many lines and characters, never its text. */
export function describeLines(value: string): string {
  const lines = value.split(/\r\n|[\n\r\u2028\u2029]/).length;
  return `(a value of ${lines} lines, ${value.length} characters, not shown)`;
}
