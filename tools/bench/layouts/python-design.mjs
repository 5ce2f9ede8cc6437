// The Python store's design (test/fixtures/python-design.cjs): one JSON object rewritten whole
// on every record, "seen?" and "record" as two steps. For comparison only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireFixture } from './common.mjs';

const { PythonDesignLedger } = requireFixture('python-design.cjs');

export const name = 'python-design';
export const description = 'single delivery_ids.json, read then rewritten whole per record';

export async function populate(stateDir, n) {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const data = {};
  for (let i = 0; i < n; i++) data[`bench/seed:${i.toString(16).padStart(40, '0')}`] = `seed-${i}`;
  fs.writeFileSync(path.join(stateDir, 'delivery_ids.json'), JSON.stringify(data));
}

export async function open(stateDir) {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const ledger = new PythonDesignLedger(path.join(stateDir, 'delivery_ids.json'));
  return {
    claim: async (repo, headSha, deliveryId) => ({
      claimed: await ledger.checkThenRecord(`${repo}:${headSha}`, deliveryId),
    }),
    count: async () => Object.keys(await ledger.read()).length,
    close: async () => {},
  };
}
