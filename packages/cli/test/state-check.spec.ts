import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { booty, cleanEnv, expectNoStackTrace, tempDir } from './booty';
import {
  corruptEntry,
  corruptRelease,
  CORRUPT_ENTRY,
  CORRUPT_RELEASE,
  fileStoreWithClaims,
  sha,
  snapshotDir,
} from './state-fixture';

describe('booty state check (file store)', () => {
  test('a healthy store: exit 0, says healthy with the claim count, changes nothing', async () => {
    const stateDir = await fileStoreWithClaims(3);
    const before = snapshotDir(stateDir);

    const human = await booty(['state', 'check', '--state-dir', stateDir]);
    expect(human.stderr).toBe('');
    expect(human.status).toBe(0);
    expect(human.stdout).toContain(`healthy: file store ${stateDir}`);
    expect(human.stdout).toContain('4 claims');

    const json = await booty(['state', 'check', '--json'], { env: cleanEnv({ RELEASE_GOVERNOR_STATE_DIR: stateDir }) });
    expect(json.status).toBe(0);
    const limit = { maxDeliveries: 10_000, windowDays: 4, inWindow: 4, exceeded: false };
    const store = { kind: 'file', location: stateDir };
    expect(JSON.parse(json.stdout)).toEqual({ ok: true, healthy: true, store, deliveries: 4, limit, problems: [] });
    expect(snapshotDir(stateDir)).toEqual(before);
  });

  test('a corrupt release.json and a damaged ledger entry: exit 1, both named with their repair, nothing changed', async () => {
    const stateDir = await fileStoreWithClaims(3);
    const releaseFile = corruptRelease(stateDir);
    const entryFile = corruptEntry(stateDir, sha(2));
    const before = snapshotDir(stateDir);

    const human = await booty(['state', 'check', '--state-dir', stateDir]);
    expect(human.status).toBe(1);
    expect(human.stdout).toContain(`damaged: file store ${stateDir}: 2 problems`);
    expect(human.stdout).toContain(`  ${releaseFile}:`);
    expect(human.stdout).toContain(`  ${entryFile}:`);
    expect(human.stdout).toContain('repair: booty state reset release');
    expect(human.stdout).toContain('repair: booty state reset deliveries');
    expect(human.stdout).toMatch(/Nothing was changed\.\n$/);
    expectNoStackTrace(human);

    const json = await booty(['state', 'check', '--state-dir', stateDir, '--json']);
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      ok: true,
      healthy: false,
      store: { kind: 'file', location: stateDir },
      deliveries: 3,
    });
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ part: 'release', target: releaseFile, repair: 'booty state reset release' }),
        expect.objectContaining({ part: 'deliveries', target: entryFile, repair: 'booty state reset deliveries' }),
      ]),
    );
    expect(report.problems).toHaveLength(2);
    expect(snapshotDir(stateDir)).toEqual(before);
    expect(readFileSync(releaseFile, 'utf8')).toBe(CORRUPT_RELEASE);
    expect(readFileSync(entryFile, 'utf8')).toBe(CORRUPT_ENTRY);
  });

  test('the store can come from a --dotenv, as the server reads it', async () => {
    const stateDir = await fileStoreWithClaims(1);
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'server.env'),
      `# the service's environment\nRELEASE_GOVERNOR_STATE_DIR="${stateDir}" # where the state is\n`,
    );
    const result = await booty(['state', 'check', '--dotenv', 'server.env', '--json'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      healthy: true,
      store: { kind: 'file', location: stateDir },
      deliveries: 2,
    });
  });

  test('a state directory that does not exist: exit 2 naming it, nothing created', async () => {
    const stateDir = path.join(tempDir(), 'no-such-state');
    const result = await booty(['state', 'check', '--state-dir', stateDir]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`no state directory at ${stateDir}`);
    expect(result.stderr).toContain('Nothing was created or changed');
    expect(existsSync(stateDir)).toBe(false);
    expectNoStackTrace(result);
  });
});
