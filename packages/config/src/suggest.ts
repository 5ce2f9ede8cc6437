import { escapeText } from './text';

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`enabeld`). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The known name closest to `input`, or undefined when none is close enough to be a likely typo:
 * same letters in another case, a prefix of a known name (`cooldown`), or within about a third of
 * its length in edits.
 */
export function closest(input: string, known: readonly string[]): string | undefined {
  const needle = foldLookAlikes(input).toLowerCase();
  if (needle.length === 0 || needle.length > 200) return undefined;
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const lower = candidate.toLowerCase();
    let score = editDistance(needle, lower);
    if (score > Math.max(1, Math.floor(lower.length / 3))) {
      score = needle.length >= 4 && lower.startsWith(needle) ? lower.length - needle.length : Number.POSITIVE_INFINITY;
    }
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

// Letters from other scripts that look like Latin ones: a key typed with one of them reads as
// the right word but is not. Code point, the Latin letter it imitates, and its Unicode name.
const LOOK_ALIKES: ReadonlyMap<string, readonly [latin: string, name: string]> = new Map<
  string,
  readonly [string, string]
>([
  ['\u0430', ['a', 'CYRILLIC SMALL LETTER A']],
  ['\u0435', ['e', 'CYRILLIC SMALL LETTER IE']],
  ['\u043e', ['o', 'CYRILLIC SMALL LETTER O']],
  ['\u0440', ['p', 'CYRILLIC SMALL LETTER ER']],
  ['\u0441', ['c', 'CYRILLIC SMALL LETTER ES']],
  ['\u0443', ['y', 'CYRILLIC SMALL LETTER U']],
  ['\u0445', ['x', 'CYRILLIC SMALL LETTER HA']],
  ['\u0455', ['s', 'CYRILLIC SMALL LETTER DZE']],
  ['\u0456', ['i', 'CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I']],
  ['\u0458', ['j', 'CYRILLIC SMALL LETTER JE']],
  ['\u04bb', ['h', 'CYRILLIC SMALL LETTER SHHA']],
  ['\u04cf', ['l', 'CYRILLIC SMALL LETTER PALOCHKA']],
  ['\u0501', ['d', 'CYRILLIC SMALL LETTER KOMI DE']],
  ['\u051b', ['q', 'CYRILLIC SMALL LETTER QA']],
  ['\u051d', ['w', 'CYRILLIC SMALL LETTER WE']],
  ['\u0410', ['A', 'CYRILLIC CAPITAL LETTER A']],
  ['\u0412', ['B', 'CYRILLIC CAPITAL LETTER VE']],
  ['\u0415', ['E', 'CYRILLIC CAPITAL LETTER IE']],
  ['\u041a', ['K', 'CYRILLIC CAPITAL LETTER KA']],
  ['\u041c', ['M', 'CYRILLIC CAPITAL LETTER EM']],
  ['\u041d', ['H', 'CYRILLIC CAPITAL LETTER EN']],
  ['\u041e', ['O', 'CYRILLIC CAPITAL LETTER O']],
  ['\u0420', ['P', 'CYRILLIC CAPITAL LETTER ER']],
  ['\u0421', ['C', 'CYRILLIC CAPITAL LETTER ES']],
  ['\u0422', ['T', 'CYRILLIC CAPITAL LETTER TE']],
  ['\u0425', ['X', 'CYRILLIC CAPITAL LETTER HA']],
  ['\u03b1', ['a', 'GREEK SMALL LETTER ALPHA']],
  ['\u03b9', ['i', 'GREEK SMALL LETTER IOTA']],
  ['\u03ba', ['k', 'GREEK SMALL LETTER KAPPA']],
  ['\u03bd', ['v', 'GREEK SMALL LETTER NU']],
  ['\u03bf', ['o', 'GREEK SMALL LETTER OMICRON']],
  ['\u03c1', ['p', 'GREEK SMALL LETTER RHO']],
  ['\u03c5', ['u', 'GREEK SMALL LETTER UPSILON']],
  ['\u0391', ['A', 'GREEK CAPITAL LETTER ALPHA']],
  ['\u0392', ['B', 'GREEK CAPITAL LETTER BETA']],
  ['\u0395', ['E', 'GREEK CAPITAL LETTER EPSILON']],
  ['\u0397', ['H', 'GREEK CAPITAL LETTER ETA']],
  ['\u0399', ['I', 'GREEK CAPITAL LETTER IOTA']],
  ['\u039a', ['K', 'GREEK CAPITAL LETTER KAPPA']],
  ['\u039c', ['M', 'GREEK CAPITAL LETTER MU']],
  ['\u039d', ['N', 'GREEK CAPITAL LETTER NU']],
  ['\u039f', ['O', 'GREEK CAPITAL LETTER OMICRON']],
  ['\u03a1', ['P', 'GREEK CAPITAL LETTER RHO']],
  ['\u03a4', ['T', 'GREEK CAPITAL LETTER TAU']],
  ['\u03a7', ['X', 'GREEK CAPITAL LETTER CHI']],
]);

/** A full-width form of an ASCII character (U+FF01..U+FF5E), what CJK input methods type. */
function fullWidth(char: string): readonly [string, string] | undefined {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0xff01 || code > 0xff5e) return undefined;
  const ascii = String.fromCharCode(code - 0xfee0);
  const name = /[a-z]/.test(ascii)
    ? `FULLWIDTH LATIN SMALL LETTER ${ascii.toUpperCase()}`
    : /[A-Z]/.test(ascii)
      ? `FULLWIDTH LATIN CAPITAL LETTER ${ascii}`
      : 'a FULLWIDTH form';
  return [ascii, name];
}

function lookAlike(char: string): readonly [string, string] | undefined {
  return LOOK_ALIKES.get(char) ?? fullWidth(char);
}

/** `input` with each look-alike letter replaced by the Latin letter it imitates. */
function foldLookAlikes(input: string): string {
  return Array.from(input, (char) => lookAlike(char)?.[0] ?? char).join('');
}

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `input` is not `known` when the two read the same: each letter that is not what it seems,
 * e.g. "`е` U+0435 CYRILLIC SMALL LETTER IE at position 1 differs from `e`". Empty when `input`
 * is plain ASCII (an ordinary typo needs no explanation).
 */
export function lookAlikes(input: string, known: string): string {
  const chars = Array.from(input);
  if (chars.every((char) => char.charCodeAt(0) < 0x80)) return '';
  const target = Array.from(known);
  const parts: string[] = [];
  chars.forEach((char, index) => {
    if (char.charCodeAt(0) < 0x80 || parts.length >= 3) return;
    const alike = lookAlike(char);
    const name = alike ? ` ${alike[1]}` : '';
    const latin = alike?.[0] ?? (chars.length === target.length ? target[index] : undefined);
    const versus =
      latin !== undefined && /^[\x21-\x7e]$/.test(latin) ? ` differs from \`${latin}\`` : ' is not an ASCII letter';
    parts.push(`\`${escapeText(char)}\` ${codePoint(char)}${name} at position ${index + 1}${versus}`);
  });
  return parts.length === 0 ? '' : `${parts.join('; ')}; the names are plain ASCII`;
}
