import { spawnSync } from 'node:child_process';
import { constants, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StateError } from '../shared/errors';
import { readStateFile } from './read-file';
import { createExclusive, stageFile, writeFileAtomic } from './staged-file';
import { nodeFs, type FsSeam } from './fs-seam';
import { failure } from '../../test/expect-state-error';

function systemError(code: string, syscall: string): Error {
  return Object.assign(new Error(`${code}: simulated ${syscall}`), { code, syscall });
}

/** A seam whose `step` fails with `code` (a write fails after half the bytes). */
function faulty(step: 'open' | 'write' | 'fsync' | 'rename' | 'link' | 'dirsync', code: string): FsSeam {
  return {
    ...nodeFs,
    async open(file, flags, mode) {
      if (step === 'open' && (flags & constants.O_CREAT) !== 0) throw systemError(code, 'open');
      if (step === 'dirsync' && (flags & constants.O_DIRECTORY) !== 0) throw systemError(code, 'open');
      return nodeFs.open(file, flags, mode);
    },
    async writeAll(handle, data) {
      if (step !== 'write') return nodeFs.writeAll(handle, data);
      await nodeFs.writeAll(handle, data.subarray(0, Math.floor(data.byteLength / 2)));
      throw systemError(code, 'write');
    },
    async fsync(handle) {
      if (step === 'fsync') throw systemError(code, 'fsync');
      return nodeFs.fsync(handle);
    },
    async rename(from, to) {
      if (step === 'rename') throw systemError(code, 'rename');
      return nodeFs.rename(from, to);
    },
    async link(from, to) {
      if (step === 'link') throw systemError(code, 'link');
      return nodeFs.link(from, to);
    },
  };
}

