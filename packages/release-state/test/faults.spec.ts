import { spawn } from 'node:child_process';
import { constants, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { openReleaseStore, type StateError } from '../src/index';
import { nodeFs, type FsSeam } from '../src/file/fs-seam';
import { openFileStore } from '../src/file/store';
import {
  canDropPrivileges,
  canMountPrivately,
  isRoot,
  makeTempDir,
  NOBODY,
  removeTempDir,
  snapshotTree,
  startWorker,
  workerForAnyone,
} from './helpers';

jest.setTimeout(60_000);

const NAMESPACE_SCRIPT = path.join(__dirname, 'fixtures', 'in-namespace.cjs');

interface Described {
  name: string;
  code: string;
  path: string;
  message: string;
  details: Record<string, unknown>;
}

interface Outcome {
  update: Described | 'ok';
  claim: Described | 'ok';
}

/** A state directory with some history: one update and one claim. */
async function prepare(stateDir: string): Promise<void> {
  const store = await openReleaseStore({ stateDir });
  await store.updateState((state) => ({ ...state, production_sha_current: 'a'.repeat(40) }));
  await store.deliveries.claim({ repo: 'fault/test', headSha: 'b'.repeat(40), deliveryId: 'before' });
}

function runInNamespace(
  command: Record<string, unknown>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', [
      '-m',
      '--propagation',
      'private',
      process.execPath,
      NAMESPACE_SCRIPT,
      JSON.stringify(command),
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every data-file call that would create or replace something fails with `errno`. */
function refusingSeam(errno: string): FsSeam {
  const fail = (syscall: string) =>
    Object.assign(new Error(`${errno}: simulated, ${syscall}`), { code: errno, syscall });
  return {
    ...nodeFs,
    async open(file, flags, mode) {
      if ((flags & constants.O_CREAT) !== 0) throw fail('open');
      return nodeFs.open(file, flags, mode);
    },
    rename: async () => {
      throw fail('rename');
    },
    link: async () => {
      throw fail('link');
    },
  };
}

function expectWriteFailure(outcome: Described | 'ok', errno: string, label: string): void {
  expect(outcome).not.toBe('ok');
  const error = outcome as Described;
  expect(error.name).toBe('StateError');
  expect(error.code).toBe('STATE_WRITE');
  expect(error.details['errno']).toBe(errno);
  expect(error.message).toContain(errno);
  // The message names the file and says that the data was not changed.
  expect(error.message).toContain(label);
  expect(error.message).toMatch(/was not (changed|recorded)/);
}

async function attemptInProcess(stateDir: string, fs?: FsSeam): Promise<Outcome> {
  const store = fs
    ? await openFileStore({ stateDir, lockWaitMs: 2000 }, { fs })
    : await openReleaseStore({ stateDir, lockWaitMs: 2000 });
  const outcome: Partial<Outcome> = {};
  const describe = (error: unknown): Described => {
    const e = error as StateError;
    return { name: e.name, code: e.code, path: e.path, message: e.message, details: { ...e.details } };
  };
  try {
    await store.updateState((state) => ({ ...state, production_sha_current: 'c'.repeat(40) }));
    outcome.update = 'ok';
  } catch (error) {
    outcome.update = describe(error);
  }
  try {
    await store.deliveries.claim({ repo: 'fault/test', headSha: 'd'.repeat(40), deliveryId: 'after' });
    outcome.claim = 'ok';
  } catch (error) {
    outcome.claim = describe(error);
  }
  return outcome as Outcome;
}

describe('a read-only or full state directory: typed error, nothing changed', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir('faults');
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  const readOnlyTechnique = canDropPrivileges
    ? 'mode 0500, child run as nobody via setpriv'
    : isRoot
      ? 'EACCES injected through the fs seam'
      : 'mode 0500';
  it(`read-only directory (${readOnlyTechnique}) refuses writes with STATE_WRITE/EACCES`, async () => {
    const stateDir = path.join(dir, 'state');
    await prepare(stateDir);
    let outcome: Outcome;
    let before;
    if (canDropPrivileges) {
      // Root ignores permission bits, so the writer runs as nobody, owning a 0500 directory.
      await fsp.chmod(dir, 0o755);
      for (const sub of ['', 'deliveries']) {
        const target = path.join(stateDir, sub);
        for (const name of await fsp.readdir(target)) await fsp.lchown(path.join(target, name), NOBODY, NOBODY);
        await fsp.chown(target, NOBODY, NOBODY);
      }
      await fsp.chmod(path.join(stateDir, 'deliveries'), 0o500);
      await fsp.chmod(stateDir, 0o500);
      before = await snapshotTree(stateDir);
      // nobody runs a copy of the worker: the checkout may be in a directory it cannot enter.
      const copy = await workerForAnyone();
      const worker = startWorker(
        { op: 'try-writes', stateDir, options: { lockWaitMs: 2000 } },
        { prefix: ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'], worker: copy.worker },
      );
      const result = await worker.done.finally(() => removeTempDir(copy.dir));
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      outcome = result.lines[0] as Outcome;
    } else if (isRoot) {
      before = await snapshotTree(stateDir);
      outcome = await attemptInProcess(stateDir, refusingSeam('EACCES'));
    } else {
      await fsp.chmod(path.join(stateDir, 'deliveries'), 0o500);
      await fsp.chmod(stateDir, 0o500);
      before = await snapshotTree(stateDir);
      outcome = await attemptInProcess(stateDir);
    }
    expectWriteFailure(outcome.update, 'EACCES', 'release.json');
    expectWriteFailure(outcome.claim, 'EACCES', 'fault/test:dddd');
    expect(await snapshotTree(stateDir)).toEqual(before);
    await fsp.chmod(stateDir, 0o700).catch(() => undefined);
    await fsp.chmod(path.join(stateDir, 'deliveries'), 0o700).catch(() => undefined);
  });

  const roTechnique = canMountPrivately
    ? 'read-only bind mount in a private mount namespace'
    : 'EROFS injected through the fs seam';
  it(`read-only file system (${roTechnique}) refuses writes with STATE_WRITE/EROFS`, async () => {
    const stateDir = path.join(dir, 'state');
    await prepare(stateDir);
    const before = await snapshotTree(stateDir);
    let outcome: Outcome;
    if (canMountPrivately) {
      const result = await runInNamespace({ op: 'erofs', base: dir });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      outcome = (JSON.parse(result.stdout) as { outcome: Outcome }).outcome;
    } else {
      outcome = await attemptInProcess(stateDir, refusingSeam('EROFS'));
    }
    expectWriteFailure(outcome.update, 'EROFS', 'release.json');
    expectWriteFailure(outcome.claim, 'EROFS', 'fault/test:dddd');
    expect(await snapshotTree(stateDir)).toEqual(before);
  });

  const fullTechnique = canMountPrivately
    ? 'a full 512 KiB tmpfs in a private mount namespace'
    : 'ENOSPC injected through the fs seam';
  it(`full file system (${fullTechnique}) fails the write, keeps the old file and leaves no temp file`, async () => {
    const stateDir = path.join(dir, 'state');
    if (canMountPrivately) {
      const result = await runInNamespace({ op: 'enospc', base: dir });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      const parsed = JSON.parse(result.stdout) as {
        outcome: Outcome & { read: string };
        before: unknown;
        after: unknown;
      };
      expect(parsed.outcome.read).toBe('a'.repeat(40));
      expectWriteFailure(parsed.outcome.update, 'ENOSPC', 'release.json');
      expect((parsed.outcome.update as Described).details['reason']).toBe('write');
      expectWriteFailure(parsed.outcome.claim, 'ENOSPC', 'fault/test:dddd');
      expect(parsed.after).toEqual(parsed.before);
    } else {
      await prepare(stateDir);
      const before = await snapshotTree(stateDir);
      const seam: FsSeam = {
        ...nodeFs,
        async writeAll(handle, data) {
          // Half the bytes land, then the device is full: the torn temp file must not survive.
          await nodeFs.writeAll(handle, data.subarray(0, Math.floor(data.byteLength / 2)));
          throw Object.assign(new Error('ENOSPC: simulated'), { code: 'ENOSPC', syscall: 'write' });
        },
      };
      const outcome = await attemptInProcess(stateDir, seam);
      expectWriteFailure(outcome.update, 'ENOSPC', 'release.json');
      expectWriteFailure(outcome.claim, 'ENOSPC', 'fault/test:dddd');
      expect(await snapshotTree(stateDir)).toEqual(before);
    }
  });
});
