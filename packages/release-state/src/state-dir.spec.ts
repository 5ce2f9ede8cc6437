import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixForErrno, permissionFix } from './file/advice';
import { nodeFs, type FsSeam } from './file/fs-seam';
import { assertDirectoryOrAbsent, assertRegularOrAbsent, ensureStateDir } from './file/safety';
import { StateError } from './shared/errors';
import { failure } from '../test/expect-state-error';
import { resolveStateDir, resolveStateDirWith } from './state-dir';

describe('resolveStateDir', () => {
  let tmp: string;
  let home: string;
  const cwd = '/work/repo';
  beforeAll(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'booty-rs-home-'));
    home = path.join(tmp, 'home');
    await fsp.mkdir(home);
  });
  afterAll(async () => {
    await fsp.rm(tmp, { recursive: true, force: true });
  });
  const noPasswd = () => undefined;
  const resolveErr = (options: Parameters<typeof resolveStateDir>[0], passwd: () => string | undefined = noPasswd) => {
    try {
      resolveStateDirWith(options ?? {}, passwd);
    } catch (error) {
      expect(error).toBeInstanceOf(StateError);
      return error as StateError;
    }
    throw new Error('expected a StateError');
  };

  it('prefers the explicit option, then RELEASE_GOVERNOR_STATE_DIR, then $HOME/.booty/state', () => {
    const env = { RELEASE_GOVERNOR_STATE_DIR: '/from/env', HOME: home };
    expect(resolveStateDir({ stateDir: '/explicit', env, cwd })).toBe('/explicit');
    expect(resolveStateDir({ env, cwd })).toBe('/from/env');
    expect(resolveStateDir({ env: { HOME: home }, cwd })).toBe(path.join(home, '.booty', 'state'));
  });

  it('one rule for the option and the variable: ~ and ~/x expand to the home in both', () => {
    const env = { HOME: home };
    for (const value of ['~', '~/st', '~/a/../st/']) {
      expect(resolveStateDir({ stateDir: value, env, cwd })).toBe(
        resolveStateDir({ env: { ...env, RELEASE_GOVERNOR_STATE_DIR: value }, cwd }),
      );
    }
    expect(resolveStateDir({ stateDir: '~/st', env, cwd })).toBe(path.join(home, 'st'));
    expect(resolveStateDir({ stateDir: '~', env, cwd })).toBe(home);
  });

  it('resolves a relative option against cwd (a path typed on a command line), and refuses a relative variable', () => {
    expect(resolveStateDir({ stateDir: 'state', env: { HOME: home }, cwd })).toBe('/work/repo/state');
    const error = resolveErr({ env: { RELEASE_GOVERNOR_STATE_DIR: 'rel/dir', HOME: home }, cwd });
    expect(error).toMatchObject({
      code: 'STATE_INVALID_INPUT',
      details: { reason: 'relative-path', field: 'RELEASE_GOVERNOR_STATE_DIR' },
    });
    expect(error.message).toContain('"rel/dir"');
    expect(error.message).toContain('RELEASE_GOVERNOR_STATE_DIR="$PWD/rel/dir"');
  });

  it('refuses ~user (booty does not expand it) and an empty option, naming the source', () => {
    expect(resolveErr({ stateDir: '~bob/st', env: { HOME: home }, cwd })).toMatchObject({
      code: 'STATE_INVALID_INPUT',
      details: { reason: 'bad-path', field: 'stateDir' },
    });
    expect(resolveErr({ env: { RELEASE_GOVERNOR_STATE_DIR: '~bob', HOME: home }, cwd }).message).toContain(
      'RELEASE_GOVERNOR_STATE_DIR "~bob" starts with ~user',
    );
    expect(resolveErr({ stateDir: '', env: { HOME: home }, cwd })).toMatchObject({
      code: 'STATE_INVALID_INPUT',
      details: { reason: 'empty' },
    });
  });

  it('treats an empty variable as unset', () => {
    expect(resolveStateDir({ env: { RELEASE_GOVERNOR_STATE_DIR: '', HOME: home }, cwd })).toBe(
      path.join(home, '.booty', 'state'),
    );
  });

  it.each([
    ['unset', {}],
    ['empty', { HOME: '' }],
    ['relative', { HOME: 'home/op' }],
  ])('HOME %s: uses the home in the password database when it is an absolute, existing directory', (_name, env) => {
    expect(resolveStateDirWith({ env, cwd }, () => home)).toBe(path.join(home, '.booty', 'state'));
    expect(resolveStateDirWith({ stateDir: '~/st', env, cwd }, () => home)).toBe(path.join(home, 'st'));
  });

  it.each([
    ['unset', {}, 'HOME is not set'],
    ['empty', { HOME: '' }, 'HOME is empty'],
    ['relative', { HOME: 'home/op' }, 'HOME is "home/op", not an absolute path'],
  ])(
    'HOME %s and no usable password-database home: STATE_INVALID_INPUT no-home, never the current directory',
    (_name, env, says) => {
      for (const passwd of [noPasswd, () => '', () => 'relative/home']) {
        const error = resolveErr({ env, cwd }, passwd);
        expect(error).toMatchObject({ code: 'STATE_INVALID_INPUT', details: { reason: 'no-home', field: 'HOME' } });
        expect(error.message).toContain(says);
        expect(error.message).toContain('RELEASE_GOVERNOR_STATE_DIR=/absolute/path');
        expect(error.message).toContain('--state-dir');
        expect(error.message).not.toContain(cwd);
      }
      // `~` needs the home too; an absolute option or variable does not.
      expect(resolveErr({ stateDir: '~/st', env, cwd }).details.reason).toBe('no-home');
      expect(resolveStateDirWith({ stateDir: '/abs', env, cwd }, noPasswd)).toBe('/abs');
      expect(resolveStateDirWith({ env: { ...env, RELEASE_GOVERNOR_STATE_DIR: '/abs' }, cwd }, noPasswd)).toBe('/abs');
    },
  );

  it('refuses a home that does not exist (never creates it), from HOME or the password database', async () => {
    const missing = path.join(tmp, 'gone');
    const viaHome = resolveErr({ env: { HOME: missing }, cwd });
    expect(viaHome).toMatchObject({
      code: 'STATE_INVALID_INPUT',
      path: missing,
      details: { reason: 'home-missing', field: 'HOME' },
    });
    expect(viaHome.message).toContain(`The home directory ${missing} (from HOME) does not exist`);
    const viaPasswd = resolveErr({ env: {}, cwd }, () => missing);
    expect(viaPasswd.message).toContain('from the password database');
    expect(resolveErr({ stateDir: '~/st', env: { HOME: missing }, cwd }).details.reason).toBe('home-missing');
    const file = path.join(tmp, 'file');
    await fsp.writeFile(file, '');
    expect(resolveErr({ env: { HOME: file }, cwd }).details.reason).toBe('home-missing');
    await expect(fsp.stat(missing)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('defaults to process.env and process.cwd()', () => {
    const fromEnv = process.env['RELEASE_GOVERNOR_STATE_DIR'];
    const expected = fromEnv
      ? path.resolve(fromEnv)
      : path.join(process.env['HOME'] || os.userInfo().homedir, '.booty', 'state');
    expect(resolveStateDir()).toBe(expected);
  });

  it('rejects a path with a NUL byte as STATE_INVALID_INPUT naming the source', () => {
    const error = resolveErr({ env: { RELEASE_GOVERNOR_STATE_DIR: 'a\0b' }, cwd });
    expect(error.code).toBe('STATE_INVALID_INPUT');
    expect(error.message).toContain('RELEASE_GOVERNOR_STATE_DIR');
    expect(error.message).toContain('"a\\u0000b"');
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
  ])('refuses a directory of ours with mode %o (%s) with STATE_UNSAFE and the chmod fix', async (mode, reason) => {
    const target = path.join(dir, 'state');
    await fsp.mkdir(target);
    await fsp.chmod(target, mode);
    const error = await failure(ensureStateDir(nodeFs, target));
    expect(error.code).toBe('STATE_UNSAFE');
    expect(error.details.reason).toBe(reason);
    expect(error.path).toBe(target);
    expect(error.message).toContain(`chmod go-w ${target}`);
    expect(await fsp.readdir(target)).toEqual([]);
  });

  it('never advises changing a shared (sticky) directory such as /tmp: a private directory inside it instead', async () => {
    const target = path.join(dir, 'shared');
    await fsp.mkdir(target);
    await fsp.chmod(target, 0o1777);
    const error = await failure(ensureStateDir(nodeFs, target));
    expect(error).toMatchObject({ code: 'STATE_UNSAFE', details: { reason: 'world-writable' } });
    // booty-<user name>, or booty-<uid> for an account without a password-database entry.
    expect(error.message).toMatch(
      new RegExp(`mkdir -m 700 ${target}/booty-([\\w.-]+), then pass --state-dir ${target}/booty-\\1 `),
    );
    expect(error.message).not.toMatch(/chmod|chown/);
    expect(await fsp.readdir(target)).toEqual([]);
  });

  it('refuses a directory owned by another user with STATE_UNSAFE and the chown fix (never chown for a shared one)', async () => {
    const uid = process.getuid?.() ?? 0;
    let target: string;
    let sticky: string;
    if (uid === 0) {
      // As root, hand directories to nobody.
      target = path.join(dir, 'state');
      await fsp.mkdir(target, { mode: 0o700 });
      await fsp.chown(target, 65534, 65534);
      sticky = path.join(dir, 'tmp');
      await fsp.mkdir(sticky);
      await fsp.chmod(sticky, 0o1777);
      await fsp.chown(sticky, 65534, 65534);
    } else {
      // As anyone else, the file-system root and /tmp belong to another user (root).
      target = path.parse(dir).root;
      sticky = os.tmpdir();
    }
    const error = await failure(ensureStateDir(nodeFs, target));
    expect(error.code).toBe('STATE_UNSAFE');
    expect(error.details.reason).toBe('foreign-owner');
    expect(error.message).toContain(`chown -R ${uid} ${target}`);
    const shared = await failure(ensureStateDir(nodeFs, sticky));
    expect(shared.details.reason).toBe('foreign-owner');
    expect(shared.message).toContain(`mkdir -m 700 ${path.join(sticky, 'booty-')}`);
    expect(shared.message).not.toMatch(/chmod|chown/);
  });

  it('names the deepest existing directory, with directory advice, when the state directory cannot be created', async () => {
    const target = path.join(dir, 'a', 'b', 'state');
    const seam: FsSeam = {
      ...nodeFs,
      mkdirp: async () => {
        throw Object.assign(new Error('EACCES: simulated'), { code: 'EACCES', syscall: 'mkdir' });
      },
    };
    const error = await failure(ensureStateDir(seam, target));
    expect(error).toMatchObject({ code: 'STATE_WRITE', path: target, details: { reason: 'mkdir', errno: 'EACCES' } });
    const fix = error.message.slice(error.message.indexOf('Fix:'));
    expect(fix).toContain(`make the directory ${dir} writable`);
    expect(fix).not.toContain(path.join(dir, 'a'));
    expect(error.message).not.toContain('EACCES: simulated');
  });

  it(
    'inside the state directory: deliveries as a file, delivery_ids.json as a directory ' +
      'are STATE_UNSAFE with "move it aside"',
    async () => {
      const deliveries = path.join(dir, 'deliveries');
      await fsp.writeFile(deliveries, 'x');
      const asFile = await failure(assertDirectoryOrAbsent(nodeFs, deliveries));
      expect(asFile).toMatchObject({ code: 'STATE_UNSAFE', path: deliveries, details: { reason: 'not-directory' } });
      expect(asFile.message).toContain(`mv ${deliveries} ${deliveries}.aside`);
      expect(asFile.message).not.toContain('--state-dir');
      const ids = path.join(dir, 'delivery_ids.json');
      await fsp.mkdir(ids);
      const asDir = await failure(assertRegularOrAbsent(nodeFs, ids));
      expect(asDir).toMatchObject({ code: 'STATE_UNSAFE', path: ids, details: { reason: 'not-regular-file' } });
      expect(asDir.message).toContain(`${ids} is a directory`);
      expect(asDir.message).toContain(`mv ${ids} ${ids}.aside`);
    },
  );

  it(
    'permission advice fits the target: file advice for a file, directory advice for a directory, ' +
      'never chmod of a directory not ours',
    async () => {
      const uid = process.getuid?.() ?? 0;
      const file = path.join(dir, 'release.json');
      const eacces = Object.assign(new Error('EACCES'), { code: 'EACCES' });
      expect(fixForErrno(eacces, dir, file)).toBe(
        `Make the file ${file} readable by uid ${uid}: chmod u+r ${file} (or chown ${uid} ${file} if another user owns it).`,
      );
      expect(permissionFix(file, 'file', 'read')).toContain(`chmod u+r ${file}`);
      expect(permissionFix(dir, 'dir', 'search')).toContain(
        `make the directory ${dir} enterable by uid ${uid}: chmod u+x ${dir}`,
      );
      expect(permissionFix(dir, 'dir', 'write')).toContain(`chmod u+rwx ${dir}`);
      const theirs = path.join(dir, 'theirs');
      await fsp.mkdir(theirs);
      await fsp.chown(theirs, uid === 0 ? 65534 : 0, uid === 0 ? 65534 : 0).catch(() => undefined);
      if ((await fsp.stat(theirs)).uid !== uid) {
        const advice = permissionFix(theirs, 'dir', 'write');
        expect(advice).toContain(`${theirs} belongs to uid`);
        expect(advice).toContain(`sudo install -d -m 700 -o ${uid} ${theirs}/booty-`);
        expect(advice).not.toMatch(/chmod|chown/);
      }
    },
  );

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
