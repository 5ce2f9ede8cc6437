import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { entryName, LEDGER_DIR } from '../../src/file/ledger/entry';
import { openFileStore } from '../../src/file/store';
import type { DeliveryKeyInput } from '../../src/shared/contract';
import { deliveryKey } from '../../src/shared/input';
import { describeStoreContract } from './suite';

describeStoreContract('file store', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'booty-rs-contract-'));
  const stateDir = path.join(dir, 'state');
  const open = () => openFileStore({ stateDir });
  const store = await open();
  const entryFile = (input: DeliveryKeyInput) => path.join(stateDir, LEDGER_DIR, entryName(deliveryKey(input, stateDir)));
  return {
    store,
    reopen: open,
    damage: {
      async corruptRelease() {
        await fsp.writeFile(path.join(stateDir, 'release.json'), '{"production_sha_current": ');
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
