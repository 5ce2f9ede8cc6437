// A release state write that completes a claim, on files, across a crash between its two files
// (src/file/pending-write.ts): a holder SIGKILLed right after its claim's entry was completed
// leaves the write done (every reader sees its state; the next writer applies it); one killed
// before that leaves neither (the claim is taken over after its lease, the state never seen).
// Faults injected at the commit point, and a damaged pending file, too. The contract suite
// (test/contract/suite-fence.ts) covers the rest on both backends.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { nodeFs, type FsSeam } from '../src/file/fs-seam';
import { REPOSITORIES_DIR } from '../src/file/repository-states';
import { openFileStore } from '../src/file/store';
import type { ReleaseStore } from '../src/shared/contract';
import { failure } from './expect-state-error';
import { makeTempDir, removeTempDir, startWorker } from './helpers';

jest.setTimeout(60_000);

const FIXTURE = path.join(__dirname, 'fixtures', 'fenced-crash.cjs');
const REPO = 'octo-org/app';
const SHA = (n: number) => n.toString(16).padStart(40, '0');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('a state write that completes a claim, across a crash (file store)', () => {
  let dir: string;
  let stateDir: string;
  const opened: ReleaseStore[] = [];
  const open = async (fs?: FsSeam) => {
    // A holder killed while it held its locks leaves them: they are broken once this old.
    const store = await openFileStore({ stateDir, lockStaleMs: 300 }, fs === undefined ? {} : { fs });
    opened.push(store);
    return store;
  };
  beforeEach(async () => {
    dir = await makeTempDir('fenced');
    stateDir = path.join(dir, 'state');
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await removeTempDir(dir);
  });

  /** Runs the fixture holder until it kills itself after `crashAfter`; returns what it said. */
  async function holderDies(crashAfter: 'pending' | 'commit', more: { stateRepo?: string; leaseMs?: number } = {}) {
    const leaseMs = more.leaseMs ?? 60_000;
    const command = { stateDir, repo: REPO, headSha: SHA(1), deliveryId: 'dies', leaseMs, crashAfter, ...more };
    const result = await startWorker(command, { worker: FIXTURE }).done;
    expect({ signal: result.signal, lines: result.lines, stderr: result.stderr }).toEqual({
      signal: 'SIGKILL',
      lines: [{ claimed: true, attempt: 1 }],
      stderr: '',
    });
  }

  const stateFile = (repo?: string) =>
    repo === undefined
      ? path.join(stateDir, 'release.json')
      : path.join(stateDir, REPOSITORIES_DIR, `${encodeURIComponent(repo)}.json`);
  /** A file's JSON as it is on disk, or null when there is none. */
  const onDisk = async (file: string) =>
    fsp.readFile(file, 'utf8').then(
      (text) => JSON.parse(text) as Record<string, unknown>,
      () => null,
    );
  const KEY = { repo: REPO, headSha: SHA(1) };

  it.each([[undefined], ['octo-org/web']])(
    'killed after the commit point (state of %s): the write stands, seen by readers, applied by the next writer',
    async (stateRepo) => {
      await holderDies('commit', stateRepo === undefined ? {} : { stateRepo });
      const scope = stateRepo === undefined ? undefined : { repo: stateRepo };
      // On disk the state file is as it was; the pending file holds the committed write.
      expect((await onDisk(stateFile(stateRepo)))?.['last_deploy_attempt_sha'] ?? null).toBeNull();
      const pending = await onDisk(`${stateFile(stateRepo)}.pending`);
      expect(pending).toMatchObject({ claim: { deliveryId: 'dies', attempt: 1 } });

      const store = await open();
      expect(await store.deliveries.get(KEY)).toMatchObject({ completedAt: expect.any(String), outcome: 'allowed' });
      const written = { last_deploy_attempt_sha: SHA(1), last_deploy_result: 'pending' };
      expect(await store.readState(scope)).toMatchObject(written);
      if (stateRepo !== undefined) expect(await store.repositories()).toEqual([stateRepo]);
      expect(await store.check()).toMatchObject({ healthy: true, problems: [] });
      const next = await store.updateState((s) => ({ ...s, last_health_check: '2026-12-01T10:00:00.000Z' }), scope);
      expect(next).toMatchObject({ last_deploy_attempt_sha: SHA(1), last_health_check: '2026-12-01T10:00:00.000Z' });
      const applied = { last_deploy_attempt_sha: SHA(1), last_health_check: expect.any(String) };
      expect(await onDisk(stateFile(stateRepo))).toMatchObject(applied);
      expect(await onDisk(`${stateFile(stateRepo)}.pending`)).toBeNull();
    },
  );

  it.each([[undefined], ['octo-org/web']])(
    'a committed write left by a crash (state of %s) never lands on a copy restored over it',
    async (stateRepo) => {
      await holderDies('commit', stateRepo === undefined ? {} : { stateRepo });
      const scope = stateRepo === undefined ? undefined : { repo: stateRepo };
      const store = await open();
      // A backup of this very store: its ledger holds the completion the pending write names.
      const backup = await store.snapshot();
      const restored = { ...backup, state: { ...backup.state, production_sha_current: SHA(9) } };
      const repositories = backup.repositories?.map((entry) => ({
        ...entry,
        state: { ...entry.state, production_sha_current: SHA(9) },
      }));
      await store.restore({ ...restored, repositories }, { replace: true });
      expect((await store.readState(scope)).production_sha_current).toBe(SHA(9));
      expect(await onDisk(`${stateFile(stateRepo)}.pending`)).toBeNull();
      expect(await store.check()).toMatchObject({ healthy: true, problems: [] });
    },
  );

  it('killed before the commit point: neither happened; the claim is taken over, its taker writes', async () => {
    await holderDies('pending', { leaseMs: 300 });
    expect(await onDisk(`${stateFile()}.pending`)).toMatchObject({ claim: { deliveryId: 'dies' } });
    const store = await open();
    expect(await store.deliveries.get(KEY)).toMatchObject({ completedAt: null, attempt: 1 });
    expect((await store.readState()).last_deploy_attempt_sha).toBeNull();
    await sleep(350);
    const taken = await store.deliveries.claim({ repo: REPO, headSha: SHA(1), deliveryId: 'taker', leaseMs: 60_000 });
    expect(taken).toMatchObject({ claimed: true, takeover: true, record: { attempt: 2 } });
    const claim = { repo: REPO, headSha: SHA(1), deliveryId: 'taker', attempt: 2 };
    const options = { claim, complete: { outcome: 'held' } };
    const written = await store.updateState((s) => ({ ...s, last_deploy_result: 'failure' }), options);
    expect(written).toMatchObject({ last_deploy_attempt_sha: null, last_deploy_result: 'failure' });
    expect(await onDisk(stateFile())).toMatchObject({ last_deploy_attempt_sha: null, last_deploy_result: 'failure' });
    expect(await onDisk(`${stateFile()}.pending`)).toBeNull();
  });

  it('a commit that fails leaves neither, says so, and the holder’s retry succeeds', async () => {
    let failCommit = true;
    const fs: FsSeam = {
      ...nodeFs,
      async rename(from, to) {
        if (failCommit && path.basename(path.dirname(to)) === 'deliveries' && !path.basename(to).startsWith('.')) {
          throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
        }
        await nodeFs.rename(from, to);
      },
    };
    const store = await open(fs);
    await store.deliveries.claim({ repo: REPO, headSha: SHA(1), deliveryId: 'holder', leaseMs: 60_000 });
    const claim = { repo: REPO, headSha: SHA(1), deliveryId: 'holder', attempt: 1 };
    const write = (s: Record<string, unknown>) => ({ ...s, last_deploy_attempt_sha: SHA(1) });
    const failed = await failure(store.updateState(write as never, { claim, complete: { outcome: 'allowed' } }));
    expect([failed.code, failed.details.errno]).toEqual(['STATE_WRITE', 'EIO']);
    const other = await open();
    expect(await other.deliveries.get({ repo: REPO, headSha: SHA(1) })).toMatchObject({ completedAt: null });
    expect((await other.readState()).last_deploy_attempt_sha).toBeNull();
    failCommit = false;
    await store.updateState(write as never, { claim, complete: { outcome: 'allowed' } });
    expect((await other.readState()).last_deploy_attempt_sha).toBe(SHA(1));
    expect(await other.deliveries.get({ repo: REPO, headSha: SHA(1) })).toMatchObject({ outcome: 'allowed' });
  });

  it('a damaged pending file is named by check and kept aside by reset release', async () => {
    const store = await open();
    await fsp.writeFile(`${stateFile()}.pending`, '{"claim": ');
    const read = await failure(store.readState());
    const pending = `${stateFile()}.pending`;
    const naming = expect.stringContaining('booty state reset release');
    expect([read.code, read.path, read.message]).toEqual(['STATE_CORRUPT', pending, naming]);
    const report = await store.check();
    const problem = { part: 'release', target: pending, repair: 'booty state reset release' };
    expect(report.problems).toEqual([expect.objectContaining(problem)]);
    const reset = await store.reset('release');
    const kept = expect.stringMatching(/release\.json\.pending\.corrupt-/);
    expect(reset).toEqual({ part: 'release', keptAt: [kept], repaired: 1 });
    expect(await store.check()).toMatchObject({ healthy: true });
    expect((await store.readState()).production_sha_current).toBeNull();
  });
});
