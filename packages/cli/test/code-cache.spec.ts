// The V8 code cache that dist/booty.js keeps in <TMPDIR>/booty-code-cache-<uid>: written by the
// first run of a command (rewritten once by its first successful run if that one stopped early),
// used by the next, and never the reason a command fails or changes what it prints (a damaged
// cache, an unusable or foreign directory, a symlink, the off switch).
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { booty, cleanEnv, expectNoStackTrace, tempDir, workspace, type RunResult } from './booty';

const uid = process.getuid?.() ?? -1;
const cacheDirIn = (tmp: string) => path.join(tmp, `booty-code-cache-${uid}`);
const CONFIG = ['schema_version: 1', 'test_command: npm test', 'release_governor:', '  enabled: true', ''].join('\n');

/** `booty governor status --json` with TMPDIR set to `tmp`, in one workspace and state dir. */
function statusIn(tmp: string, extra: NodeJS.ProcessEnv = {}) {
  const ws = workspace({ '.booty.yml': CONFIG });
  const stateDir = path.join(tempDir('booty-state-'), 'state');
  return () =>
    booty(['governor', 'status', '--workspace', ws, '--state-dir', stateDir, '--json'], {
      env: cleanEnv({ TMPDIR: tmp, ...extra }),
    });
}

/** A fresh TMPDIR and the first `governor status` run in it: its result, the cache directory, the way to run again. */
async function firstRun() {
  const tmp = tempDir('booty-tmp-');
  const status = statusIn(tmp);
  const first = await status();
  return { status, first, dir: cacheDirIn(tmp) };
}

/** The one cache file in `dir`: its name and path. */
function cacheFile(dir: string) {
  const name = readdirSync(dir)[0] ?? '(none)';
  return { name, file: path.join(dir, name) };
}

function expectClean(result: RunResult): void {
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  expectNoStackTrace(result);
  expect(JSON.parse(result.stdout)).toMatchObject({ enabled: true });
}

describe('the code cache', () => {
  it('the first run writes one cache for its command (0600 in a 0700 directory); the next run uses it and prints the same', async () => {
    const { status, first, dir } = await firstRun();
    expectClean(first);
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toEqual([
      expect.stringMatching(
        new RegExp(`^[0-9a-f]{16}-${process.version.replace(/\./g, '\\.')}-${process.arch}-governor-status\\.v8cache$`),
      ),
    ]);
    const file = path.join(dir, files[0] as string);
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(100_000);
    const second = await status();
    expect(second).toEqual(first);
    // Accepted, so left alone: the same bytes, no temp files beside it.
    expect(readdirSync(dir)).toEqual(files);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('each command gets its own cache', async () => {
    const tmp = tempDir('booty-tmp-');
    const ws = workspace({ '.booty.yml': CONFIG });
    const env = cleanEnv({ TMPDIR: tmp });
    expect((await booty(['config', 'validate', '--workspace', ws], { env })).status).toBe(0);
    expect((await booty(['--version'], { env })).status).toBe(0);
    expect(
      readdirSync(cacheDirIn(tmp))
        .map((name) => name.replace(/^.*-x64-|^.*-arm64-/, ''))
        .sort(),
    ).toEqual(['config-validate.v8cache', 'none.v8cache']);
  });

  it('a run that stops early keeps a partial cache, which the first successful run replaces with the full one', async () => {
    const tmp = tempDir('booty-tmp-');
    const dir = cacheDirIn(tmp);
    const broken = workspace({ '.booty.yml': 'schema_version: 99\n' });
    const stateDir = path.join(tempDir('booty-state-'), 'state');
    const failing = () =>
      booty(['governor', 'status', '--workspace', broken, '--state-dir', stateDir, '--json'], {
        env: cleanEnv({ TMPDIR: tmp }),
      });
    expect((await failing()).status).toBe(2);
    const partial = cacheFile(dir);
    expect(partial.name).toMatch(/-governor-status\.partial\.v8cache$/);
    const partialBytes = readFileSync(partial.file);
    // Used while no run has succeeded, and not rewritten by another early stop.
    expect((await failing()).status).toBe(2);
    expect(readFileSync(partial.file).equals(partialBytes)).toBe(true);

    const status = statusIn(tmp);
    const succeeded = await status();
    expectClean(succeeded);
    const full = cacheFile(dir);
    expect(readdirSync(dir)).toEqual([partial.name.replace('.partial', '')]);
    const fullBytes = readFileSync(full.file);
    expect(fullBytes.length).toBeGreaterThan(partialBytes.length);
    // The full cache is final: the next runs, failing or not, leave it as it is.
    expect(await status()).toEqual(succeeded);
    expect((await failing()).status).toBe(2);
    expect(readdirSync(dir)).toEqual([full.name]);
    expect(readFileSync(full.file).equals(fullBytes)).toBe(true);
  });

  it('a damaged cache is rejected by V8 and replaced; the output does not change', async () => {
    const { status, first, dir } = await firstRun();
    const { name, file } = cacheFile(dir);
    writeFileSync(file, Buffer.alloc(4096, 0x5a));
    const damaged = await status();
    expect(damaged).toEqual(first);
    expect(readFileSync(file).length).toBeGreaterThan(100_000);
    expect(readdirSync(dir)).toEqual([name]);
  });

  it('a FIFO, a link to /dev/zero or a huge file in place of the cache is never read (no hang); it is replaced', async () => {
    const { status, first, dir } = await firstRun();
    const { file } = cacheFile(dir);
    const plant: Record<string, () => void> = {
      fifo: () => expect(spawnSync('mkfifo', ['-m', '600', file]).status).toBe(0),
      'link to /dev/zero': () => symlinkSync('/dev/zero', file),
      'a 70 MB file': () => writeFileSync(file, Buffer.alloc(70 * 1024 * 1024, 1)),
    };
    for (const [what, make] of Object.entries(plant)) {
      rmSync(file);
      make();
      const run = await status();
      expect({ what, run }).toEqual({ what, run: first });
      expect({ what, regular: lstatSync(file).isFile(), size: lstatSync(file).size < 10 * 1024 * 1024 }).toEqual({
        what,
        regular: true,
        size: true,
      });
    }
  });

  it('a TMPDIR where no directory can be made: the command works, without a cache', async () => {
    const parent = tempDir('booty-tmp-');
    const notADir = path.join(parent, 'file');
    writeFileSync(notADir, 'not a directory\n');
    const status = statusIn(notADir);
    const run = await status();
    expectClean(run);
    expect(await status()).toEqual(run);
    expect(readdirSync(parent)).toEqual(['file']);
  });

  it('a cache directory that others can write is not used, and nothing is written into it', async () => {
    const tmp = tempDir('booty-tmp-');
    const dir = cacheDirIn(tmp);
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const planted = path.join(dir, 'planted.v8cache');
    writeFileSync(planted, 'x');
    expectClean(await statusIn(tmp)());
    expect(readdirSync(dir)).toEqual(['planted.v8cache']);
  });

  it('a symlink in place of the cache directory is not followed', async () => {
    const tmp = tempDir('booty-tmp-');
    const elsewhere = tempDir('booty-elsewhere-');
    chmodSync(elsewhere, 0o700);
    symlinkSync(elsewhere, cacheDirIn(tmp));
    expectClean(await statusIn(tmp)());
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('NODE_DISABLE_COMPILE_CACHE=1 turns it off: nothing is created', async () => {
    const tmp = tempDir('booty-tmp-');
    expectClean(await statusIn(tmp, { NODE_DISABLE_COMPILE_CACHE: '1' })());
    expect(existsSync(cacheDirIn(tmp))).toBe(false);
  });
});
