import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { BIN, booty, cleanEnv, expectNoStackTrace, tempDir } from './booty';
import {
  contentsOf,
  REPO,
  richFileStore,
  sha,
  snapshotDir,
  storeOfSize,
  storeFiles,
  withLibraryStore,
} from './state-fixture';

describe('booty state copy (file store to file store)', () => {
  test('copies every claim and release.json (unknown fields too); the source is only read', async () => {
    const source = await richFileStore();
    const target = path.join(tempDir(), 'backup');
    const before = snapshotDir(source);

    const result = await booty(['state', 'copy', '--state-dir', source, '--to', target, '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      from: { kind: 'file', location: source },
      to: { kind: 'file', location: target },
      deliveries: 3,
      repositories: 1,
      replaced: false,
    });
    expect(await contentsOf(target)).toEqual(await contentsOf(source));
    const web = expect.objectContaining({ production_sha_current: sha(2), tenant_note: 'kept' });
    expect((await contentsOf(target)).repositories).toEqual({ [REPO]: web });
    expect((await contentsOf(target)).state).toMatchObject({ operator_note: 'written by a newer version' });
    expect(snapshotDir(source)).toEqual(before);
  });

  test('a non-empty target is refused (exit 2, unchanged) unless --replace', async () => {
    const source = await richFileStore();
    const target = path.join(tempDir(), 'other');
    await withLibraryStore(target, async (store) => {
      await store.deliveries.claim({ repo: REPO, headSha: sha(50), deliveryId: 'only-in-target' });
    });
    const before = snapshotDir(target);

    const refused = await booty(['state', 'copy', '--from', source, '--to', target]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--replace');
    expect(refused.stderr).not.toMatch(/replace: true|\{ ?replace/);
    expectNoStackTrace(refused);
    expect(snapshotDir(target)).toEqual(before);

    const replaced = await booty(['state', 'copy', '--from', source, '--to', target, '--replace']);
    expect(replaced.stderr).toBe('');
    expect(replaced.status).toBe(0);
    const what = 'release state, 1 repository state and 3 claims';
    expect(replaced.stdout).toContain(`copied: ${what} from the file store ${source} to the file store ${target}`);
    expect(await contentsOf(target)).toEqual(await contentsOf(source));
  });

  test('usage errors: no --to, --from with --state-dir, the source as its own target, a missing source', async () => {
    const source = await richFileStore();
    const missing = path.join(tempDir(), 'missing');
    const cases: [string[], RegExp][] = [
      [['state', 'copy', '--state-dir', source], /needs --to/],
      [['state', 'copy', '--from', source, '--state-dir', source, '--to', missing], /not both/],
      [['state', 'copy', '--state-dir', source, '--to', source], /is the source store itself/],
      [['state', 'copy', '--from', missing, '--to', path.join(tempDir(), 't')], /no state directory at/],
      // A URL of another scheme is refused, never taken for a directory named after it.
      [
        ['state', 'copy', '--state-dir', source, '--to', 'mysql://ops:S3CRETpw@db.example.com/booty'],
        /not a postgres:\/\/ or postgresql:\/\/ URL/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await booty(args);
      expect({ args, status: result.status }).toEqual({ args, status: 2 });
      expect(result.stderr).toMatch(message);
      expect(`${result.stdout}${result.stderr}`).not.toContain('S3CRETpw');
      expectNoStackTrace(result);
    }
    expect(existsSync(missing)).toBe(false);
  });
});

describe('booty state copy is all or nothing, and never copies a store into itself', () => {
  test('Ctrl-C, SIGHUP, SIGTERM and kill -9 during a copy leave the old target as it was; the next copy completes', async () => {
    const source = await storeOfSize(5000, 'new');
    const target = await storeOfSize(300, 'old');
    const before = storeFiles(target);
    for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM', 'SIGKILL'] as const) {
      const child = spawn(process.execPath, [BIN, 'state', 'copy', '--from', source, '--to', target, '--replace'], {
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<{ status: number | null; signal: string | null }>((resolve) =>
        child.on('close', (status, by) => resolve({ status, signal: by })),
      );
      // Stopped once the copy is being built beside the target (its staging directory is there).
      while (!readdirSync(target).some((name) => name.startsWith('.copy-')))
        await new Promise((resolve) => setTimeout(resolve, 5));
      child.kill(signal);
      const { status, signal: by } = await exited;
      if (signal === 'SIGKILL') expect(by).toBe('SIGKILL');
      else {
        expect({ signal, status }).toEqual({ signal, status: { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 }[signal] });
        expect(stderr).toContain(`stopped by ${signal}: nothing was copied; the target was left as it was`);
        // A stopped copy cleans up after itself.
        expect(readdirSync(target).filter((name) => name.startsWith('.copy-'))).toEqual([]);
      }
      expect({ signal, files: storeFiles(target) }).toEqual({ signal, files: before });
      const check = await booty(['state', 'check', '--state-dir', target, '--json']);
      expect(JSON.parse(check.stdout)).toMatchObject({ healthy: true, deliveries: 300 });
    }
    // kill -9 left its staging directory behind: the next copy removes it, and completes.
    const done = await booty(['state', 'copy', '--from', source, '--to', target, '--replace'], { timeoutMs: 120_000 });
    expect(done.status).toBe(0);
    expect(readdirSync(target).sort()).toEqual(['deliveries', 'delivery_ids.json', 'release.json']);
    expect(JSON.parse((await booty(['state', 'check', '--state-dir', target, '--json'])).stdout)).toMatchObject({
      healthy: true,
      deliveries: 5000,
    });
  }, 240_000);

  test('a copy into a directory that does not exist is built beside it: stopped, nothing is left there', async () => {
    const source = await storeOfSize(3000, 'new');
    const parent = tempDir();
    const target = path.join(parent, 'backup');
    const child = spawn(process.execPath, [BIN, 'state', 'copy', '--from', source, '--to', target], {
      env: cleanEnv(),
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('close', resolve));
    while (!readdirSync(parent).some((name) => name.startsWith('.backup.copy-')))
      await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(readdirSync(parent)).toEqual([]);
  }, 120_000);

  test('a copy committed and then stopped during its switch is finished by the next command that opens the store', async () => {
    const target = await storeOfSize(20, 'old');
    // What a copy leaves when it dies after its commit: the whole new store in .copy-ready.
    const copy = path.join(tempDir(), 'copy');
    await withLibraryStore(copy, async (store) => {
      await store.deliveries.claim({ repo: REPO, headSha: sha(7), deliveryId: 'the-copy' });
      await store.deliveries.prune();
    });
    renameSync(copy, path.join(target, '.copy-ready'));
    const result = await booty(['state', 'check', '--state-dir', target, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ healthy: true, deliveries: 1 });
    expect(readdirSync(target).sort()).toEqual(['deliveries', 'delivery_ids.json', 'release.json']);
  });

  test('the target is never the source by another spelling, nor inside a store, nor a directory of other files', async () => {
    const source = await richFileStore();
    const outside = tempDir();
    symlinkSync(source, path.join(outside, 'link'));
    mkdirSync(path.join(outside, 'notes'));
    writeFileSync(path.join(outside, 'notes', 'todo.txt'), 'keep me\n');
    const cases: [string, RegExp][] = [
      [path.join(outside, 'link'), /is the source store itself/],
      [`${path.dirname(source)}/../${path.basename(path.dirname(source))}/state`, /is the source store itself/],
      [path.join(source, 'backup'), /is inside the source store/],
      [path.join(source, 'deliveries'), /is inside the source store/],
      [path.dirname(source), /holds the source store/],
      [path.join(outside, 'notes'), /is not a state directory: it holds "todo.txt"/],
    ];
    const before = { source: snapshotDir(source), outside: snapshotDir(outside) };
    for (const [to, message] of cases) {
      for (const extra of [[], ['--replace'], ['--replace', '--force']]) {
        const result = await booty(['state', 'copy', '--from', source, '--to', to, ...extra]);
        expect({ to, extra, status: result.status }).toEqual({ to, extra, status: 2 });
        expect(result.stderr).toMatch(message);
        expectNoStackTrace(result);
      }
    }
    expect({ source: snapshotDir(source), outside: snapshotDir(outside) }).toEqual(before);
  });

  test('an empty source over a target that holds data is refused even with --replace, unless --force', async () => {
    const empty = path.join(tempDir(), 'empty');
    await withLibraryStore(empty, async () => undefined);
    const target = await richFileStore();
    const before = snapshotDir(target);
    const refused = await booty(['state', 'copy', '--from', empty, '--to', target, '--replace', '--json']);
    expect(refused.status).toBe(2);
    expect(JSON.parse(refused.stdout).error).toMatchObject({
      code: 'STATE_INVALID_INPUT',
      details: { reason: 'empty-source' },
    });
    expect(JSON.parse(refused.stdout).error.message).toContain('--force');
    expect(snapshotDir(target)).toEqual(before);
    const forced = await booty(['state', 'copy', '--from', empty, '--to', target, '--replace', '--force']);
    expect(forced.status).toBe(0);
    expect((await contentsOf(target)).claims).toEqual([]);
    // --force alone says what it is for.
    expect((await booty(['state', 'copy', '--from', empty, '--to', target, '--force'])).stderr).toContain(
      '--force only applies with --replace',
    );
  });

  test('an empty directory made for the copy (its parent not ours to write) is a fine target', async () => {
    const source = await richFileStore();
    const target = path.join(tempDir(), 'made-by-install');
    mkdirSync(target, { mode: 0o700 });
    const result = await booty(['state', 'copy', '--from', source, '--to', target]);
    expect(result.status).toBe(0);
    expect(await contentsOf(target)).toEqual(await contentsOf(source));
  });
});
