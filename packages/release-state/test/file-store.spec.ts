// What only the file store has: its layout on disk, its cheap first claim, pruning by the time
// recorded in each entry, entries of the previous version, and a first open that must not write.
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { nodeFs, type FsSeam } from '../src/file/fs-seam';
import { entryName, serializeEntry, spelledEntryName } from '../src/file/ledger/entry';
import * as lock from '../src/file/lock';
import { openFileStore } from '../src/file/store';
import { failure } from './expect-state-error';
import { makeTempDir, removeTempDir, snapshotTree } from './helpers';

const SHA = (n: number) => n.toString(16).padStart(40, '0');
const KEY = (n: number) => ({ repo: 'octo/app', headSha: SHA(n) });
const DAY = 24 * 60 * 60 * 1000;

describe('the file store', () => {
  let dir: string;
  let stateDir: string;
  beforeEach(async () => {
    dir = await makeTempDir('file-store');
    stateDir = path.join(dir, 'state');
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await removeTempDir(dir);
  });
  const entryPath = (n: number, root = stateDir) => path.join(root, 'deliveries', entryName(`octo/app:${SHA(n)}`));

  it('a copy switched in carries its repositories, and a switch run again after a crash keeps them', async () => {
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

  it('tally with recent claims reads every entry once (state claims used to read the ledger twice), and says how far it got', async () => {
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

  it('the first claim on a fresh store takes no lock and replaces no file', async () => {
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

  it('prunes by the time recorded in each entry, not the file mtime a copy without -p resets', async () => {
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

  it('reads entries of the previous version (no lease fields) as attempt 1, final', async () => {
    const store = await openFileStore({ stateDir });
    await store.deliveries.claim({ ...KEY(9), deliveryId: 'make-the-dir' });
    await fsp.writeFile(
      entryPath(1),
      `${JSON.stringify({ format_version: 1, key: `octo/app:${SHA(1)}`, deliveryId: 'v1', recordedAt: '2026-01-01T00:00:00.000Z' })}\n`,
    );
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

  it('a claim that makes a prune pass due starts it in the background and returns without waiting for it', async () => {
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

  it('names by spelling are renamed before a write; of two spellings of a key, the completed one stays', async () => {
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

  it('a first open beside a damaged delivery_ids.json writes nothing; the reset repairs it and creates release.json', async () => {
    await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
    await fsp.writeFile(path.join(stateDir, 'delivery_ids.json'), '{"octo/app:1": ');
    const before = await snapshotTree(stateDir);
    const store = await openFileStore({ stateDir });
    expect(await snapshotTree(stateDir)).toEqual(before);
    const error = await failure(store.readState());
    expect(error.code).toBe('STATE_CORRUPT');
    expect(error.path).toBe(path.join(stateDir, 'delivery_ids.json'));
    expect(error.message).toContain('booty state reset deliveries');
    const report = await store.check();
    expect(report.problems.map((p) => [p.part, p.target, p.repair])).toEqual([
      ['release', path.join(stateDir, 'release.json'), 'booty state reset release'],
      ['deliveries', path.join(stateDir, 'delivery_ids.json'), 'booty state reset deliveries'],
    ]);
    expect(await snapshotTree(stateDir)).toEqual(before);
    const reset = await store.reset('deliveries');
    expect(await fsp.readFile(path.join(reset.keptAt[0] as string, 'delivery_ids.json'), 'utf8')).toBe(
      '{"octo/app:1": ',
    );
    expect((await store.readState()).production_sha_current).toBeNull();
    expect((await store.check()).healthy).toBe(true);
  });

  it('opened with create: false, it writes nothing (no skeleton) and refuses a directory that is not there or holds no store', async () => {
    await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
    // An empty directory is no store (a slip, not an empty one): refused, nothing written.
    const empty = await failure(openFileStore({ stateDir, source: '--state-dir', create: false }));
    expect({ code: empty.code, reason: empty.details.reason }).toEqual({
      code: 'STATE_INVALID_INPUT',
      reason: 'missing',
    });
    expect(empty.message).toContain(`There is no store in ${stateDir} (--state-dir)`);
    expect(await fsp.readdir(stateDir)).toEqual([]);
    // A store that has lost its release.json is one: opened, and check() reports the loss.
    await fsp.mkdir(path.join(stateDir, 'deliveries'), { mode: 0o700 });
    const before = await snapshotTree(stateDir);
    const store = await openFileStore({ stateDir, create: false });
    expect((await store.check()).problems.map((p) => [p.reason, p.repair])).toEqual([
      ['missing', 'booty state reset release'],
    ]);
    expect(await snapshotTree(stateDir)).toEqual(before);
    const missing = await failure(openFileStore({ stateDir: path.join(dir, 'nope'), create: false }));
    expect({ code: missing.code, reason: missing.details.reason }).toEqual({
      code: 'STATE_INVALID_INPUT',
      reason: 'missing',
    });
    await expect(fsp.lstat(path.join(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('release of a damaged entry refuses and keeps its bytes; the reset moves them aside', async () => {
    const store = await openFileStore({ stateDir });
    await store.deliveries.claim({ ...KEY(1), deliveryId: 'd-1' });
    await fsp.writeFile(entryPath(1), '{"key": ');
    const error = await failure(store.deliveries.release(KEY(1)));
    expect(error.code).toBe('STATE_CORRUPT');
    expect(error.message).toContain('booty state reset deliveries');
    expect(await fsp.readFile(entryPath(1), 'utf8')).toBe('{"key": ');
  });

  it('check names a damaged bookkeeping file and delivery_ids.json, tally refuses; reset keeps their bytes', async () => {
    const store = await openFileStore({ stateDir });
    await store.deliveries.claim({ ...KEY(1), deliveryId: 'one' });
    await fsp.writeFile(path.join(stateDir, 'deliveries', '.ledger.json'), '[]');
    await fsp.writeFile(path.join(stateDir, 'delivery_ids.json'), '"not a map"');
    const report = await store.check();
    expect(report.problems.map((p) => path.basename(p.target)).sort()).toEqual(['.ledger.json', 'delivery_ids.json']);
    expect(report.deliveries).toBe(1);
    // Claims stop until these read, so tally (governor status) fails naming the repair.
    const tally = await failure(store.deliveries.tally());
    expect(tally.code).toBe('STATE_CORRUPT');
    expect(tally.message).toContain('booty state reset deliveries');
    const reset = await store.reset('deliveries');
    expect(reset.repaired).toBe(2);
    expect(await fsp.readFile(path.join(reset.keptAt[0] as string, 'deliveries', '.ledger.json'), 'utf8')).toBe('[]');
    expect(await store.deliveries.tally()).toMatchObject({ entries: 1, damaged: 0 });
  });

  it('a kept directory descriptor follows a deliveries/ that was moved and recreated', async () => {
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

  it('prune removes a per-key lock long past stale, and leaves a fresh one', async () => {
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

  it('a process holding the per-key lock that dies leaves it stale: the next takeover breaks it', async () => {
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

  it.each([['before its switch began'], ['after repositories/ was switched in']])(
    "a copy stopped %s is finished by the next open: each repository's state is the copy's",
    async (when) => {
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
