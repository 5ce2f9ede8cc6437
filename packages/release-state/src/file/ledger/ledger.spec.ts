import fc from 'fast-check';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { entryName, keyOfEntryName } from './entry';
import type { FileStoreOptions } from '../../shared/options';
import { openFileStore, type FileReleaseStore } from '../store';
import { failure } from '../../../test/expect-state-error';

const SHA = (n: number) => n.toString(16).padStart(40, '0');
const KEY = (n: number, repo = 'octo/app') => `${repo}:${SHA(n)}`;

describe('delivery ledger', () => {
  let dir: string;
  let stateDir: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'booty-rs-ledger-'));
    stateDir = path.join(dir, 'state');
  });
  // Closed before the directory goes: a claim may have started a prune pass in the background.
  const opened: FileReleaseStore[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  const open = async (extra: Partial<FileStoreOptions> = {}): Promise<FileReleaseStore> => {
    const store = await openFileStore({ stateDir, ...extra }, { pruneIntervalMs: 3_600_000 });
    opened.push(store);
    return store;
  };

  describe('claim', () => {
    it('records the first claim and reports later ones with the winner, telling redeliveries apart', async () => {
      const store = await open();
      const first = await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(1), deliveryId: 'guid-1' });
      expect(first).toEqual({
        claimed: true,
        redelivery: false,
        takeover: false,
        record: {
          key: KEY(1),
          deliveryId: 'guid-1',
          recordedAt: expect.any(String),
          attempt: 1,
          leaseExpiresAt: null,
          completedAt: null,
          outcome: null,
        },
      });
      expect(Number.isNaN(Date.parse(first.record.recordedAt ?? ''))).toBe(false);
      const again = await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(1), deliveryId: 'guid-1' });
      expect(again).toEqual({ claimed: false, redelivery: true, takeover: false, record: first.record });
      const other = await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(1), deliveryId: 'guid-2' });
      expect(other).toEqual({ claimed: false, redelivery: false, takeover: false, record: first.record });
      expect(await store.deliveries.get({ repo: 'octo/app', headSha: SHA(1) })).toEqual(first.record);
      expect(await store.deliveries.count()).toBe(1);
    });

    it('folds an upper-case SHA to the key GitHub uses', async () => {
      const store = await open();
      await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(0xabc).toUpperCase(), deliveryId: 'g' });
      expect(await store.deliveries.has({ repo: 'octo/app', headSha: SHA(0xabc) })).toBe(true);
    });

    it.each([
      [{ repo: 'octo', headSha: SHA(1), deliveryId: 'g' }, 'repo'],
      [{ repo: 'octo/app/x', headSha: SHA(1), deliveryId: 'g' }, 'repo'],
      [{ repo: 'octo/..', headSha: SHA(1), deliveryId: 'g' }, 'repo'],
      [{ repo: 'octo/app', headSha: 'abc1234', deliveryId: 'g' }, 'headSha'],
      [{ repo: 'octo/app', headSha: 'z'.repeat(40), deliveryId: 'g' }, 'headSha'],
      [{ repo: 'octo/app', headSha: SHA(1), deliveryId: '' }, 'deliveryId'],
      [{ repo: 'octo/app', headSha: SHA(1), deliveryId: '  ' }, 'deliveryId'],
      [{ repo: 'octo/app', headSha: SHA(1), deliveryId: 'a\nb' }, 'deliveryId'],
      [{ repo: 'octo/app', headSha: SHA(1), deliveryId: 'x'.repeat(201) }, 'deliveryId'],
    ])('refuses %j as STATE_INVALID_INPUT naming %s, and records nothing', async (input, field) => {
      const store = await open();
      const error = await failure(store.deliveries.claim(input));
      expect(error.code).toBe('STATE_INVALID_INPUT');
      expect(error.details.field).toBe(field);
      expect(error.message).toContain('The ledger was not changed');
      await expect(fsp.stat(path.join(stateDir, 'deliveries'))).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('accepts 64-digit SHA-256 commit ids and GitHub owner/repo spellings', async () => {
      const store = await open();
      const result = await store.deliveries.claim({
        repo: 'Octo-Org/my.repo_name-2',
        headSha: 'f'.repeat(64),
        deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      });
      expect(result.claimed).toBe(true);
    });

    it('gives exactly one winner per key for any set of concurrent claims (property)', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 })), {
            minLength: 1,
            maxLength: 16,
          }),
          async (claims) => {
            const store = await openFileStore(
              { stateDir: path.join(dir, `prop-${run++}`) },
              { pruneIntervalMs: 3_600_000 },
            );
            const results = await Promise.all(
              claims.map(([k, d]) => store.deliveries.claim({ repo: 'p/q', headSha: SHA(k), deliveryId: `d${d}` })),
            );
            for (const k of new Set(claims.map(([key]) => key))) {
              const forKey = results.filter((_, i) => claims[i]?.[0] === k);
              const winners = forKey.filter((r) => r.claimed);
              expect(winners).toHaveLength(1);
              const winnerId = winners[0]?.record.deliveryId;
              for (const [i, result] of results.entries()) {
                if (claims[i]?.[0] !== k) continue;
                expect(result.record.deliveryId).toBe(winnerId);
                expect(result.redelivery).toBe(!result.claimed && `d${claims[i]?.[1]}` === winnerId);
              }
            }
            expect(await store.deliveries.count()).toBe(new Set(claims.map(([key]) => key)).size);
            await store.close();
          },
        ),
        { numRuns: 25 },
      );
    });
  });

  describe('readers', () => {
    it('has/get/count on a fresh store create nothing and find nothing', async () => {
      const store = await open();
      expect(await store.deliveries.has({ repo: 'octo/app', headSha: SHA(1) })).toBe(false);
      expect(await store.deliveries.get({ repo: 'octo/app', headSha: SHA(1) })).toBeNull();
      expect(await store.deliveries.count()).toBe(0);
      expect((await fsp.readdir(stateDir)).sort()).toEqual(['release.json']);
    });
  });

  describe('entry files', () => {
    it('are named by the percent-encoded key, never a dot name, and decode back', () => {
      expect(entryName(KEY(1))).toBe(`octo%2Fapp%3A${SHA(1)}.json`);
      for (const key of [KEY(1), '.hidden:1', '', 'a b/ü:#?', 'x'.repeat(300)]) {
        const name = entryName(key);
        expect(name.startsWith('.')).toBe(false);
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
        const back = keyOfEntryName(name);
        if (back !== null) expect(back).toBe(key);
      }
      expect(keyOfEntryName(entryName('x'.repeat(300)))).toBeNull();
    });

    it('a damaged entry is STATE_CORRUPT for its key only; reset moves it aside and keeps the rest', async () => {
      const store = await open();
      await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(1), deliveryId: 'one' });
      await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(2), deliveryId: 'two' });
      const damaged = path.join(stateDir, 'deliveries', entryName(KEY(1)));
      await fsp.writeFile(damaged, '');
      const error = await failure(store.deliveries.claim({ repo: 'octo/app', headSha: SHA(1), deliveryId: 'again' }));
      expect(error.code).toBe('STATE_CORRUPT');
      expect(error.path).toBe(damaged);
      expect(await fsp.readFile(damaged, 'utf8')).toBe('');
      expect(await store.deliveries.has({ repo: 'octo/app', headSha: SHA(2) })).toBe(true);

      const {
        keptAt: [backupPath = ''],
      } = await store.reset('deliveries');
      expect(await fsp.readFile(path.join(backupPath, 'deliveries', entryName(KEY(1))), 'utf8')).toBe('');
      expect(await store.deliveries.has({ repo: 'octo/app', headSha: SHA(2) })).toBe(true);
      expect((await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(1), deliveryId: 'again' })).claimed).toBe(
        true,
      );
    });

    it('reset refuses when nothing is damaged, and changes nothing', async () => {
      const store = await open();
      await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(1), deliveryId: 'one' });
      const before = (await fsp.readdir(stateDir)).sort();
      const error = await failure(store.reset('deliveries'));
      expect(error.code).toBe('STATE_INVALID_INPUT');
      expect(error.details.reason).toBe('nothing-to-reset');
      expect((await fsp.readdir(stateDir)).sort()).toEqual(before);
    });

    it('refuses a symlink planted in place of an entry, and reset moves the link (not its target) aside', async () => {
      const store = await open();
      const outside = path.join(dir, 'outside.json');
      await fsp.writeFile(outside, JSON.stringify({ key: KEY(1), deliveryId: 'evil', recordedAt: null }));
      await fsp.mkdir(path.join(stateDir, 'deliveries'), { recursive: true, mode: 0o700 });
      await fsp.symlink(outside, path.join(stateDir, 'deliveries', entryName(KEY(1))));
      const error = await failure(store.deliveries.has({ repo: 'octo/app', headSha: SHA(1) }));
      expect(error.code).toBe('STATE_UNSAFE');
      expect(error.details.reason).toBe('symlink');
      const {
        keptAt: [backupPath = ''],
      } = await store.reset('deliveries');
      expect((await fsp.lstat(path.join(backupPath, 'deliveries', entryName(KEY(1))))).isSymbolicLink()).toBe(true);
      expect(await fsp.readFile(outside, 'utf8')).toContain('evil');
    });

    it('prune removes temp files left by crashed writers once they are older than the stale threshold', async () => {
      const store = await open({ lockStaleMs: 100 });
      await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(1), deliveryId: 'one' });
      const leftover = path.join(stateDir, 'deliveries', '.entry.12345.0.1.abcdef01.tmp');
      await fsp.writeFile(leftover, '{"key":');
      await new Promise((resolve) => setTimeout(resolve, 150));
      await store.deliveries.prune();
      await expect(fsp.stat(leftover)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await store.deliveries.count()).toBe(1);
    });
  });

  describe('the Python delivery_ids.json', () => {
    const pythonFile = () => path.join(stateDir, 'delivery_ids.json');
    const writePython = async (entries: Record<string, string>) => {
      await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
      await fsp.writeFile(pythonFile(), JSON.stringify(entries));
    };

    it('is read as it is: its keys count as claimed, with their delivery ids and no time', async () => {
      await writePython({ [KEY(1)]: 'py-1', [KEY(2)]: 'py-2' });
      const store = await open();
      expect(await store.deliveries.count()).toBe(2);
      expect(await store.deliveries.get({ repo: 'octo/app', headSha: SHA(1) })).toEqual({
        key: KEY(1),
        deliveryId: 'py-1',
        recordedAt: null,
        attempt: 1,
        leaseExpiresAt: null,
        completedAt: null,
        outcome: null,
      });
      expect(await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(2), deliveryId: 'py-2' })).toEqual({
        claimed: false,
        redelivery: true,
        takeover: false,
        record: {
          key: KEY(2),
          deliveryId: 'py-2',
          recordedAt: null,
          attempt: 1,
          leaseExpiresAt: null,
          completedAt: null,
          outcome: null,
        },
      });
      expect((await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(3), deliveryId: 'ts-3' })).claimed).toBe(
        true,
      );
      expect(await store.deliveries.count()).toBe(3);
    });

    it('is kept and extended: a prune pass rewrites it in the Python format with our entries too', async () => {
      await writePython({ [KEY(1)]: 'py-1', 'legacy-key-without-sha': 'py-x' });
      const store = await open();
      await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(3), deliveryId: 'ts-3' });
      await store.deliveries.prune();
      const python = JSON.parse(await fsp.readFile(pythonFile(), 'utf8')) as Record<string, unknown>;
      expect(python).toEqual({ [KEY(1)]: 'py-1', 'legacy-key-without-sha': 'py-x', [KEY(3)]: 'ts-3' });
    });

    it('entries the Python implementation adds later are imported before the next claim', async () => {
      await writePython({ [KEY(1)]: 'py-1' });
      const first = await open();
      await first.deliveries.claim({ repo: 'octo/app', headSha: SHA(2), deliveryId: 'ts-2' });
      // That claim started the store's first prune pass (none ever ran here) in the background, and a
      // pass rewrites delivery_ids.json: the two implementations never run at one time, so the
      // Python service runs once it is done (close waits for it).
      await first.close();
      const store = await open();
      // The Python service runs again and records a delivery the way it does: read, add, rewrite.
      const current = JSON.parse(await fsp.readFile(pythonFile(), 'utf8')) as Record<string, string>;
      await fsp.writeFile(`${pythonFile()}.tmp`, JSON.stringify({ ...current, [KEY(4)]: 'py-4' }));
      await fsp.rename(`${pythonFile()}.tmp`, pythonFile());
      expect(await store.deliveries.has({ repo: 'octo/app', headSha: SHA(4) })).toBe(true);
      expect((await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(4), deliveryId: 'ts-4' })).claimed).toBe(
        false,
      );
      expect(await store.deliveries.has({ repo: 'octo/app', headSha: SHA(2) })).toBe(true);
    });

    it.each([
      ['[1, 2]', 'not a JSON object'],
      [`{"${KEY(1)}": {"id": "x"}}`, `for the key "${KEY(1)}"`],
    ])('a file that is not a map of strings (%s) is STATE_CORRUPT and stays as it is', async (content, says) => {
      await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
      await fsp.writeFile(pythonFile(), content);
      const store = await open();
      const error = await failure(store.deliveries.claim({ repo: 'octo/app', headSha: SHA(9), deliveryId: 'x' }));
      expect(error.code).toBe('STATE_CORRUPT');
      expect(error.message).toContain(says);
      expect(await fsp.readFile(pythonFile(), 'utf8')).toBe(content);
      const {
        keptAt: [backupPath = ''],
      } = await store.reset('deliveries');
      expect(await fsp.readFile(path.join(backupPath, 'delivery_ids.json'), 'utf8')).toBe(content);
      expect((await store.deliveries.claim({ repo: 'octo/app', headSha: SHA(9), deliveryId: 'x' })).claimed).toBe(true);
    });

    it('a symlink in its place is refused when the store opens', async () => {
      await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
      await fsp.writeFile(path.join(dir, 'elsewhere.json'), '{}');
      await fsp.symlink(path.join(dir, 'elsewhere.json'), pythonFile());
      const error = await failure(open());
      expect(error.code).toBe('STATE_UNSAFE');
      expect(error.path).toBe(pythonFile());
    });
  });
});
