// The file store's first open and its damaged files: an open beside damage writes nothing, and
// opened with create: false nothing at all; a damaged entry or bookkeeping file is refused naming
// the repair (`booty state reset deliveries`), and the reset keeps the damaged bytes aside.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { openFileStore } from '../../src/file/store';
import { failure } from '../expect-state-error';
import { snapshotTree } from '../helpers';
import { KEY, useTempStateDir } from './fixture';

describe('the file store', () => {
  const temp = useTempStateDir();

  it('a first open beside a damaged delivery_ids.json writes nothing; the reset repairs it and creates release.json', async () => {
    const { stateDir } = temp;
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
    const { dir, stateDir } = temp;
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
    const { stateDir, entryPath } = temp;
    const store = await openFileStore({ stateDir });
    await store.deliveries.claim({ ...KEY(1), deliveryId: 'd-1' });
    await fsp.writeFile(entryPath(1), '{"key": ');
    const error = await failure(store.deliveries.release(KEY(1)));
    expect(error.code).toBe('STATE_CORRUPT');
    expect(error.message).toContain('booty state reset deliveries');
    expect(await fsp.readFile(entryPath(1), 'utf8')).toBe('{"key": ');
  });

  it('check names a damaged bookkeeping file and delivery_ids.json, tally refuses; reset keeps their bytes', async () => {
    const { stateDir } = temp;
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
});
