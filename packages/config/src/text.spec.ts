import fc from 'fast-check';
import { escapeText, excerpt, hasUnsafeText } from './text';

// What must never reach a terminal from outside text: C0 (tab and newline included), DEL, C1,
// zero-width and bidirectional format characters, line/paragraph separators, BOM, lone surrogates.
const FORBIDDEN_CHARS =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/;
const LONE_HIGH_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])/;
const LONE_LOW_SURROGATE = /(?<![\ud800-\udbff])[\udc00-\udfff]/;
const FORBIDDEN = new RegExp([FORBIDDEN_CHARS, LONE_HIGH_SURROGATE, LONE_LOW_SURROGATE].map((r) => r.source).join('|'));

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
const dangerous = fc.constantFrom(
  '\u001b[2K',
  '\r',
  '\n',
  '\u0000',
  '\u009b',
  '\u202e',
  '\u2066',
  '\u200b',
  '\ufeff',
  '\ud800',
  '\u007f',
  '\u2028',
);
// Mostly hostile text: raw code units (lone surrogates too), escape sequences, and ordinary words.
const hostile = fc
  .array(fc.oneof(codeUnit, dangerous, fc.constantFrom('abc', 'é', '日本', '😀', '\\', '"')), { maxLength: 60 })
  .map((parts) => parts.join(''));

describe('escapeText', () => {
  test('output never holds a control, bidi or invisible character, whatever the input', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(FORBIDDEN.test(escapeText(text))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  test('is idempotent: escaping escaped text changes nothing (safe to apply in two layers)', () => {
    fc.assert(
      fc.property(hostile, (text) => expect(escapeText(escapeText(text))).toBe(escapeText(text))),
      { numRuns: 1000 },
    );
  });

  test('leaves safe text exactly as written', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        if (!FORBIDDEN.test(text)) expect(escapeText(text)).toBe(text);
      }),
    );
  });

  test('hasUnsafeText is true exactly when escapeText would change the text', () => {
    fc.assert(
      fc.property(hostile, (text) => expect(hasUnsafeText(text)).toBe(escapeText(text) !== text)),
      { numRuns: 1000 },
    );
  });

  test.each([
    ['\u001b[2Kfake line', '\\e[2Kfake line'],
    ['a\rb', 'a\\rb'],
    ['a\nb\tc', 'a\\nb\\tc'],
    ['nul\u0000', 'nul\\x00'],
    ['csi\u009b', 'csi\\x9b'],
    ['rtl\u202eevil', 'rtl\\u{202e}evil'],
    ['lone\ud800', 'lone\\u{d800}'],
    ['café 日本 😀', 'café 日本 😀'],
  ])('%j is shown as %j', (input, shown) => {
    expect(escapeText(input)).toBe(shown);
  });
});

describe('excerpt', () => {
  test('is quoted, escaped, and cut to the limit with the full length said', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 1, max: 50 }), (text, max) => {
        const shown = excerpt(text, max);
        expect(FORBIDDEN.test(shown)).toBe(false);
        // A value that spans lines is described, never quoted (see the next test).
        if (/[\n\r\u2028\u2029]/.test(text)) {
          expect(shown).toMatch(/^\(a value of \d+ lines, \d+ characters, not shown\)$/);
          return;
        }
        expect(shown.startsWith('"')).toBe(true);
        const length = Array.from(text).length;
        if (length > max) expect(shown.endsWith(`…" (${length} characters)`)).toBe(true);
        else expect(shown).toBe(`"${escapeText(text).replace(/"/g, '\\"')}"`);
      }),
      { numRuns: 1000 },
    );
  });

  test('describes a value that spans lines instead of quoting it: the lines after a stray quote are other secrets', () => {
    const folded = '6\nPGPASSWORD=hunter2-s3cret\nX=';
    expect(excerpt(folded, 60)).toBe(`(a value of 3 lines, ${folded.length} characters, not shown)`);
    expect(excerpt('a\r\nb', 60)).toBe('(a value of 2 lines, 4 characters, not shown)');
  });

  test('never carries more than the first characters of a long secret', () => {
    const secret = `npm_${'S'.repeat(36)}TAIL`;
    expect(excerpt(secret, 10)).toBe('"npm_SSSSSS…" (44 characters)');
    expect(excerpt(secret, 10)).not.toContain('TAIL');
  });
});
