// Each "Known defect of the Python store" (REFERENCE.md) as a test that the Python design fails
// and this package passes. The Python design is test/fixtures/python-design.cjs.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { openReleaseStore, type StateError } from '../src/index';
import { nodeFs, type FsSeam } from '../src/file/fs-seam';
import { entryName, serializeEntry } from '../src/file/ledger/entry';
import { acquireLock } from '../src/file/lock';
import { writeFileAtomic } from '../src/file/staged-file';
import { openFileStore } from '../src/file/store';
import { makeTempDir, removeTempDir, runTogether } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PythonDesignLedger } = require('./fixtures/python-design.cjs') as {
  PythonDesignLedger: new (file: string) => PythonDesign;
};

interface PythonDesign {
  bytesWritten: number;
  read(): Promise<Record<string, string>>;
  has(key: string): Promise<boolean>;
  lockExclusive(): Promise<{ ino: number; release(): void }>;
  writeAll(data: Record<string, string>): void;
  record(key: string, deliveryId: string): Promise<void>;
}

jest.setTimeout(60_000);

const SHA = (n: number) => n.toString(16).padStart(40, '0');

async function expectStateError(promise: Promise<unknown>, code: string): Promise<StateError> {
  const error = (await promise.then(
    () => null,
    (e: unknown) => e,
  )) as StateError | null;
  expect(error).not.toBeNull();
  expect(error?.name).toBe('StateError');
  expect(error?.code).toBe(code);
  return error as StateError;
}

