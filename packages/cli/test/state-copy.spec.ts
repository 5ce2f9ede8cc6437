import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { booty, expectNoStackTrace, tempDir } from './booty';
import { contentsOf, REPO, richFileStore, sha, snapshotDir, withLibraryStore } from './state-fixture';

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
      [['state', 'copy', '--state-dir', source, '--to', source], /names the source store itself/],
      [['state', 'copy', '--from', missing, '--to', path.join(tempDir(), 't')], /no state directory at/],
      // A URL of another scheme is refused, never taken for a directory named after it.
      [['state', 'copy', '--state-dir', source, '--to', 'mysql://ops:S3CRETpw@db.example.com/booty'], /not a postgres:\/\/ or postgresql:\/\/ URL/],
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
