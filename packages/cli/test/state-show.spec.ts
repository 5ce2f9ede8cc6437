// `booty state show`: the store's own release state (release.json), or one repository's, in text
// and --json, without reading .booty.yml and without creating or changing anything.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { booty, tempDir } from './booty';
import { OTHER_REPO, REPO, sha, snapshotDir, withLibraryStore } from './state-fixture';

async function storeWithRepositories(): Promise<string> {
  const stateDir = path.join(tempDir('booty-show-'), 'state');
  await withLibraryStore(stateDir, async (store) => {
    await store.updateState((s) => ({ ...s, production_sha_current: sha(1) }));
    const web = { repo: REPO };
    await store.updateState((s) => ({ ...s, production_sha_current: sha(2), last_deploy_result: 'success' }), web);
    const api = { repo: OTHER_REPO };
    await store.updateState((s) => ({ ...s, production_sha_current: sha(3), tenant: 'x\u001b[2Jy' }), api);
  });
  return stateDir;
}

describe('booty state show', () => {
  test("shows the store's own state and lists the repositories with one of their own", async () => {
    const stateDir = await storeWithRepositories();
    const before = snapshotDir(stateDir);
    const human = await booty(['state', 'show', '--state-dir', stateDir]);
    expect(human.status).toBe(0);
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`The release state (release.json) in the file store ${stateDir}:`);
    expect(lines[1]).toMatch(new RegExp(`^  production_sha_current: +${sha(1)}$`));
    expect(human.stdout).toMatch(/^ {2}last_deploy_result: +\(none\)$/m);
    const hint = '(booty state show --repo OWNER/NAME)';
    expect(lines.at(-1)).toBe(`Repositories with a state of their own ${hint}: ${OTHER_REPO}, ${REPO}`);
    const json = JSON.parse((await booty(['state', 'show', '--state-dir', stateDir, '--json'])).stdout);
    const store = { kind: 'file', location: stateDir };
    expect(json).toMatchObject({ ok: true, store, repo: null, repositories: [OTHER_REPO, REPO] });
    expect(json.state).toMatchObject({ production_sha_current: sha(1) });
    expect(snapshotDir(stateDir)).toEqual(before);
  });

  test("--repo shows that repository's state, in any case; one without a record, every field (none)", async () => {
    const stateDir = await storeWithRepositories();
    const human = await booty(['state', 'show', '--state-dir', stateDir, '--repo', 'Octo-Org/Web']);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^The release state of Octo-Org/Web in the file store `));
    expect(human.stdout).toMatch(new RegExp(`^  production_sha_current: +${sha(2)}$`, 'm'));
    expect(human.stdout).toMatch(/^ {2}last_deploy_result: +success$/m);
    expect(human.stdout).not.toContain('Repositories with');
    const args = ['state', 'show', '--state-dir', stateDir, '--repo', 'someone/else', '--json'];
    const json = JSON.parse((await booty(args)).stdout);
    const empty = { production_sha_current: null, last_deploy_result: null };
    expect(json).toMatchObject({ repo: 'someone/else', state: empty });
  });

  test('a bad repository is a usage error (exit 2); a damaged state exit 1 naming the repair', async () => {
    const stateDir = await storeWithRepositories();
    for (const repo of ['not a repo', '']) {
      const bad = await booty(['state', 'show', '--state-dir', stateDir, '--repo', repo]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/--repo needs a repository|--repo .* is not a repository: expected "owner\/name"/);
    }
    const file = path.join(stateDir, 'repositories', `${encodeURIComponent(REPO)}.json`);
    writeFileSync(file, '{"production_sha_current": ');
    const damaged = await booty(['state', 'show', '--state-dir', stateDir, '--repo', REPO]);
    expect(damaged.status).toBe(1);
    expect(damaged.stderr).toContain('booty state reset release');
  });
});
