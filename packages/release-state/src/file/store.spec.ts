import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeFs, type FsSeam } from './fs-seam';
import { RELEASE_STATE_FIELDS, resolveStateDir } from '../index';
import { acquireLock } from './lock';
import { openFileStore } from './store';
import { failure } from '../../test/expect-state-error';

const SHA = (c: string) => c.repeat(40);

async function fingerprint(file: string): Promise<{ bytes: string; mtimeMs: number; ino: number }> {
  const stats = await fsp.stat(file);
  return { bytes: (await fsp.readFile(file)).toString('base64'), mtimeMs: stats.mtimeMs, ino: stats.ino };
}

describe('openReleaseStore and release.json', () => {
  let dir: string;
  let stateDir: string;
  let releasePath: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'booty-rs-store-'));
    stateDir = path.join(dir, 'home', '.booty', 'state');
    releasePath = path.join(stateDir, 'release.json');
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('creates the directory (0700, with parents) and a release.json (0600) whose fields are all null', async () => {
    await fsp.mkdir(path.join(dir, 'home'));
    const store = await openFileStore({ stateDir: resolveStateDir({ env: { HOME: path.join(dir, 'home') } }) });
    expect(store.stateDir).toBe(stateDir);
    expect(store.releasePath).toBe(releasePath);
    expect((await fsp.stat(stateDir)).mode & 0o777).toBe(0o700);
    expect((await fsp.stat(releasePath)).mode & 0o777).toBe(0o600);
    const state = await store.readState();
    for (const field of RELEASE_STATE_FIELDS) expect(state[field]).toBeNull();
    expect(state.format_version).toBe(1);
    expect((await fsp.readdir(stateDir)).sort()).toEqual(['release.json']);
  });

  it('opens an existing store without writing anything', async () => {
    await openFileStore({ stateDir });
    const before = await fingerprint(releasePath);
    await openFileStore({ stateDir });
    expect(await fingerprint(releasePath)).toEqual(before);
  });

  it('updates under the lock, durably, keeping fields it does not know', async () => {
    const store = await openFileStore({ stateDir });
    const next = await store.updateState((state) => ({
      ...state,
      production_sha_previous: state.production_sha_current,
      production_sha_current: SHA('a'),
      last_deploy_time: '2026-02-17T10:00:00.000Z',
      last_deploy_result: 'success',
      deploy_history: [{ sha: SHA('a'), time: '2026-02-17T10:00:00.000Z', result: 'success' }],
    }));
    expect(next.production_sha_current).toBe(SHA('a'));
    const again = await store.updateState((state) => ({ ...state, last_health_check: '2026-02-17T10:05:00.000Z' }));
    expect(again['deploy_history']).toEqual([{ sha: SHA('a'), time: '2026-02-17T10:00:00.000Z', result: 'success' }]);
    expect(await store.readState()).toEqual(again);
    expect((await fsp.readdir(stateDir)).sort()).toEqual(['release.json']);
  });

  it('gives the callback its own copy, and does not rewrite an unchanged file', async () => {
    const store = await openFileStore({ stateDir });
    const before = await fingerprint(releasePath);
    await store.updateState((state) => {
      const copy = { ...state };
      state.production_sha_current = 'garbage';
      return copy;
    });
    expect(await fingerprint(releasePath)).toEqual(before);
  });

  it('leaves the file unchanged and the lock free when the callback throws or returns bad data', async () => {
    const store = await openFileStore({ stateDir, lockWaitMs: 0 });
    const before = await fingerprint(releasePath);
    await expect(
      store.updateState(() => {
        throw new Error('callback failed');
      }),
    ).rejects.toThrow('callback failed');
    const error = await failure(store.updateState((state) => ({ ...state, last_deploy_result: 'maybe' as 'success' })));
    expect(error.code).toBe('STATE_INVALID_INPUT');
    expect(await fingerprint(releasePath)).toEqual(before);
    // lockWaitMs 0: this only works because the failed updates released the lock.
    await store.updateState((state) => ({ ...state, production_sha_current: SHA('b') }));
  });

  it("reads the Python implementation's release.json as it is, and keeps its fields when updating", async () => {
    await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
    const python = {
      production_sha_current: SHA('1'),
      production_sha_previous: null,
      last_deploy_attempt_sha: SHA('1'),
      last_deploy_time: '2026-02-16T12:00:00.123456+00:00',
      last_deploy_result: 'pending',
      last_health_check: null,
      deploy_history: [{ sha: SHA('1'), time: '2026-02-16T12:00:00+00:00', result: 'pending' }],
    };
    await fsp.writeFile(releasePath, JSON.stringify(python));
    const store = await openFileStore({ stateDir });
    expect(await store.readState()).toEqual(python);
    await store.updateState((state) => ({ ...state, last_deploy_result: 'success' }));
    const written = JSON.parse(await fsp.readFile(releasePath, 'utf8')) as Record<string, unknown>;
    expect(written).toEqual({ format_version: 1, ...python, last_deploy_result: 'success' });
  });

  it('lets readers in while a writer holds the lock (readers take no lock)', async () => {
    const store = await openFileStore({ stateDir });
    const lock = await acquireLock(
      `${releasePath}.lock`,
      { staleMs: 10_000, waitMs: 0, pollMs: 5 },
      { path: releasePath, label: 'release.json' },
    );
    expect((await store.readState()).production_sha_current).toBeNull();
    const error = await failure(openFileStore({ stateDir, lockWaitMs: 30 }).then((s) => s.updateState((x) => x)));
    expect(error.code).toBe('STATE_LOCK_TIMEOUT');
    await lock.release();
  });

  describe.each([
    ['corrupt', '{"production_sha_current": "abc"'],
    ['zero-length', ''],
  ])('a %s release.json', (_kind, content) => {
    it('is STATE_CORRUPT for readState and updateState, never read as empty, and is never touched', async () => {
      await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
      await fsp.writeFile(releasePath, content);
      const before = await fingerprint(releasePath);
      const store = await openFileStore({ stateDir });
      for (const attempt of [
        store.readState(),
        store.updateState((state) => ({ ...state, production_sha_current: SHA('c') })),
      ]) {
        const error = await failure(attempt);
        expect(error.code).toBe('STATE_CORRUPT');
        expect(error.path).toBe(releasePath);
        expect(error.message).toContain(releasePath);
        expect(error.message).toContain('It was not changed');
      }
      expect(await fingerprint(releasePath)).toEqual(before);
      expect((await fsp.readdir(stateDir)).sort()).toEqual(['release.json']);
    });

    it('is replaced by reset("release") only, which keeps the old bytes beside it', async () => {
      await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
      await fsp.writeFile(releasePath, content);
      const store = await openFileStore({ stateDir });
      const {
        keptAt: [backupPath = ''],
      } = await store.reset('release');
      expect(path.dirname(backupPath)).toBe(stateDir);
      expect(path.basename(backupPath)).toMatch(/^release\.json\.corrupt-\d{8}T\d{6}Z-\d+$/);
      expect(await fsp.readFile(backupPath, 'utf8')).toBe(content);
      expect((await store.readState()).production_sha_current).toBeNull();
    });
  });

  it('reset("release") refuses a file that parses, and reset() refuses an unknown target', async () => {
    const store = await openFileStore({ stateDir });
    const before = await fingerprint(releasePath);
    expect((await failure(store.reset('release'))).details.reason).toBe('nothing-to-reset');
    expect((await failure(store.reset('other' as 'release'))).code).toBe('STATE_INVALID_INPUT');
    expect(await fingerprint(releasePath)).toEqual(before);
  });

  it('refuses a symlinked release.json at open and later, and never touches its target', async () => {
    await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
    const target = path.join(dir, 'target.json');
    await fsp.writeFile(target, '{}');
    await fsp.symlink(target, releasePath);
    const before = await fingerprint(target);
    const atOpen = await failure(openFileStore({ stateDir }));
    expect(atOpen.code).toBe('STATE_UNSAFE');
    expect(atOpen.message).toContain(`rm ${releasePath}`);

    await fsp.unlink(releasePath);
    const store = await openFileStore({ stateDir });
    await fsp.unlink(releasePath);
    await fsp.symlink(target, releasePath);
    expect((await failure(store.readState())).code).toBe('STATE_UNSAFE');
    expect((await failure(store.updateState((s) => ({ ...s, production_sha_current: SHA('d') })))).code).toBe(
      'STATE_UNSAFE',
    );
    expect(await fingerprint(target)).toEqual(before);
    expect((await fsp.lstat(releasePath)).isSymbolicLink()).toBe(true);
  });

  it('refuses a world-writable state directory without creating anything in it', async () => {
    await fsp.mkdir(stateDir, { recursive: true });
    await fsp.chmod(stateDir, 0o777);
    const error = await failure(openFileStore({ stateDir }));
    expect(error.code).toBe('STATE_UNSAFE');
    expect(await fsp.readdir(stateDir)).toEqual([]);
  });

  it('says when release.json disappeared after opening, instead of inventing an empty state', async () => {
    const store = await openFileStore({ stateDir });
    await fsp.unlink(releasePath);
    const error = await failure(store.readState());
    expect(error.code).toBe('STATE_READ');
    expect(error.details.reason).toBe('missing');
  });

  it('removes temp files of writers that died, once older than the stale threshold', async () => {
    await openFileStore({ stateDir });
    const leftover = path.join(stateDir, '.release.json.4242.0.7.0badc0de.tmp');
    await fsp.writeFile(leftover, '{"half":');
    await openFileStore({ stateDir, lockStaleMs: 60_000 });
    expect(await fsp.readdir(stateDir)).toContain('.release.json.4242.0.7.0badc0de.tmp');
    await new Promise((resolve) => setTimeout(resolve, 150));
    await openFileStore({ stateDir, lockStaleMs: 100 });
    expect(await fsp.readdir(stateDir)).not.toContain('.release.json.4242.0.7.0badc0de.tmp');
  });

  it('keeps the old file and leaves no temp file when the disk fills during updateState (fs seam)', async () => {
    let full = false;
    const seam: FsSeam = {
      ...nodeFs,
      async writeAll(handle, data) {
        if (!full) return nodeFs.writeAll(handle, data);
        await nodeFs.writeAll(handle, data.subarray(0, 10));
        throw Object.assign(new Error('ENOSPC: simulated'), { code: 'ENOSPC', syscall: 'write' });
      },
    };
    const store = await openFileStore({ stateDir }, { fs: seam });
    await store.updateState((state) => ({ ...state, production_sha_current: SHA('e') }));
    const before = await fingerprint(releasePath);
    full = true;
    const error = await failure(store.updateState((state) => ({ ...state, production_sha_current: SHA('f') })));
    expect(error.code).toBe('STATE_WRITE');
    expect(error.details.errno).toBe('ENOSPC');
    expect(error.message).toContain('release.json was not changed and no temporary file was left behind');
    expect(error.message).toContain('Free space');
    expect(await fingerprint(releasePath)).toEqual(before);
    expect((await fsp.readdir(stateDir)).sort()).toEqual(['release.json']);
    full = false;
    expect(
      (await store.updateState((state) => ({ ...state, production_sha_current: SHA('f') }))).production_sha_current,
    ).toBe(SHA('f'));
  });

  it.each([
    [{ lockStaleMs: 50 }, 'lockStaleMs'],
    [{ lockStaleMs: 1.5 }, 'lockStaleMs'],
    [{ lockWaitMs: -1 }, 'lockWaitMs'],
    [{ retentionDays: 0 }, 'retentionDays'],
    [{ retentionDays: Number.NaN }, 'retentionDays'],
    [{ retentionDays: 3.5 }, 'retentionDays'],
    [{ redeliveryWindowDays: 2.9 }, 'redeliveryWindowDays'],
    [{ redeliveryWindowDays: 10, retentionDays: 9 }, 'retentionDays'],
    [{ maxDeliveries: 0 }, 'maxDeliveries'],
    [{ now: 'today' }, 'now'],
  ])('refuses option %j as STATE_INVALID_INPUT naming %s, creating nothing', async (option, field) => {
    const error = await failure(openFileStore({ stateDir, ...(option as object) }));
    expect(error.code).toBe('STATE_INVALID_INPUT');
    expect(error.details.field).toBe(field);
    expect(error.message).toContain(field);
    await expect(fsp.stat(stateDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('says why a redelivery window under 3 days or a retention under the window is refused', async () => {
    const short = await failure(openFileStore({ stateDir, redeliveryWindowDays: 1 }));
    expect(short.message).toContain('at least 3 (GitHub redelivers a delivery for 3 days)');
    const retention = await failure(openFileStore({ stateDir, retentionDays: 3 }));
    expect(retention.message).toContain('at least the redelivery window, 4 (younger entries are never pruned)');
    const shortest = await openFileStore({ stateDir, redeliveryWindowDays: 3, retentionDays: 3 });
    expect(shortest).toMatchObject({ kind: 'file' });
  });

  it('refuses a missing or empty stateDir', async () => {
    expect((await failure(openFileStore({ stateDir: '' }))).details.field).toBe('stateDir');
    expect((await failure(openFileStore(undefined as unknown as { stateDir: string }))).details.field).toBe('options');
  });

  it('StateError serialises to its code, path, message and details', async () => {
    const error = await failure(openFileStore({ stateDir, maxDeliveries: -1 }));
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'StateError',
      code: 'STATE_INVALID_INPUT',
      path: stateDir,
      message: error.message,
      details: { reason: 'bad-option', field: 'maxDeliveries' },
    });
  });
});
