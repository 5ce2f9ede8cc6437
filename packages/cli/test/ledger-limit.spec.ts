// A ledger over its count limit, where operators look: after a burst of 30,000 distinct claims
// with default options (a bulk fixture: what is shown is the ledger's size, not 30,000 claims),
// `governor status`, `state check` and `state prune` show the count, say the limit is exceeded,
// and give the fix; the prune keeps every claim (all are younger than the redelivery window).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { booty, cleanEnv, tempDir, workspace } from './booty';
import { REPO, withLibraryStore } from './state-fixture';

const BURST = 30_000;
/** A distinct full SHA per number (zero-padded: no two numbers share one). */
const sha = (n: number): string => n.toString(16).padStart(40, '0');
const ENABLED = 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n';

/** The library's entry codec (internal: the layout is the library's), for a bulk fixture only. */
function entryCodec(): {
  entryName(key: string): string;
  serializeEntry(record: { key: string; deliveryId: string; recordedAt: string }): Buffer;
} {
  const dist = path.dirname(require.resolve('@booty/release-state'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(dist, 'file', 'ledger', 'entry.js'));
}

/** A store holding BURST claims made over the last ten minutes. */
async function burstStore(): Promise<string> {
  const stateDir = path.join(tempDir('booty-limit-'), 'state');
  await withLibraryStore(stateDir, async (store) => {
    await store.deliveries.claim({ repo: REPO, headSha: sha(BURST), deliveryId: 'first' });
  });
  const { entryName, serializeEntry } = entryCodec();
  const ledger = path.join(stateDir, 'deliveries');
  mkdirSync(ledger, { recursive: true });
  const start = Date.now() - 10 * 60 * 1000;
  for (let n = 1; n < BURST; n++) {
    const key = `${REPO}:${sha(n)}`;
    const recordedAt = new Date(start + n * 20).toISOString();
    writeFileSync(path.join(ledger, entryName(key)), serializeEntry({ key, deliveryId: `burst-${n}`, recordedAt }));
  }
  return stateDir;
}

const LIMIT = { maxDeliveries: 10_000, windowDays: 4, inWindow: BURST, exceeded: true };
const STATE =
  `${BURST} entries against a limit of 10000: the ${BURST} younger than the 4-day redelivery window ` +
  'are kept whatever the count';

function expectNotice(stdout: string): void {
  expect(stdout).toContain(`over the count limit: ${STATE}`);
  expect(stdout).toMatch(/^ {2}fix: after a burst, nothing: .*`booty state prune`.*`booty state copy --to postgres:/m);
}

describe('a ledger over its count limit', () => {
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await burstStore();
  }, 120_000);

  test('governor status shows the count, that the limit is exceeded, and the fix', async () => {
    const dir = workspace({ '.booty.yml': ENABLED });
    const env = cleanEnv({ RELEASE_GOVERNOR_STATE_DIR: stateDir });
    const json = await booty(['governor', 'status', '--json'], { cwd: dir, env });
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout).deliveries).toEqual({ entries: BURST, damaged: 0, limit: LIMIT });
    const human = await booty(['governor', 'status'], { cwd: dir, env });
    expect(human.status).toBe(0);
    const recorded = `^ {2}deliveries recorded: +${BURST} \\(over the count limit of 10000: see below\\)$`;
    expect(human.stdout).toMatch(new RegExp(recorded, 'm'));
    expectNotice(human.stdout);
  });

  test("the README's lines of governor status are the ones it prints", async () => {
    const readme = readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');
    const shown = /^```console\n( {2}deliveries recorded: {6}30000 [\s\S]*?)^```/m.exec(readme)?.[1] ?? '';
    const dir = workspace({ '.booty.yml': ENABLED });
    const env = cleanEnv({ RELEASE_GOVERNOR_STATE_DIR: stateDir });
    const human = await booty(['governor', 'status'], { cwd: dir, env });
    const printed = human.stdout.split('\n');
    const lines = shown.replace(/\n$/, '').split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect({ line, printed: printed.includes(line) }).toEqual({ line, printed: true });
  });

  test('state check: healthy (exit 0), and over the limit, with the fix', async () => {
    const json = await booty(['state', 'check', '--state-dir', stateDir, '--json']);
    expect(json.status).toBe(0);
    const report = { ok: true, healthy: true, deliveries: BURST, limit: LIMIT, problems: [] };
    expect(JSON.parse(json.stdout)).toMatchObject(report);
    const human = await booty(['state', 'check', '--state-dir', stateDir]);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^healthy: /);
    expectNotice(human.stdout);
  });

  test('state prune removes nothing younger than the window, and says the ledger stays over its limit', async () => {
    const json = await booty(['state', 'prune', '--state-dir', stateDir, '--json'], { timeoutMs: 60_000 });
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, removed: 0, kept: BURST, limit: LIMIT });
    const human = await booty(['state', 'prune', '--state-dir', stateDir], { timeoutMs: 60_000 });
    expect(human.stdout).toMatch(new RegExp(`^pruned: 0 removed, ${BURST} kept in the file store `));
    expectNotice(human.stdout);
    await withLibraryStore(stateDir, async (store) => {
      // The oldest of the burst, redelivered: not claimed again.
      const again = await store.deliveries.claim({ repo: REPO, headSha: sha(1), deliveryId: 'burst-1' });
      expect(again).toMatchObject({ claimed: false, redelivery: true });
    });
  });
});
