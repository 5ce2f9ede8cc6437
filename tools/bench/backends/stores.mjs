// The stores the backends section measures: a file store and a PostgreSQL schema at each size,
// filled straight (setup, not measured), opened through openReleaseStore and warmed up.
import * as path from 'node:path';
import { requireDist, sha, writeSeedEntries } from '../layouts/common.mjs';

export const SIZES = [1_000, 100_000];
export const BACKENDS = ['file', 'postgres'];
/** Each backend as the table names it. */
export const NAMES = { file: 'file store', postgres: 'PostgreSQL' };

/** The ledger's entry codec, { entryName, serializeEntry }: the module layouts/entry-files.mjs uses. */
export const entryCodec = () => requireDist('file/ledger/entry');

/** n entries written straight into a fresh file store (setup, not measured). */
async function populateFile(stateDir, n, openReleaseStore) {
  await (await openReleaseStore({ stateDir })).close();
  writeSeedEntries(path.join(stateDir, 'deliveries'), n, entryCodec());
}

/** n rows inserted in one statement into a fresh schema (setup, not measured). */
async function populatePg(admin, schema, n) {
  await admin.query(
    `INSERT INTO "${schema}".deliveries (key, delivery_id, recorded_at, attempt)
     SELECT 'bench/seed:' || lpad(to_hex(i), 40, '0'), 'seed-' || i, now(), 1 FROM generate_series(0, $1::int - 1) AS i`,
    [n],
  );
  await admin.query(`ANALYZE "${schema}".deliveries`);
}

/**
 * Both backends at each size, `{ file: { [size]: { store, dir } }, postgres: { [size]: { store,
 * schema } } }`, each store warmed up with 10 claims.
 */
export async function openStores({ scratch, server, admin, openReleaseStore, log }) {
  const stores = { file: {}, postgres: {} };
  for (const size of SIZES) {
    const stateDir = path.join(scratch, `file-${size}`, 'state');
    log(`backends: file store: populating ${size} keys`);
    await populateFile(stateDir, size, openReleaseStore);
    stores.file[size] = {
      store: await openReleaseStore({ stateDir, maxDeliveries: 10_000_000 }),
      dir: path.join(stateDir, 'deliveries'),
    };
    const schema = `bench_${size}`;
    const url = server.url({ schema });
    await (await openReleaseStore({ url })).close();
    log(`backends: postgres: populating ${size} keys`);
    await populatePg(admin, schema, size);
    stores.postgres[size] = { store: await openReleaseStore({ url }), schema };
  }
  for (const kind of BACKENDS)
    for (const size of SIZES)
      for (let i = 0; i < 10; i++)
        await stores[kind][size].store.deliveries.claim({
          repo: 'bench/warmup',
          headSha: sha(i, `w${kind}${size}`),
          deliveryId: `warm-${i}`,
        });
  return stores;
}

export async function closeStores(stores) {
  for (const kind of BACKENDS) for (const size of SIZES) await stores[kind][size].store.close();
}
