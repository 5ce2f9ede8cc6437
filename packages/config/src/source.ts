import { configError, type ConfigError } from './errors';
import { MAX_CONFIG_BYTES } from './limits';

const MIB = (MAX_CONFIG_BYTES / (1024 * 1024)).toString();

export function tooLarge(file: string, bytes: number | null): ConfigError {
  const size = bytes === null ? 'more than' : `${bytes.toLocaleString('en-US')} bytes, over`;
  return configError('CONFIG_TOO_LARGE', {
    file,
    happened: `the file is ${size} the ${MIB} MiB limit (${MAX_CONFIG_BYTES.toLocaleString('en-US')} bytes)`,
    fix: 'a .booty.yml holds a few settings, so check that this is the right file',
  });
}

function encodingError(file: string, line: number | null, column: number | null, message: string): ConfigError {
  return configError('CONFIG_ENCODING', { file, line, column, happened: message });
}

/** Length in bytes of a valid UTF-8 sequence starting at `i`, or 0 when it is not valid there. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] ?? 0;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const b = bytes[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0; // no overlong forms
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // no UTF-16 surrogates
  if (b0 >= 0xe1 && b0 <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0; // nothing above U+10FFFF
  return 0;
}

/** Offset of the first byte that is not valid UTF-8, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    // Fast path for ASCII, which is nearly all of a config file.
    if ((bytes[i] ?? 0) < 0x80) {
      i++;
      continue;
    }
    const n = sequenceLength(bytes, i);
    if (n === 0) return i;
    i += n;
  }
  return -1;
}

/**
 * 'LE' or 'BE' when the start of `bytes` is text saved as UTF-16 without a byte order mark:
 * ASCII interleaved with zero bytes (what editors on Windows write). UTF-8 text never holds a
 * zero byte in every other position, so this cannot misread a real UTF-8 file.
 */
function utf16WithoutBom(bytes: Uint8Array): 'LE' | 'BE' | null {
  const pairs = Math.min(256, Math.floor(bytes.length / 2));
  if (pairs < 2) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < pairs; i++) {
    if (bytes[2 * i] === 0) evenZero++;
    if (bytes[2 * i + 1] === 0) oddZero++;
  }
  if (oddZero >= pairs * 0.6 && evenZero === 0) return 'LE';
  if (evenZero >= pairs * 0.6 && oddZero === 0) return 'BE';
  return null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function lineAndColumn(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const lastNewline = before.lastIndexOf('\n');
  let line = 1;
  for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 10) line++;
  return { line, column: index - lastNewline };
}

/**
 * Bytes or text in, text out: enforces the size cap, requires UTF-8 (a BOM is fine and
 * removed), and names the first bad byte by offset, line and column.
 */
export function decodeSource(source: string | Uint8Array, file: string): string {
  if (typeof source === 'string') {
    const bytes = Buffer.byteLength(source, 'utf8');
    if (bytes > MAX_CONFIG_BYTES) throw tooLarge(file, bytes);
    const bad = LONE_SURROGATE.exec(source);
    if (bad !== null) {
      const { line, column } = lineAndColumn(source, bad.index);
      throw encodingError(
        file,
        line,
        column,
        `the text holds an unpaired UTF-16 surrogate at character ${bad.index}, which cannot be written as UTF-8; remove that character`,
      );
    }
    return source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  }
  if (source.length > MAX_CONFIG_BYTES) throw tooLarge(file, source.length);
  const b0 = source[0];
  const b1 = source[1];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    throw encodingError(file, 1, 1, 'the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8');
  }
  const utf16 = utf16WithoutBom(source);
  if (utf16 !== null) {
    throw encodingError(
      file,
      1,
      1,
      `the file looks like UTF-16 ${utf16} without a byte order mark (every other byte is 0); save it as UTF-8`,
    );
  }
  const start = b0 === 0xef && b1 === 0xbb && source[2] === 0xbf ? 3 : 0;
  const body = source.subarray(start);
  const bad = firstInvalidUtf8(body);
  if (bad >= 0) {
    const prefix = Buffer.from(body.buffer, body.byteOffset, bad).toString('utf8');
    const { line, column } = lineAndColumn(prefix, prefix.length);
    const byte = (body[bad] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    throw encodingError(
      file,
      line,
      column,
      `the file is not valid UTF-8: byte 0x${byte} at offset ${bad + start} (line ${line}, column ${column}); save the file as UTF-8`,
    );
  }
  return Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8');
}
