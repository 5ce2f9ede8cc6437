// What only the file store does with a copy switched in (restore with replace, copy-into.ts):
// the copy's repositories replace the store's, and a switch stopped by a crash is finished by
// the next open.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { openFileStore } from '../../src/file/store';
import { KEY, SHA, useTempStateDir } from './fixture';

describe('the file store', () => {
  const temp = useTempStateDir();

  it('a copy switched in carries its repositories, and a switch run again after a crash keeps them', async () => {
    const { dir, stateDir } = temp;
    const produce = (n: number) => (state: Record<string, unknown>) => ({ ...state, production_sha_current: SHA(n) });
    const target = await openFileStore({ stateDir });
    await target.updateState(produce(1) as never, { repo: 'octo/old' });
    // A copy with a repository of its own, built and switched in (restore: all or nothing).
    const source = await openFileStore({ stateDir: path.join(dir, 'source') });
    await source.updateState(produce(2) as never, { repo: 'octo/new' });
    await target.restore(await source.snapshot(), { replace: true });
    expect(await target.repositories()).toEqual(['octo/new']);
    await target.close();
    // What a crash after the repositories were switched leaves: the rest of the copy in .copy-ready.
    const rest = path.join(dir, 'rest');
    await (await openFileStore({ stateDir: rest })).close();
    await fsp.rename(rest, path.join(stateDir, '.copy-ready'));
    const reopened = await openFileStore({ stateDir });
    expect(await reopened.repositories()).toEqual(['octo/new']);
    expect((await reopened.readState({ repo: 'octo/new' })).production_sha_current).toBe(SHA(2));
    // A copy without repositories over a store that has some leaves none, and no empty directory.
    await reopened.restore({ state: await reopened.readState(), deliveries: [] }, { replace: true });
    expect(await reopened.repositories()).toEqual([]);
    expect((await fsp.readdir(stateDir)).includes('repositories')).toBe(false);
    await reopened.close();
    await source.close();
  });

  it.each([['before its switch began'], ['after repositories/ was switched in']])(
    "a copy stopped %s is finished by the next open: each repository's state is the copy's",
    async (when) => {
      const { dir, stateDir } = temp;
      const open = async (at: string) => openFileStore({ stateDir: at });
      const target = await open(stateDir);
      await target.updateState((s) => ({ ...s, production_sha_current: SHA(1) }), { repo: 'old/one' });
      await target.deliveries.claim({ ...KEY(1), deliveryId: 'old' });
      await target.close();
      const copyDir = path.join(dir, 'copy');
      const copy = await open(copyDir);
      await copy.updateState((s) => ({ ...s, production_sha_current: SHA(2) }), { repo: 'new/two' });
      await copy.updateState((s) => ({ ...s, production_sha_current: SHA(3) }));
      await copy.deliveries.claim({ ...KEY(2), deliveryId: 'new' });
      await copy.close();
      // Committed: the whole copy is .copy-ready inside the target (what copy-into.ts makes).
      const ready = path.join(stateDir, '.copy-ready');
      await fsp.rename(copyDir, ready);
      if (when !== 'before its switch began') {
        // The switch's steps up to repositories/, as switchIn takes them; then the process died.
        for (const name of ['deliveries', 'repositories']) {
          await fsp.rename(path.join(stateDir, name), path.join(ready, `replaced-${name}-0`));
          await fsp.rename(path.join(ready, name), path.join(stateDir, name));
        }
      }
      const store = await open(stateDir);
      expect(await store.repositories()).toEqual(['new/two']);
      expect((await store.readState({ repo: 'new/two' })).production_sha_current).toBe(SHA(2));
      expect((await store.readState({ repo: 'old/one' })).production_sha_current).toBeNull();
      expect((await store.readState()).production_sha_current).toBe(SHA(3));
      expect((await store.deliveries.list()).map((record) => record.deliveryId)).toEqual(['new']);
      expect(await store.check()).toMatchObject({ healthy: true, problems: [] });
      await store.close();
      expect((await fsp.readdir(stateDir)).filter((name) => name.startsWith('.copy'))).toEqual([]);
    },
  );
});
