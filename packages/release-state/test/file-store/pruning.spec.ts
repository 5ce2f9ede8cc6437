// How the file store prunes: by the time recorded in each entry (a Python entry's import time,
// kept as its mtime), in a pass a claim starts in the background, never below the redelivery
// window whatever the count limit, and taking stale per-key locks with it.
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { nodeFs, type FsSeam } from '../../src/file/fs-seam';
import { entryName } from '../../src/file/ledger/entry';
import { openFileStore } from '../../src/file/store';
import { DAY, KEY, SHA, useTempStateDir } from './fixture';

describe('the file store', () => {
  const temp = useTempStateDir();

  it('prunes by the time recorded in each entry, not the file mtime a copy without -p resets', async () => {
    const { dir, stateDir, entryPath } = temp;
    const t0 = new Date('2026-01-01T00:00:00Z');
    const old = await openFileStore({ stateDir, now: () => t0 });
    await old.deliveries.claim({ ...KEY(1), deliveryId: 'old' });
    // A copy made without -p: every file gets the copy's time as its mtime.
    const copy = path.join(dir, 'copy');
    expect(spawnSync('cp', ['-r', stateDir, copy]).status).toBe(0);
    const later = new Date(t0.getTime() + 40 * DAY);
    // (No prune pass during the claim below: the explicit one is the one looked at.)
    const copied = await openFileStore({ stateDir: copy, now: () => later }, { pruneIntervalMs: 1000 * DAY });
    await copied.deliveries.claim({ ...KEY(2), deliveryId: 'new' });
    // And an entry recorded now whose file looks ancient is kept.
    await fsp.utimes(entryPath(2, copy), new Date('2000-01-01'), new Date('2000-01-01'));
    expect(await copied.deliveries.prune()).toMatchObject({ removed: 1, kept: 1 });
    expect(await copied.deliveries.has(KEY(1))).toBe(false);
    expect(await copied.deliveries.has(KEY(2))).toBe(true);
  });

  it('Python entries carry no time: retention counts from their import, kept as the file mtime', async () => {
    const { stateDir, entryPath } = temp;
    await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
    await fsp.writeFile(path.join(stateDir, 'delivery_ids.json'), JSON.stringify({ [`octo/app:${SHA(1)}`]: 'py-1' }));
    let now = new Date('2026-03-01T00:00:00Z');
    const imported = now.getTime();
    const store = await openFileStore({ stateDir, now: () => now });
    await store.deliveries.claim({ ...KEY(2), deliveryId: 'ts-2' });
    expect(await store.deliveries.get(KEY(1))).toMatchObject({ deliveryId: 'py-1', recordedAt: null, attempt: 1 });
    expect((await fsp.stat(entryPath(1))).mtimeMs).toBe(imported);
    now = new Date(imported + 29 * DAY);
    expect((await store.deliveries.prune()).removed).toBe(0);
    now = new Date(imported + 31 * DAY);
    expect(await store.deliveries.prune()).toMatchObject({ removed: 2, kept: 0 });
  });

  it('a claim that makes a prune pass due starts it in the background and returns without waiting for it', async () => {
    const { stateDir, entryPath } = temp;
    let listing: () => void = () => undefined;
    const listed = new Promise<void>((resolve) => (listing = resolve));
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let hold = false;
    // The pass lists the directory; a claim never does. Held, the listing waits for the gate.
    const seam: FsSeam = {
      ...nodeFs,
      async readdir(dirPath) {
        if (hold) {
          listing();
          await gate;
        }
        return nodeFs.readdir(dirPath);
      },
    };
    const t0 = new Date('2026-01-01T00:00:00Z');
    let now = t0;
    const store = await openFileStore({ stateDir, now: () => now }, { fs: seam });
    await store.deliveries.claim({ ...KEY(1), deliveryId: 'old' });
    // 40 days on, the last pass (the store's creation) is long past the hour: the next claim makes one due.
    now = new Date(t0.getTime() + 40 * DAY);
    hold = true;
    expect((await store.deliveries.claim({ ...KEY(2), deliveryId: 'new' })).claimed).toBe(true);
    await listed;
    // The claim has returned; its pass is held inside its first listing, nothing removed yet.
    expect((await store.deliveries.claim({ ...KEY(3), deliveryId: 'beside' })).claimed).toBe(true);
    await fsp.access(entryPath(1));
    open();
    await store.close();
    await expect(fsp.access(entryPath(1))).rejects.toMatchObject({ code: 'ENOENT' });
    const marker = await fsp.readFile(path.join(stateDir, 'deliveries', '.ledger.json'), 'utf8');
    expect(JSON.parse(marker)).toMatchObject({ last_prune: now.toISOString() });
  });

  it('the count limit never removes an entry younger than the redelivery window, and says it is exceeded', async () => {
    const { stateDir } = temp;
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    let now = new Date(t0);
    const noPassDuringClaims = { pruneIntervalMs: 1000 * DAY, pruneEveryClaims: 1e6 };
    const store = await openFileStore({ stateDir, maxDeliveries: 3, now: () => now }, noPassDuringClaims);
    for (const n of [1, 2]) await store.deliveries.claim({ ...KEY(n), deliveryId: `old-${n}` });
    now = new Date(t0 + 10 * DAY);
    for (const n of [3, 4, 5, 6]) await store.deliveries.claim({ ...KEY(n), deliveryId: `young-${n}` });
    // Over the limit by 3: only the 2 past the 4-day window may go; the 4 young ones stay.
    const limit = { maxDeliveries: 3, windowDays: 4, exceeded: true, inWindow: 4 };
    expect(await store.deliveries.prune()).toEqual({ removed: 2, kept: 4, limit });
    expect(await store.deliveries.tally()).toEqual({ entries: 4, damaged: 0, limit });
    expect((await store.check()).limit).toEqual(limit);
    now = new Date(t0 + 13 * DAY);
    expect(await store.deliveries.prune()).toMatchObject({ removed: 0, kept: 4 });
    // Past the window, the oldest (the first in name order among equals) goes.
    now = new Date(t0 + 15 * DAY);
    const within = { ...limit, exceeded: false, inWindow: 0 };
    expect(await store.deliveries.prune()).toEqual({ removed: 1, kept: 3, limit: within });
    expect(await store.deliveries.has(KEY(3))).toBe(false);
  });

  it('prune removes a per-key lock long past stale, and leaves a fresh one', async () => {
    const { stateDir } = temp;
    const store = await openFileStore({ stateDir, lockStaleMs: 100 });
    await store.deliveries.claim({ ...KEY(1), deliveryId: 'one' });
    const ledgerDir = path.join(stateDir, 'deliveries');
    const old = path.join(ledgerDir, `.${entryName(`octo/app:${SHA(1)}`)}.lock`);
    await fsp.writeFile(old, '{"pid":999999}');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const fresh = path.join(ledgerDir, `.${entryName(`octo/app:${SHA(2)}`)}.lock`);
    await fsp.writeFile(fresh, '{"pid":999998}');
    await store.deliveries.prune();
    const left = await fsp.readdir(ledgerDir);
    expect(left).not.toContain(path.basename(old));
    expect(left).toContain(path.basename(fresh));
  });
});
