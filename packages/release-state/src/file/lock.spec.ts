import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireLock, withLock, type LockSettings } from './lock';
import { failure } from '../../test/expect-state-error';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sidecar locks', () => {
  let dir: string;
  let file: string;
  let lockPath: string;
  const target = () => ({ path: file, label: 'release.json' });
  const settings = (overrides: Partial<LockSettings> = {}): LockSettings => ({
    staleMs: 10_000,
    waitMs: 2000,
    pollMs: 5,
    ...overrides,
  });

  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'booty-rs-lock-'));
    file = path.join(dir, 'release.json');
    lockPath = `${file}.lock`;
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('creates <file>.lock naming its holder, and removes it on release', async () => {
    const lock = await acquireLock(lockPath, settings(), target());
    const holder = JSON.parse(await fsp.readFile(lockPath, 'utf8')) as { pid: number };
    expect(holder.pid).toBe(process.pid);
    await lock.release();
    await expect(fsp.stat(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
    await lock.release();
  });

  it('times out with STATE_LOCK_TIMEOUT naming the lock file, its age, its holder and the data file', async () => {
    const held = await acquireLock(lockPath, settings(), target());
    const error = await failure(acquireLock(lockPath, settings({ waitMs: 60 }), target()));
    await held.release();
    expect(error.code).toBe('STATE_LOCK_TIMEOUT');
    expect(error.path).toBe(file);
    expect(error.lockPath).toBe(lockPath);
    expect(typeof error.ageMs).toBe('number');
    expect(error.details).toMatchObject({ lockPath, staleMs: 10_000, holderPid: process.pid });
    expect(error.message).toContain(lockPath);
    expect(error.message).toContain('release.json was not changed');
  });

  it('waits for a held lock, and gets it only after the holder released it', async () => {
    const held = await acquireLock(lockPath, settings(), target());
    const holderInode = (await fsp.stat(lockPath)).ino;
    const events: string[] = [];
    const waiting = acquireLock(lockPath, settings({ waitMs: 5000 }), target()).then((lock) => {
      events.push('acquired');
      return lock;
    });
    // Time for dozens of polls (pollMs 5): a waiter that did not wait would have its lock by now.
    await sleep(150);
    expect(events).toEqual([]);
    // ...and it left the live holder's lock file alone (not broken, not replaced).
    expect((await fsp.stat(lockPath)).ino).toBe(holderInode);
    await held.assertHeld();
    events.push('released');
    await held.release();
    const lock = await waiting;
    expect(events).toEqual(['released', 'acquired']);
    expect(lock.waitedMs).toBeGreaterThanOrEqual(150);
    await lock.assertHeld();
    await lock.release();
  });

  it('breaks a lock left by a dead holder once it is older than the stale threshold', async () => {
    // A crashed holder leaves its lock file behind and never refreshes it.
    await fsp.writeFile(lockPath, JSON.stringify({ pid: 999_999 }));
    const lock = await acquireLock(lockPath, settings({ staleMs: 200, waitMs: 5000 }), target());
    await lock.assertHeld();
    await lock.release();
    await expect(fsp.stat(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps a held lock fresh with a heartbeat, so a live holder is never broken', async () => {
    const held = await acquireLock(lockPath, settings({ staleMs: 1000 }), target());
    // The contender waits 2.5 stale periods: without the heartbeat it would break the lock.
    const error = await failure(acquireLock(lockPath, settings({ staleMs: 1000, waitMs: 2500 }), target()));
    expect(error.code).toBe('STATE_LOCK_TIMEOUT');
    await held.assertHeld();
    await held.release();
  });

  it('never unlinks a lock it no longer holds', async () => {
    const lock = await acquireLock(lockPath, settings({ waitMs: 100 }), target());
    // Someone else took the lock over (as if ours had gone stale).
    await fsp.unlink(lockPath);
    await fsp.writeFile(lockPath, JSON.stringify({ pid: 1 }));
    const theirs = (await fsp.stat(lockPath)).ino;
    const error = await failure(lock.assertHeld());
    expect(error.code).toBe('STATE_WRITE');
    expect(error.details.reason).toBe('lock-lost');
    await lock.release();
    expect((await fsp.stat(lockPath)).ino).toBe(theirs);
  });

  it('fails with STATE_WRITE naming the lock file when it cannot be created', async () => {
    const missing = path.join(dir, 'gone', 'release.json.lock');
    const error = await failure(
      acquireLock(missing, settings(), { path: path.join(dir, 'gone', 'release.json'), label: 'release.json' }),
    );
    expect(error.code).toBe('STATE_WRITE');
    expect(error.details).toMatchObject({ reason: 'lock-create', lockPath: missing, errno: 'ENOENT' });
  });

  it('withLock releases the lock however the critical section ends', async () => {
    await expect(
      withLock(lockPath, settings(), target(), async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    await expect(fsp.stat(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await withLock(lockPath, settings(), target(), async () => 42)).toBe(42);
  });
});
