import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadGovernor } from './governor';

// The README documents what `booty governor status --json` prints: its example must have the
// shape a real status has, key for key, so the documentation cannot drift from the code.

const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

function documentedStatus(): Record<string, unknown> {
  const match = /#### `GovernorStatus`[\s\S]*?```json\n([\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error('README has no GovernorStatus JSON example');
  return JSON.parse(match[1]) as Record<string, unknown>;
}

test('the GovernorStatus example has the keys of a real status, and the table names each', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'booty-governor-readme-'));
  try {
    writeFileSync(path.join(root, '.booty.yml'), 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n');
    const governor = await loadGovernor({ workspace: root, env: {}, stateDir: path.join(root, 'state') });
    const status = (await governor.status()) as unknown as Record<string, unknown>;
    await governor.close();
    const documented = documentedStatus();
    expect(Object.keys(documented).sort()).toEqual(Object.keys(status).sort());
    expect(Object.keys(documented['store'] as object).sort()).toEqual(Object.keys(status['store'] as object).sort());
    expect(Object.keys(documented['deliveries'] as object).sort()).toEqual(Object.keys(status['deliveries'] as object).sort());
    const settings = documented['settings'] as Record<string, { value: unknown; origin: string }>;
    for (const [key, entry] of Object.entries(settings)) {
      expect(Object.keys((status['settings'] as Record<string, unknown>)[key] as object)).toEqual(Object.keys(entry));
    }
    for (const key of ['store', 'stateDir', 'settings', 'overrides', 'state', 'deliveries', 'advice']) expect(readme).toContain(`| \`${key}\` |`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
