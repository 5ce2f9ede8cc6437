import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { entryName, LEDGER_DIR, MARKER_FILE, serializeEntry, spelledEntryName } from '../../src/file/ledger/entry';
import { REPOSITORIES_DIR } from '../../src/file/repository-states';
import { openFileStore } from '../../src/file/store';
import type { DeliveryKeyInput } from '../../src/shared/contract-deliveries';
import { DEFAULTS } from '../../src/shared/options';
import { deliveryKey } from '../../src/shared/input';
import { describeStoreContract } from './suite';

describeStoreContract('file store', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'booty-rs-contract-'));
  const stateDir = path.join(dir, 'state');
  const open = () => openFileStore({ stateDir });
  const store = await open();
  const entryFile = (input: DeliveryKeyInput) =>
    path.join(stateDir, LEDGER_DIR, entryName(deliveryKey(input, stateDir)));
  let copies = 0;
  return {
    store,
    reopen: open,
    maxDeliveries: DEFAULTS.maxDeliveries,
    async copy() {
      const copy = path.join(dir, `copy-${++copies}`);
      const done = spawnSync('cp', ['-a', stateDir, copy], { encoding: 'utf8' });
      if (done.status !== 0) throw new Error(`cp -a failed: ${done.stderr}`);
      return openFileStore({ stateDir: copy });
    },
    damage: {
      async seed(records) {
        const ledger = path.join(stateDir, LEDGER_DIR);
        await fsp.mkdir(ledger, { recursive: true, mode: 0o700 });
        // Synchronous writes: a fixture of tens of thousands of small files, not the claim path.
        for (const record of records) {
          writeFileSync(path.join(ledger, spelledEntryName(record.key)), serializeEntry(record));
        }
        // The bookkeeping an earlier version left: names by spelling, a prune pass due.
        const marker = path.join(ledger, MARKER_FILE);
        const kept = JSON.parse(await fsp.readFile(marker, 'utf8').catch(() => '{}')) as Record<string, unknown>;
        const earlier = { format_version: 1, python_source: kept['python_source'] ?? 'absent', last_prune: null };
        await fsp.writeFile(marker, JSON.stringify(earlier));
      },
      async corruptRelease(repo) {
        const ofRepo = (name: string) => path.join(REPOSITORIES_DIR, `${encodeURIComponent(name)}.json`);
        const file = repo === undefined ? 'release.json' : ofRepo(repo);
        await fsp.writeFile(path.join(stateDir, file), '{"production_sha_current": ');
      },
      async corruptDelivery(input) {
        await fsp.writeFile(entryFile(input), '{"key": 12');
      },
      async backdate(input, ageMs) {
        const file = entryFile(input);
        const entry = JSON.parse(await fsp.readFile(file, 'utf8')) as Record<string, unknown>;
        for (const field of ['recordedAt', 'completedAt']) {
          const value = entry[field];
          if (typeof value === 'string') entry[field] = new Date(Date.parse(value) - ageMs).toISOString();
        }
        await fsp.writeFile(file, `${JSON.stringify(entry)}\n`);
      },
    },
    async cleanup() {
      await store.close();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
});
