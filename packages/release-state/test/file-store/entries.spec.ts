// How the file store reads its entries: a tally reads each once and says how far it got, entries
// of the previous version (no lease fields) read as final claims, and entries an earlier version
// named by spelling are found, then renamed before a write (of two spellings, the completed one
// stays).
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { nodeFs, type FsSeam } from '../../src/file/fs-seam';
import { serializeEntry, spelledEntryName } from '../../src/file/ledger/entry';
import { openFileStore } from '../../src/file/store';
import { snapshotTree } from '../helpers';
import { KEY, SHA, useTempStateDir } from './fixture';

describe('the file store', () => {
  const temp = useTempStateDir();

  it('tally with recent claims reads every entry once (state claims used to read the ledger twice), and says how far it got', async () => {
    const { stateDir } = temp;
    const opened: string[] = [];
    const seam: FsSeam = {
      ...nodeFs,
      openSync(file, flags) {
        opened.push(file);
        return nodeFs.openSync(file, flags);
      },
    };
    const store = await openFileStore({ stateDir }, { fs: seam });
    const now = new Date().toISOString();
    const deliveries = Array.from({ length: 1200 }, (_, n) => ({
      key: `octo/app:${SHA(n + 1)}`,
      deliveryId: `d${n + 1}`,
      recordedAt: now,
      attempt: 1,
      leaseExpiresAt: null,
      completedAt: null,
      outcome: null,
    }));
    await store.restore({ state: await store.readState(), deliveries });
    opened.length = 0;
    const progress: number[] = [];
    const tally = await store.deliveries.tally({
      recent: { repo: 'octo/app', limit: 5 },
      onProgress: ({ read, total }) => progress.push(read / total),
    });
    const entriesRead = opened.filter((file) => file.startsWith(path.join(stateDir, 'deliveries', 'octo%2F')));
    expect(entriesRead).toHaveLength(1200);
    expect(new Set(entriesRead).size).toBe(1200);
    expect(progress).toEqual([500 / 1200, 1000 / 1200, 1]);
    expect(tally).toMatchObject({ entries: 1200, damaged: 0 });
    expect(tally.recent).toHaveLength(5);
    expect(tally.recent).toEqual(await store.deliveries.list({ repo: 'octo/app', limit: 5 }));
    await store.close();
  });

  it('reads entries of the previous version (no lease fields) as attempt 1, final', async () => {
    const { stateDir, entryPath } = temp;
    const store = await openFileStore({ stateDir });
    await store.deliveries.claim({ ...KEY(9), deliveryId: 'make-the-dir' });
    const previous = {
      format_version: 1,
      key: `octo/app:${SHA(1)}`,
      deliveryId: 'v1',
      recordedAt: '2026-01-01T00:00:00.000Z',
    };
    await fsp.writeFile(entryPath(1), `${JSON.stringify(previous)}\n`);
    expect(await store.deliveries.get(KEY(1))).toEqual({
      key: `octo/app:${SHA(1)}`,
      deliveryId: 'v1',
      recordedAt: '2026-01-01T00:00:00.000Z',
      attempt: 1,
      leaseExpiresAt: null,
      completedAt: null,
      outcome: null,
    });
    expect((await store.deliveries.claim({ ...KEY(1), deliveryId: 'late', leaseMs: 10 })).claimed).toBe(false);
    expect(await store.deliveries.complete({ ...KEY(1), deliveryId: 'v1', outcome: 'allowed' })).toMatchObject({
      attempt: 1,
      outcome: 'allowed',
    });
    // What this version writes still reads with the previous version's fields where they were.
    const written = JSON.parse(await fsp.readFile(entryPath(1), 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({
      format_version: 1,
      key: `octo/app:${SHA(1)}`,
      deliveryId: 'v1',
      recordedAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('names by spelling are renamed before a write; of two spellings of a key, the completed one stays', async () => {
    const { stateDir, entryPath } = temp;
    const store = await openFileStore({ stateDir });
    await store.deliveries.claim({ ...KEY(9), deliveryId: 'makes-the-directory' });
    const ledger = path.join(stateDir, 'deliveries');
    const at = (hours: number) => new Date(Date.now() + hours * 60 * 60 * 1000).toISOString();
    const leased = { key: `OCTO/app:${SHA(1)}`, deliveryId: 'leased', recordedAt: at(-3), leaseExpiresAt: at(1) };
    const completed = { key: `Octo/App:${SHA(1)}`, deliveryId: 'completed', recordedAt: at(-2), completedAt: at(-1) };
    const single = { key: `Octo/App:${SHA(2)}`, deliveryId: 'single', recordedAt: at(-1) };
    for (const record of [leased, completed, single]) {
      await fsp.writeFile(path.join(ledger, spelledEntryName(record.key)), serializeEntry(record));
    }
    // The bookkeeping an earlier version left: no name rule.
    const markerFile = path.join(ledger, '.ledger.json');
    const earlier = JSON.parse(await fsp.readFile(markerFile, 'utf8')) as Record<string, unknown>;
    delete earlier['entry_names'];
    await fsp.writeFile(markerFile, JSON.stringify(earlier));

    // A reader writes nothing, and finds the entry under its old name.
    const before = await snapshotTree(stateDir);
    expect(await store.deliveries.get(KEY(2))).toMatchObject({ key: single.key, deliveryId: 'single' });
    expect(await snapshotTree(stateDir)).toEqual(before);

    const again = await store.deliveries.claim({ ...KEY(1), deliveryId: 'new' });
    expect(again).toMatchObject({ claimed: false, record: { key: completed.key, deliveryId: 'completed' } });
    const names = (await fsp.readdir(ledger)).filter((name) => !name.startsWith('.')).sort();
    expect(names).toEqual([1, 2, 9].map((n) => path.basename(entryPath(n))).sort());
    const aside = (await fsp.readdir(stateDir)).filter((name) => name.startsWith('deliveries.duplicate-'));
    expect(aside).toHaveLength(1);
    const kept = await fsp.readdir(path.join(stateDir, aside[0] as string));
    expect(kept).toHaveLength(1);
    const keptAside = await fsp.readFile(path.join(stateDir, aside[0] as string, kept[0] as string), 'utf8');
    expect(JSON.parse(keptAside)).toMatchObject({ key: leased.key });
    expect(JSON.parse(await fsp.readFile(markerFile, 'utf8'))).toMatchObject({ entry_names: 'case-folded' });
    expect(await store.deliveries.get({ repo: 'octo/APP', headSha: SHA(2) })).toMatchObject({ key: single.key });
    await store.close();
  });
});