describe('the defects of the Python store, and this store without them', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir('pydefects');
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  describe('defect 1: read under a shared lock, release, write under an exclusive lock loses updates', () => {
    it('Python design: two interleaved records keep only one entry', async () => {
      const ledger = new PythonDesignLedger(path.join(dir, 'delivery_ids.json'));
      // A and B both read before either writes: the interleaving the lock gap allows.
      const seenByA = await ledger.read();
      const seenByB = await ledger.read();
      const lockA = await ledger.lockExclusive();
      ledger.writeAll({ ...seenByA, 'o/r:a': 'A' });
      lockA.release();
      const lockB = await ledger.lockExclusive();
      ledger.writeAll({ ...seenByB, 'o/r:b': 'B' });
      lockB.release();
      expect(Object.keys(await ledger.read())).toEqual(['o/r:b']);
    });

    // 8 x 100 here (REFERENCE.md measured 8 x 200; concurrency.spec.ts runs that size on this store).
    it('8 processes x 100 distinct records: the Python design loses entries, this store keeps all 800', async () => {
      const file = path.join(dir, 'python', 'delivery_ids.json');
      await fsp.mkdir(path.dirname(file));
      const python = await runTogether(
        Array.from({ length: 8 }, (_, w) => ({
          op: 'python-record',
          file,
          repo: 'o/r',
          from: w * 100,
          count: 100,
          tag: `w${w}`,
        })),
      );
      expect(python.every((result) => result.code === 0)).toBe(true);
      const kept = Object.keys(JSON.parse(await fsp.readFile(file, 'utf8')) as object).length;
      expect(kept).toBeLessThan(800);

      const stateDir = path.join(dir, 'ours');
      const ours = await runTogether(
        Array.from({ length: 8 }, (_, w) => ({
          op: 'claim',
          stateDir,
          repo: 'o/r',
          from: w * 100,
          count: 100,
          tag: `w${w}`,
        })),
      );
      expect(ours.every((result) => result.code === 0)).toBe(true);
      expect(await (await openReleaseStore({ stateDir })).deliveries.count()).toBe(800);
    });
  });

  describe('defect 2: "seen?" and "record" are two calls, so two workers can both act', () => {
    it('Python design: two workers both see "not seen" and both act', async () => {
      const ledger = new PythonDesignLedger(path.join(dir, 'delivery_ids.json'));
      const key = `o/r:${SHA(1)}`;
      const aActs = !(await ledger.has(key));
      const bActs = !(await ledger.has(key));
      if (aActs) await ledger.record(key, 'A');
      if (bActs) await ledger.record(key, 'B');
      expect([aActs, bActs]).toEqual([true, true]);
    });

    it('this store: concurrent claims of one key give exactly one winner, and all agree on it', async () => {
      const store = await openReleaseStore({ stateDir: path.join(dir, 'ours') });
      const results = await Promise.all(
        ['A', 'B', 'C', 'D'].map((id) => store.deliveries.claim({ repo: 'o/r', headSha: SHA(1), deliveryId: id })),
      );
      expect(results.filter((result) => result.claimed)).toHaveLength(1);
      expect(new Set(results.map((result) => result.record.deliveryId)).size).toBe(1);
    });

    it('8 processes racing for the same 100 keys: the Python design acts more than 100 times, this store exactly 100', async () => {
      const file = path.join(dir, 'python', 'delivery_ids.json');
      await fsp.mkdir(path.dirname(file));
      const python = await runTogether(
        Array.from({ length: 8 }, (_, w) => ({
          op: 'python-claim',
          file,
          repo: 'o/r',
          from: 0,
          count: 100,
          tag: `w${w}`,
        })),
      );
      const pythonActs = python
        .flatMap((result) => result.lines as { claimed: boolean }[])
        .filter((line) => line.claimed).length;
      expect(pythonActs).toBeGreaterThan(100);

      const stateDir = path.join(dir, 'ours');
      const ours = await runTogether(
        Array.from({ length: 8 }, (_, w) => ({
          op: 'claim',
          stateDir,
          repo: 'o/r',
          from: 0,
          count: 100,
          tag: `w${w}`,
        })),
      );
      const ourActs = ours
        .flatMap((result) => result.lines as { claimed: boolean }[])
        .filter((line) => line.claimed).length;
      expect(ourActs).toBe(100);
    });
  });

  describe('defect 3: the lock is on the data file, which a rename replaces', () => {
    it('Python design: after a rename, a second writer locks the new inode while the first still holds the old', async () => {
      const ledger = new PythonDesignLedger(path.join(dir, 'delivery_ids.json'));
      const first = await ledger.lockExclusive();
      ledger.writeAll({ 'o/r:a': 'A' });
      const second = await Promise.race([
        ledger.lockExclusive(),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 500)),
      ]);
      expect(second).not.toBeNull();
      expect(second?.ino).not.toBe(first.ino);
      // Both "hold the exclusive lock" at once.
      first.release();
      second?.release();
    });

    it('this store: the lock is a sidecar file, so replacing the data file does not release it', async () => {
      const file = path.join(dir, 'release.json');
      await fsp.writeFile(file, '{}');
      const settings = { staleMs: 10_000, waitMs: 0, pollMs: 5 };
      const target = { path: file, label: 'release.json' };
      const first = await acquireLock(`${file}.lock`, settings, target);
      await writeFileAtomic(nodeFs, file, Buffer.from('{"a":1}'));
      await expectStateError(acquireLock(`${file}.lock`, { ...settings, waitMs: 50 }, target), 'STATE_LOCK_TIMEOUT');
      await first.release();
      const second = await acquireLock(`${file}.lock`, settings, target);
      await second.release();
    });
  });

  describe('defect 4: a corrupt delivery_ids.json is silently treated as empty', () => {
    it('Python design: a truncated file forgets every past delivery, and the next record overwrites it', async () => {
      const file = path.join(dir, 'delivery_ids.json');
      const ledger = new PythonDesignLedger(file);
      await ledger.record(`o/r:${SHA(1)}`, 'A');
      await fsp.writeFile(file, `{"o/r:${SHA(1)}": "A", "o/r:${SHA(2)}": `);
      expect(await ledger.has(`o/r:${SHA(1)}`)).toBe(false);
      await ledger.record(`o/r:${SHA(3)}`, 'C');
      expect(Object.keys(await ledger.read())).toEqual([`o/r:${SHA(3)}`]);
    });

    it.each([
      ['truncated', `{"o/r:${SHA(1)}": "A", "o/r:${SHA(2)}": `],
      ['zero-length', ''],
    ])(
      'this store: a %s delivery_ids.json is STATE_CORRUPT for claim and has, and stays byte for byte',
      async (_kind, content) => {
        const stateDir = path.join(dir, 'ours');
        await fsp.mkdir(stateDir, { mode: 0o700 });
        const file = path.join(stateDir, 'delivery_ids.json');
        await fsp.writeFile(file, content);
        const before = await fsp.stat(file);
        const store = await openReleaseStore({ stateDir });
        const error = await expectStateError(
          store.deliveries.claim({ repo: 'o/r', headSha: SHA(3), deliveryId: 'C' }),
          'STATE_CORRUPT',
        );
        expect(error.path).toBe(file);
        expect(error.message).toContain(file);
        expect(error.message).toContain('not changed');
        await expectStateError(store.deliveries.has({ repo: 'o/r', headSha: SHA(1) }), 'STATE_CORRUPT');
        expect(await fsp.readFile(file, 'utf8')).toBe(content);
        expect((await fsp.stat(file)).mtimeMs).toBe(before.mtimeMs);
      },
    );
  });

  describe('defect 5: every record rewrites the whole file, and nothing prunes it', () => {
    it('Python design: bytes written per record grow with the number of ids (about 2x from 1,000 to 2,000)', async () => {
      const ledger = new PythonDesignLedger(path.join(dir, 'delivery_ids.json'));
      const seed: Record<string, string> = {};
      for (let i = 0; i < 1000; i++) seed[`o/r:${SHA(i)}`] = `d-${i}`;
      ledger.writeAll(seed);
      ledger.bytesWritten = 0;
      await ledger.record(`o/r:${SHA(100_000)}`, 'x');
      const at1k = ledger.bytesWritten;
      const more = await ledger.read();
      for (let i = 1000; i < 2000; i++) more[`o/r:${SHA(i)}`] = `d-${i}`;
      ledger.writeAll(more);
      ledger.bytesWritten = 0;
      await ledger.record(`o/r:${SHA(100_001)}`, 'y');
      const at2k = ledger.bytesWritten;
      expect(at2k / at1k).toBeGreaterThan(1.9);
    });

    it('this store: bytes written per claim are the same at 1,000 and 2,000 stored ids', async () => {
      const stateDir = path.join(dir, 'ours');
      let written = 0;
      const counting: FsSeam = {
        ...nodeFs,
        async writeAll(handle, data) {
          written += data.byteLength;
          await nodeFs.writeAll(handle, data);
        },
      };
      // No prune pass during the measured claims (they are measured separately, amortised).
      const store = await openFileStore(
        { stateDir },
        { fs: counting, pruneIntervalMs: 3_600_000, pruneEveryClaims: 1_000_000 },
      );
      await store.deliveries.claim({ repo: 'o/r', headSha: SHA(999_999), deliveryId: 'warm-up' });
      const ledgerDir = path.join(stateDir, 'deliveries');
      const fill = async (from: number, to: number) => {
        for (let i = from; i < to; i++) {
          const key = `o/r:${SHA(i)}`;
          await fsp.writeFile(
            path.join(ledgerDir, entryName(key)),
            serializeEntry({ key, deliveryId: `d-${i}`, recordedAt: new Date().toISOString() }),
          );
        }
      };
      await fill(0, 1000);
      written = 0;
      await store.deliveries.claim({ repo: 'o/r', headSha: SHA(100_000), deliveryId: 'x-0000' });
      const at1k = written;
      await fill(1000, 2000);
      written = 0;
      await store.deliveries.claim({ repo: 'o/r', headSha: SHA(100_001), deliveryId: 'y-0000' });
      expect(written).toBe(at1k);
      expect(await store.deliveries.count()).toBe(2003);
    });

    it('this store: entries older than the retention and beyond the maximum count are pruned', async () => {
      const stateDir = path.join(dir, 'ours');
      let now = new Date('2026-01-01T00:00:00Z');
      // A 20-day interval starts no pass before the trigger below, 31 days on. (With an hour's, the
      // first claim 19 days on started one, which raced the next claims and the count of 10.)
      const store = await openFileStore(
        { stateDir, retentionDays: 30, maxDeliveries: 5, now: () => now },
        { pruneIntervalMs: 20 * 24 * 60 * 60 * 1000, pruneEveryClaims: 1_000_000 },
      );
      for (let i = 0; i < 4; i++)
        await store.deliveries.claim({ repo: 'o/r', headSha: SHA(i), deliveryId: `old-${i}` });
      for (let i = 4; i < 10; i++) {
        now = new Date(Date.UTC(2026, 0, 20, 0, i));
        await store.deliveries.claim({ repo: 'o/r', headSha: SHA(i), deliveryId: `new-${i}` });
      }
      expect(await store.deliveries.count()).toBe(10);
      // 31 days after the first claims, the next claim starts a prune pass in the background (close()
      // waits for it): the 4 past the retention go, then of the 7 left the oldest two (maximum 5;
      // they are past the 4-day redelivery window, the new claim is not).
      now = new Date('2026-02-01T00:00:01Z');
      await store.deliveries.claim({ repo: 'o/r', headSha: SHA(10), deliveryId: 'trigger' });
      await store.close();
      const after = await openFileStore({ stateDir, now: () => now });
      expect(await after.deliveries.count()).toBe(5);
      const held = async (n: number) => after.deliveries.has({ repo: 'o/r', headSha: SHA(n) });
      for (const gone of [0, 1, 2, 3, 4, 5]) expect(await held(gone)).toBe(false);
      for (const kept of [6, 7, 8, 9]) expect(await held(kept)).toBe(true);
      expect(await after.deliveries.has({ repo: 'o/r', headSha: SHA(10) })).toBe(true);
    });
  });
});
