import { MAX_CONFIG_BYTES } from './limits';
import { decodeSource, firstInvalidUtf8 } from './source';
import { FILE, parse, parseError } from '../test/helpers';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('encoding', () => {
  it('reads UTF-8 bytes, including non-ASCII text', () => {
    const result = parse(bytes('test_command: echo "héllo ✓ 🚀"\n'));
    expect(result.config).toMatchObject({ test_command: 'echo "héllo ✓ 🚀"' });
  });

  it('accepts and drops a UTF-8 byte order mark, in bytes and in text', () => {
    expect(parse(bytes([0xef, 0xbb, 0xbf], 'test_command: x\n')).config).toMatchObject({ test_command: 'x' });
    expect(parse('\uFEFFtest_command: x\n').config).toMatchObject({ test_command: 'x' });
  });

  it('keeps columns right after a byte order mark', () => {
    const error = parseError('CONFIG_SCHEMA', bytes([0xef, 0xbb, 0xbf], 'test_command: 5\n'));
    expect(error.issues[0]).toMatchObject({ line: 1, column: 15 });
  });

  it('names the offset, line and column of the first invalid byte', () => {
    const error = parseError('CONFIG_ENCODING', bytes('test_command: x\nlabels: {a: "', [0xc3, 0x28], '"}\n'));
    expect(error.issues).toEqual([
      {
        path: '',
        message: 'the file is not valid UTF-8: byte 0xC3 at offset 29 (line 2, column 14); save the file as UTF-8',
        file: FILE,
        line: 2,
        column: 14,
      },
    ]);
  });

  it('counts the column in characters after multi-byte text', () => {
    const error = parseError('CONFIG_ENCODING', bytes('a: é', [0xff]));
    expect(error.issues[0]).toMatchObject({ line: 1, column: 5 });
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['0xFF', [0xff]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['an overlong three-byte form', [0xe0, 0x80, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a truncated sequence at the end', [0xe2, 0x82]],
    ['Latin-1 é', [0xe9]],
  ])('refuses %s', (_name, bad) => {
    const error = parseError('CONFIG_ENCODING', bytes('test_command: x # ', bad, '\n'));
    expect(error.issues[0]).toMatchObject({ line: 1, column: 19 });
  });

  it('agrees with the platform decoder on what is valid UTF-8', () => {
    const samples = [
      bytes('plain'),
      bytes('✓ 🚀 é'),
      bytes([0xf0, 0x9f, 0x98]),
      bytes([0xed, 0x9f, 0xbf]),
      bytes([0xef, 0xbf, 0xbf]),
    ];
    for (const sample of samples) {
      let platformValid = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(sample);
      } catch {
        platformValid = false;
      }
      expect(firstInvalidUtf8(sample) === -1).toBe(platformValid);
    }
  });

  it('refuses UTF-16 files with a clear message', () => {
    for (const bom of [
      [0xff, 0xfe],
      [0xfe, 0xff],
    ]) {
      const error = parseError('CONFIG_ENCODING', bytes(bom, [0x61, 0x00]));
      expect(error.issues[0]?.message).toContain('the file is UTF-16');
    }
  });

  it('refuses text holding an unpaired surrogate', () => {
    const error = parseError('CONFIG_ENCODING', 'test_command: x\nlabels: {a: "\uD800"}\n');
    expect(error.issues[0]).toMatchObject({ line: 2, column: 14 });
  });
});

describe('size cap', () => {
  const padded = (size: number): string => {
    const head = 'test_command: x\n#';
    return `${head}${'x'.repeat(size - head.length - 1)}\n`;
  };

  it('accepts a file of exactly 1 MiB', () => {
    expect(parse(padded(MAX_CONFIG_BYTES)).config).toMatchObject({ test_command: 'x' });
    expect(parse(Buffer.from(padded(MAX_CONFIG_BYTES))).config).toMatchObject({ test_command: 'x' });
  });

  it('refuses one byte more, as bytes or as text, before parsing it', () => {
    const text = padded(MAX_CONFIG_BYTES + 1);
    for (const source of [text, Buffer.from(text)]) {
      const error = parseError('CONFIG_TOO_LARGE', source);
      expect(error.issues).toEqual([
        {
          path: '',
          message:
            'the file is 1,048,577 bytes, over the 1 MiB limit (1,048,576 bytes); ' +
            'a .booty.yml holds a few settings, so check that this is the right file',
          file: FILE,
          line: null,
          column: null,
        },
      ]);
    }
  });

  it('counts text in UTF-8 bytes, not characters', () => {
    const text = `test_command: x\n#${'é'.repeat(MAX_CONFIG_BYTES / 2)}\n`;
    parseError('CONFIG_TOO_LARGE', text);
  });

  it('decodes plain ASCII bytes', () => {
    expect(decodeSource(Buffer.from('abc'), FILE)).toBe('abc');
  });
});
