import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StateError } from './errors';
import { nodeFs } from './fs-seam';
import { ensureStateDir, resolveStateDir } from './state-dir';

describe('resolveStateDir', () => {
  const cwd = '/work/repo';

  it('prefers the explicit option, then RELEASE_GOVERNOR_STATE_DIR, then $HOME/.booty/state, then ./.booty/state', () => {
    const env = { RELEASE_GOVERNOR_STATE_DIR: '/from/env', HOME: '/home/op' };
    expect(resolveStateDir({ stateDir: '/explicit', env, cwd })).toBe('/explicit');
    expect(resolveStateDir({ env, cwd })).toBe('/from/env');
    expect(resolveStateDir({ env: { HOME: '/home/op' }, cwd })).toBe('/home/op/.booty/state');
    expect(resolveStateDir({ env: {}, cwd })).toBe('/work/repo/.booty/state');
  });

  it('treats empty values as unset', () => {
    expect(resolveStateDir({ stateDir: '', env: { RELEASE_GOVERNOR_STATE_DIR: '', HOME: '' }, cwd })).toBe('/work/repo/.booty/state');
  });

  it('resolves relative paths against cwd and expands a leading ~/ to $HOME', () => {
    expect(resolveStateDir({ stateDir: 'state', env: {}, cwd })).toBe('/work/repo/state');
    expect(resolveStateDir({ env: { RELEASE_GOVERNOR_STATE_DIR: '~/booty', HOME: '/home/op' }, cwd })).toBe('/home/op/booty');
    expect(resolveStateDir({ env: { RELEASE_GOVERNOR_STATE_DIR: 'rel/dir' }, cwd })).toBe('/work/repo/rel/dir');
  });

  it('defaults to process.env and process.cwd()', () => {
    const expected = process.env['RELEASE_GOVERNOR_STATE_DIR'] || (process.env['HOME'] ? path.join(process.env['HOME'], '.booty', 'state') : path.resolve('.booty/state'));
    expect(resolveStateDir()).toBe(path.resolve(expected));
  });

  it('rejects a path with a NUL byte as STATE_INVALID_INPUT naming the source', () => {
    const error = (() => {
      try {
        resolveStateDir({ env: { RELEASE_GOVERNOR_STATE_DIR: 'a\0b' }, cwd });
      } catch (e) {
        return e as StateError;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(StateError);
    expect(error?.code).toBe('STATE_INVALID_INPUT');
    expect(error?.message).toContain('RELEASE_GOVERNOR_STATE_DIR');
  });
});

describe('ensureStateDir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'booty-rs-dir-'));
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('creates the directory and missing parents with mode 0700', async () => {
    const target = path.join(dir, 'a', 'b', 'state');
    await ensureStateDir(nodeFs, target);
    for (const p of [path.join(dir, 'a'), path.join(dir, 'a', 'b'), target]) {
      const stats = await fsp.stat(p);
      expect(stats.isDirectory()).toBe(true);
      expect(stats.mode & 0o777).toBe(0o700);
    }
  });

  it('accepts an existing private directory, and a symlink to one', async () => {
    const real = path.join(dir, 'real');
    await fsp.mkdir(real, { mode: 0o700 });
    await ensureStateDir(nodeFs, real);
    await fsp.symlink(real, path.join(dir, 'link'));
    await ensureStateDir(nodeFs, path.join(dir, 'link'));
  });

  it.each([
    [0o777, 'world-writable'],
    [0o770, 'group-writable'],
    [0o1777, 'world-writable'],
  ])('refuses a directory with mode %o (%s) with STATE_UNSAFE and the chmod fix', async (mode, reason) => {
    const target = path.join(dir, 'state');
    await fsp.mkdir(target);
    await fsp.chmod(target, mode);
    const error = await ensureStateDir(nodeFs, target).then(
      () => null,
      (e: unknown) => e as StateError,
    );
    expect(error?.code).toBe('STATE_UNSAFE');
    expect(error?.details.reason).toBe(reason);
    expect(error?.path).toBe(target);
    expect(error?.message).toContain(`chmod go-w ${target}`);
    expect(await fsp.readdir(target)).toEqual([]);
  });

  it('refuses a directory owned by another user with STATE_UNSAFE and the chown fix', async () => {
    const uid = process.getuid?.() ?? 0;
    let target: string;
    if (uid === 0) {
      // As root, hand a directory to nobody.
      target = path.join(dir, 'state');
      await fsp.mkdir(target, { mode: 0o700 });
      await fsp.chown(target, 65534, 65534);
    } else {
      // As anyone else, the file-system root belongs to another user (root).
      target = path.parse(dir).root;
    }
    const error = await ensureStateDir(nodeFs, target).then(
      () => null,
      (e: unknown) => e as StateError,
    );
    expect(error?.code).toBe('STATE_UNSAFE');
    expect(error?.details.reason).toBe('foreign-owner');
    expect(error?.message).toContain(`chown ${uid}`);
  });

  it('refuses a path that is a file with STATE_INVALID_INPUT', async () => {
    const target = path.join(dir, 'file');
    await fsp.writeFile(target, 'x');
    const error = await ensureStateDir(nodeFs, target).then(
      () => null,
      (e: unknown) => e as StateError,
    );
    expect(error?.code).toBe('STATE_INVALID_INPUT');
    expect(error?.details.reason).toBe('not-directory');
  });
});
