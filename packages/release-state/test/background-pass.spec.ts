// The background prune pass as it ships (dist/): a claim that makes a pass due starts it, the
// pass sweeps in a worker thread (src/file/ledger/sweep.ts), and its result is the same rule's:
// past the redelivery window and over the count limit, entries go; inside it, they stay; the
// Python export and the bookkeeping are written. (Under test, the TypeScript sources sweep in
// their own thread: test/file-store/pruning.spec.ts.)
import { spawnSync } from 'node:child_process';
import { promises as fsp, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { entryName, serializeEntry } from '../src/file/ledger/entry';
import { openFileStore } from '../src/file/store';
import { makeTempDir, removeTempDir } from './helpers';

const FIXTURE = path.join(__dirname, 'fixtures', 'background-pass.cjs');
const DAY = 24 * 60 * 60 * 1000;
const SHA = (n: number) => n.toString(16).padStart(40, '0');

describe('the background prune pass of the built package', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir('background-pass');
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('sweeps in a worker thread: old entries over the limit go, young ones stay, the export is written', async () => {
    const stateDir = path.join(dir, 'state');
    await (await openFileStore({ stateDir })).close();
    const ledger = path.join(stateDir, 'deliveries');
    await fsp.mkdir(ledger, { recursive: true, mode: 0o700 });
    const now = Date.now();
    // 600 past the window (10 days old), 400 inside it (an hour old); the limit is 500.
    for (let n = 0; n < 1_000; n++) {
      const key = `octo/app:${SHA(n)}`;
      const recordedAt = new Date(now - (n < 600 ? 10 * DAY : 60 * 60 * 1000)).toISOString();
      writeFileSync(path.join(ledger, entryName(key)), serializeEntry({ key, deliveryId: `d-${n}`, recordedAt }));
    }
    const marker = { format_version: 1, python_source: 'absent', last_prune: null, entry_names: 'case-folded' };
    writeFileSync(path.join(ledger, '.ledger.json'), JSON.stringify(marker));

    const run = spawnSync(process.execPath, [FIXTURE, stateDir], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ claimed: true, workers: 1 });

    const store = await openFileStore({ stateDir, maxDeliveries: 500 });
    // Over the limit by 501: that many of the 600 old ones go, oldest (then first by name) first;
    // the 400 young ones and the trigger stay.
    expect(await store.deliveries.count()).toBe(500);
    expect(await store.deliveries.has({ repo: 'octo/app', headSha: SHA(0) })).toBe(false);
    expect(await store.deliveries.has({ repo: 'octo/app', headSha: SHA(999) })).toBe(true);
    const exportText = await fsp.readFile(path.join(stateDir, 'delivery_ids.json'), 'utf8');
    const exported = JSON.parse(exportText) as Record<string, string>;
    expect(Object.keys(exported)).toHaveLength(500);
    expect(exported[`octo/app:${SHA(999)}`]).toBe('d-999');
    const bookkeeping = await fsp.readFile(path.join(ledger, '.ledger.json'), 'utf8');
    expect((JSON.parse(bookkeeping) as { last_prune: string | null }).last_prune).not.toBeNull();
    await store.close();
  });
});
