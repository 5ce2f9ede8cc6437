// The one safe reader: real files, a real FIFO and real devices. Each hostile file is refused
// in bounded time with a reason and a phrase, never read whole, never waited on.
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeBytes, FileReadError, readFileSafely, readFileSafelySync, type ReadFileOptions } from './read-file';

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'booty-rs-read-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

/** Both readers give the same verdict: the bytes, or the same FileReadError. */
async function verdict(file: string, options: ReadFileOptions): Promise<Buffer | { reason: string; what: string }> {
  const asError = (error: unknown) => {
    if (!(error instanceof FileReadError)) throw error;
    return { reason: error.reason, what: error.what };
  };
  const asynchronous = await readFileSafely(file, options).catch(asError);
  let synchronous;
  try {
    synchronous = readFileSafelySync(file, options);
  } catch (error) {
    synchronous = asError(error);
  }
  expect(synchronous).toEqual(asynchronous);
  return asynchronous;
}

describe('readFileSafely', () => {
  it('reads a regular file whole, also one larger than its first buffer', async () => {
    const file = path.join(dir, 'big.txt');
    const text = 'x'.repeat(200_000);
    await fsp.writeFile(file, text);
    expect((await verdict(file, { maxBytes: 1024 * 1024 })).toString()).toBe(text);
    await fsp.writeFile(path.join(dir, 'empty'), '');
    expect(await verdict(path.join(dir, 'empty'), { maxBytes: 10 })).toEqual(Buffer.alloc(0));
  });

  it('refuses a FIFO nobody writes to at once (a plain read would wait forever)', async () => {
    const fifo = path.join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(await verdict(fifo, { maxBytes: 1024 })).toEqual({
      reason: 'not-regular',
      what: 'is a FIFO, socket or device, not a regular file',
    });
  });

  it('refuses devices that never end or block (/dev/zero, /dev/urandom), also through a link', async () => {
    const link = path.join(dir, 'zero-link');
    await fsp.symlink('/dev/zero', link);
    for (const file of ['/dev/zero', '/dev/urandom', link]) {
      expect(await verdict(file, { maxBytes: 1024 })).toMatchObject({ reason: 'not-regular' });
    }
  });

  it('refuses a file over the cap before reading it, and one that reads longer than its size says (/proc)', async () => {
    const file = path.join(dir, 'large');
    await fsp.writeFile(file, 'y'.repeat(5000));
    expect(await verdict(file, { maxBytes: 4096 })).toEqual({
      reason: 'too-large',
      what: 'is larger than 4 KiB (5000 bytes)',
    });
    // /proc files say size 0 and hold more: the cap holds while reading.
    expect(await verdict('/proc/self/maps', { maxBytes: 16 })).toEqual({
      reason: 'too-large',
      what: 'is larger than 16 bytes',
    });
  });

  it('says what is missing, a directory, a path through a file, a loop', async () => {
    const loop = path.join(dir, 'loop');
    await fsp.symlink('loop', loop);
    await fsp.writeFile(path.join(dir, 'plain'), 'p');
    expect(await verdict(path.join(dir, 'nope'), { maxBytes: 10 })).toEqual({
      reason: 'missing',
      what: 'does not exist',
    });
    expect(await verdict(dir, { maxBytes: 10 })).toEqual({ reason: 'directory', what: 'is a directory' });
    expect(await verdict(path.join(dir, 'plain', 'x'), { maxBytes: 10 })).toEqual({
      reason: 'unreadable',
      what: 'goes through something that is not a directory (ENOTDIR)',
    });
    expect(await verdict(loop, { maxBytes: 10 })).toEqual({
      reason: 'unreadable',
      what: 'is a loop of symbolic links',
    });
  });

  it('follows a link by default, and refuses one with symlinks: refuse (the store never links its files)', async () => {
    const target = path.join(dir, 'target.txt');
    const link = path.join(dir, 'link.txt');
    await fsp.writeFile(target, 'linked');
    await fsp.symlink(target, link);
    expect((await verdict(link, { maxBytes: 100 })).toString()).toBe('linked');
    expect(await verdict(link, { maxBytes: 100, symlinks: 'refuse' })).toEqual({
      reason: 'symlink',
      what: 'is a symbolic link',
    });
  });

  it('words a limit as people say it', () => {
    expect([describeBytes(1024 * 1024), describeBytes(64 * 1024), describeBytes(300)]).toEqual([
      '1 MiB',
      '64 KiB',
      '300 bytes',
    ]);
  });
});