describe('atomic files', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'booty-rs-atomic-'));
    file = path.join(dir, 'release.json');
    await fsp.writeFile(file, '{"old":true}\n');
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('replaces the file with a private (0600) one and leaves nothing else behind', async () => {
    await fsp.chmod(file, 0o644);
    await writeFileAtomic(nodeFs, file, Buffer.from('{"new":true}\n'));
    expect(await fsp.readFile(file, 'utf8')).toBe('{"new":true}\n');
    expect((await fsp.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fsp.readdir(dir)).toEqual(['release.json']);
  });

  it.each([
    ['open', 'EACCES'],
    ['open', 'EROFS'],
    ['write', 'ENOSPC'],
    ['write', 'EDQUOT'],
    ['fsync', 'EIO'],
    ['rename', 'EACCES'],
  ] as const)(
    'a failed %s (%s) keeps the old file byte for byte, leaves no temp file, and says so',
    async (step, code) => {
      const before = await fsp.stat(file);
      const error = await failure(writeFileAtomic(faulty(step, code), file, Buffer.from('{"new":true}\n')));
      expect(error.code).toBe('STATE_WRITE');
      expect(error.path).toBe(file);
      expect(error.details.errno).toBe(code);
      expect(error.message).toContain(file);
      expect(error.message).toContain('release.json was not changed and no temporary file was left behind');
      expect(await fsp.readFile(file, 'utf8')).toBe('{"old":true}\n');
      expect((await fsp.stat(file)).mtimeMs).toBe(before.mtimeMs);
      expect(await fsp.readdir(dir)).toEqual(['release.json']);
    },
  );

  it('says plainly when the rename happened but the directory could not be flushed', async () => {
    const error = await failure(writeFileAtomic(faulty('dirsync', 'EIO'), file, Buffer.from('{"new":true}\n')));
    expect(error.details.reason).toBe('dir-fsync');
    expect(error.message).toContain('may not survive a power loss');
  });

  it('does not rename when the lock is no longer ours', async () => {
    const veto = new StateError('STATE_WRITE', file, 'lock lost', { reason: 'lock-lost' });
    const error = await failure(
      writeFileAtomic(nodeFs, file, Buffer.from('{}'), { lock: { assertHeld: async () => Promise.reject(veto) } }),
    );
    expect(error).toBe(veto);
    expect(await fsp.readdir(dir)).toEqual(['release.json']);
  });

  it('readStateFile refuses a symlink and a FIFO without following or blocking', async () => {
    const link = path.join(dir, 'link.json');
    await fsp.symlink(file, link);
    expect((await failure(readStateFile(nodeFs, link, { maxBytes: 1024 }))).details.reason).toBe('symlink');
    expect(await readStateFile(nodeFs, path.join(dir, 'absent.json'), { maxBytes: 1024 })).toBeNull();
    expect((await failure(readStateFile(nodeFs, file, { maxBytes: 4 }))).details.reason).toBe('too-large');
    const fifo = path.join(dir, 'fifo.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect((await failure(readStateFile(nodeFs, fifo, { maxBytes: 1024 }))).details.reason).toBe('not-regular-file');
  });

  describe('createExclusive', () => {
    const data = Buffer.from('{"key":"k"}\n');

    it('creates the name once; later creators learn that it exists; content is never partial', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => createExclusive(nodeFs, path.join(dir, 'entry.json'), data)),
      );
      expect(results.filter((r) => r === 'created')).toHaveLength(1);
      expect(await fsp.readFile(path.join(dir, 'entry.json'), 'utf8')).toBe('{"key":"k"}\n');
      expect((await fsp.readdir(dir)).sort()).toEqual(['entry.json', 'release.json']);
    });

    it('sets the requested mtime', async () => {
      const mtime = new Date('2026-01-02T03:04:05.000Z');
      await createExclusive(nodeFs, path.join(dir, 'entry.json'), data, { mtime });
      expect((await fsp.stat(path.join(dir, 'entry.json'))).mtime.toISOString()).toBe(mtime.toISOString());
    });

    it.each([
      ['write', 'ENOSPC'],
      ['fsync', 'EIO'],
      ['link', 'EACCES'],
    ] as const)('a failed %s (%s) records nothing and leaves no temp file', async (step, code) => {
      const error = await failure(
        createExclusive(faulty(step, code), path.join(dir, 'entry.json'), data, { label: 'The claim of k' }),
      );
      expect(error.code).toBe('STATE_WRITE');
      expect(error.details.errno).toBe(code);
      expect(error.message).toContain('The claim of k was not recorded and no temporary file was left behind');
      expect(await fsp.readdir(dir)).toEqual(['release.json']);
    });

    it('a staged file that its caller discards (a check before the link failed) links nothing and leaves no temp file', async () => {
      const staged = await stageFile(nodeFs, path.join(dir, 'entry.json'), data, { intent: 'create' });
      expect(await fsp.readdir(dir)).toHaveLength(2);
      await staged.discard();
      expect(await fsp.readdir(dir)).toEqual(['release.json']);
    });

    it('flushes the directory through the given flushDir, and takes the name back when it fails', async () => {
      let flushes = 0;
      expect(
        await createExclusive(nodeFs, path.join(dir, 'a.json'), data, { flushDir: async () => void flushes++ }),
      ).toBe('created');
      expect(flushes).toBe(1);
      const error = await failure(
        createExclusive(nodeFs, path.join(dir, 'b.json'), data, {
          flushDir: () => Promise.reject(systemError('EIO', 'fsync')),
        }),
      );
      expect(error.details).toMatchObject({ reason: 'dir-fsync', errno: 'EIO' });
      expect((await fsp.readdir(dir)).sort()).toEqual(['a.json', 'release.json']);
    });

    it('explains a file system without hard links', async () => {
      const error = await failure(createExclusive(faulty('link', 'EPERM'), path.join(dir, 'entry.json'), data));
      expect(error.message).toContain('does not support hard links');
    });

    it('takes the name back when the directory cannot be flushed, so a retry can claim it', async () => {
      const error = await failure(createExclusive(faulty('dirsync', 'EIO'), path.join(dir, 'entry.json'), data));
      expect(error.details.reason).toBe('dir-fsync');
      expect(await fsp.readdir(dir)).toEqual(['release.json']);
      expect(await createExclusive(nodeFs, path.join(dir, 'entry.json'), data)).toBe('created');
    });
  });
});
