// What only the file store does when it claims: the first claim on a fresh store takes no lock
// and replaces no file, the directory it flushes is the deliveries/ there is now, and a per-key
// lock left by a dead process is broken by the next takeover.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { nodeFs, type FsSeam } from '../../src/file/fs-seam';
import { entryName } from '../../src/file/ledger/entry';
import * as lock from '../../src/file/lock';
import { openFileStore } from '../../src/file/store';
import { KEY, SHA, useTempStateDir } from './fixture';

describe('the file store', () => {
  const temp = useTempStateDir();

  it('the first claim on a fresh store takes no lock and replaces no file', async () => {
    const { stateDir } = temp;
    const renames: string[] = [];
    const seam: FsSeam = {
      ...nodeFs,
      async rename(from, to) {
        renames.push(to);
        await nodeFs.rename(from, to);
      },
    };
    const store = await openFileStore({ stateDir }, { fs: seam });
    renames.length = 0;
    const locks = jest.spyOn(lock, 'acquireLock');
    const withLocks = jest.spyOn(lock, 'withLock');
    expect((await store.deliveries.claim({ ...KEY(1), deliveryId: 'first' })).claimed).toBe(true);
    expect((await store.deliveries.claim({ ...KEY(2), deliveryId: 'second' })).claimed).toBe(true);
    expect(renames).toEqual([]);
    expect(locks).not.toHaveBeenCalled();
    expect(withLocks).not.toHaveBeenCalled();
    expect((await fsp.readdir(path.join(stateDir, 'deliveries'))).sort()).toEqual(
      ['.ledger.json', entryName(`octo/app:${SHA(1)}`), entryName(`octo/app:${SHA(2)}`)].sort(),
    );
  });

  it('a kept directory descriptor follows a deliveries/ that was moved and recreated', async () => {
    const { dir, stateDir } = temp;
    const flushed: bigint[] = [];
    const seam: FsSeam = {
      ...nodeFs,
      async fsyncFd(fd) {
        flushed.push(nodeFs.fstatBigSync(fd).ino);
        await nodeFs.fsyncFd(fd);
      },
    };
    const store = await openFileStore({ stateDir }, { fs: seam });
    await store.deliveries.claim({ ...KEY(1), deliveryId: 'one' });
    const ledgerDir = path.join(stateDir, 'deliveries');
    await fsp.rename(ledgerDir, path.join(dir, 'moved'));
    await fsp.mkdir(ledgerDir, { mode: 0o700 });
    await store.deliveries.claim({ ...KEY(2), deliveryId: 'two' });
    const now = (await fsp.stat(ledgerDir, { bigint: true })).ino;
    expect(flushed.at(-1)).toBe(now);
    expect(flushed[0]).not.toBe(now);
    await store.close();
  });

  it('a process holding the per-key lock that dies leaves it stale: the next takeover breaks it', async () => {
    const { stateDir } = temp;
    const store = await openFileStore({ stateDir, lockStaleMs: 300, lockWaitMs: 3000 });
    await store.deliveries.claim({ ...KEY(1), deliveryId: 'holder', leaseMs: 20 });
    // A dead process's lock: a file nobody refreshes.
    await fsp.writeFile(
      path.join(stateDir, 'deliveries', `.${entryName(`octo/app:${SHA(1)}`)}.lock`),
      '{"pid":999999}',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const result = await store.deliveries.claim({ ...KEY(1), deliveryId: 'next', leaseMs: 60_000 });
    expect(result).toMatchObject({ claimed: true, takeover: true, record: { attempt: 2, deliveryId: 'next' } });
  });
});
