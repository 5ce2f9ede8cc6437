import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { booty, expectNoStackTrace, tempDir } from './booty';
import {
  corruptEntry,
  corruptRelease,
  CORRUPT_ENTRY,
  CORRUPT_RELEASE,
  fileStoreWithClaims,
  filesAt,
  REPO,
  sha,
  snapshotDir,
  withLibraryStore,
} from './state-fixture';

describe('booty state reset (file store)', () => {
  test('release, then deliveries: each repairs only what is damaged and keeps the damaged bytes', async () => {
    const stateDir = await fileStoreWithClaims(3);
    corruptRelease(stateDir);
    const entryFile = corruptEntry(stateDir, sha(2));

    const release = await booty(['state', 'reset', 'release', '--state-dir', stateDir, '--json']);
    expect(release.stderr).toBe('');
    expect(release.status).toBe(0);
    const repaired = JSON.parse(release.stdout);
    expect(repaired).toMatchObject({ ok: true, part: 'release', store: { kind: 'file', location: stateDir } });
    expect(repaired.keptAt.length).toBeGreaterThan(0);
    expect(repaired.keptAt.flatMap(filesAt)).toContain(CORRUPT_RELEASE);
    // The ledger was not touched by the release repair: the damaged entry is still reported.
    const afterRelease = JSON.parse((await booty(['state', 'check', '--state-dir', stateDir, '--json'])).stdout);
    expect(afterRelease.problems.map((problem: { part: string }) => problem.part)).toEqual(['deliveries']);
    expect(readFileSync(entryFile, 'utf8')).toBe(CORRUPT_ENTRY);

    const deliveries = await booty(['state', 'reset', 'deliveries', '--state-dir', stateDir]);
    expect(deliveries.stderr).toBe('');
    expect(deliveries.status).toBe(0);
    expect(deliveries.stdout).toContain(`repaired: 1 damaged ledger entry in the file store ${stateDir}`);
    const keptLine = /damaged bytes kept at (.+)\n/.exec(deliveries.stdout);
    expect(keptLine).not.toBeNull();
    expect(filesAt((keptLine as RegExpExecArray)[1] as string)).toContain(CORRUPT_ENTRY);

    const check = await booty(['state', 'check', '--state-dir', stateDir]);
    expect(check.status).toBe(0);
    // Healthy entries stayed; the damaged one is gone from the ledger (its bytes are kept aside).
    await withLibraryStore(stateDir, async (store) => {
      expect(await store.deliveries.has({ repo: REPO, headSha: sha(1) })).toBe(true);
      expect(await store.deliveries.has({ repo: REPO, headSha: sha(3) })).toBe(true);
      expect(await store.deliveries.has({ repo: REPO, headSha: sha(2) })).toBe(false);
      expect((await store.readState()).production_sha_current).toBeNull();
    });
  });

  test.each(['release', 'deliveries'])(
    '%s on a healthy store is refused with exit 2 and changes nothing',
    async (part) => {
      const stateDir = await fileStoreWithClaims(2);
      const before = snapshotDir(stateDir);
      const human = await booty(['state', 'reset', part, '--state-dir', stateDir]);
      expect(human.status).toBe(2);
      expect(human.stdout).toBe('');
      expect(human.stderr).toMatch(/nothing/i);
      expectNoStackTrace(human);
      const json = await booty(['state', 'reset', part, '--state-dir', stateDir, '--json']);
      expect(json.status).toBe(2);
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: false,
        error: { code: 'STATE_INVALID_INPUT', details: { reason: 'nothing-to-reset' } },
      });
      expect(snapshotDir(stateDir)).toEqual(before);
    },
  );

  test('a part other than release or deliveries is a usage error, exit 2, before the store is opened', async () => {
    const stateDir = path.join(tempDir(), 'untouched');
    const result = await booty(['state', 'reset', 'everything', '--state-dir', stateDir]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('`release` or `deliveries`');
    expect(existsSync(stateDir)).toBe(false);
  });
});
