// Each backend's claim against its floor, measured in turns in the same run:
//   PostgreSQL: a bare INSERT … ON CONFLICT DO NOTHING round trip through the same driver (pg),
//               on the same server, into a table of the same shape; both directly and through
//               PgBouncer in transaction mode (the claim through PgBouncer against the floor
//               through the same PgBouncer, in the same rounds as the direct pair);
//   file store: the bare durable sequence it cannot avoid: create a file exclusively, write the
//               entry, fsync it, link it to its name, fsync the directory.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { sha } from '../layouts/common.mjs';
import { alternate, interleave } from '../rounds.mjs';
import { median, ratioRow, round } from '../table.mjs';
import { entryCodec } from './stores.mjs';

const require = createRequire(import.meta.url);

/** The row of a claim against its floor: `times` from alternate(claim, floor); target ratio <= `limit`. */
function againstFloor(figure, floorLabel, times, limit, samples) {
  return ratioRow({
    section: 'backends',
    figure,
    ours: { label: 'claim', value: round(median(times.a)), unit: 'ms' },
    pair: { label: floorLabel, value: round(median(times.b)), unit: 'ms' },
    ratio: median(times.a) / median(times.b),
    target: { op: '<=', value: limit },
    samples,
  });
}

/**
 * The PostgreSQL claim (`pgStore`, from openStores) against its floor: same driver, same server, a
 * table of the same shape; directly and through `bouncer` (when there is one), all four in the
 * same rounds. The floor is unnamed, as the store's statements are (a named one would not survive
 * a pooler in transaction mode).
 */
export async function postgresFloorRows({ admin, server, bouncer, pgStore, openReleaseStore, pgRounds, log }) {
  const pg = require('pg');
  const rows = [];
  await admin.query(`CREATE TABLE "${pgStore.schema}".floor (LIKE "${pgStore.schema}".deliveries INCLUDING ALL)`);
  const floorSql =
    `INSERT INTO "${pgStore.schema}".floor (key, delivery_id, recorded_at, attempt, claim_token) ` +
    'VALUES ($1, $2, now(), 1, gen_random_uuid()) ON CONFLICT (key) DO NOTHING';
  const floorPool = (url) => {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    pool.on('error', () => undefined);
    return pool;
  };
  const direct = floorPool(server.url());
  const claimOn = (store, salt) => (i) => {
    return store.deliveries.claim({ repo: 'bench/floor', headSha: sha(i, salt), deliveryId: `c-${i}` });
  };
  const floorOn = (pool, salt) => (i) => pool.query(floorSql, [`bench/floor:${sha(i, salt)}`, `f-${i}`]);
  const subjects = { claim: claimOn(pgStore.store, 'pgclaim'), floor: floorOn(direct, 'pgfloor') };
  let pooled = null;
  let bouncerStore = null;
  if (bouncer !== null) {
    pooled = floorPool(bouncer.url());
    bouncerStore = await openReleaseStore({ url: bouncer.url({ schema: pgStore.schema }) });
    subjects.bouncerClaim = claimOn(bouncerStore, 'pgbclaim');
    subjects.bouncerFloor = floorOn(pooled, 'pgbfloor');
  }
  for (let i = 0; i < 10; i++) for (const run of Object.values(subjects)) await run(1_000_000 + i);
  const paths = bouncer === null ? '' : ', directly and through PgBouncer';
  log(`backends: PostgreSQL claim vs bare INSERT … ON CONFLICT DO NOTHING${paths}, ${pgRounds} rounds`);
  const pgTimes = await interleave(pgRounds, subjects);
  await direct.end();
  const directFigure = 'PostgreSQL claim / bare INSERT … ON CONFLICT DO NOTHING (same driver, same run)';
  rows.push(againstFloor(directFigure, 'bare INSERT', { a: pgTimes.claim, b: pgTimes.floor }, 1.5, pgRounds));
  if (bouncer !== null) {
    await pooled.end();
    await bouncerStore.close();
    rows.push(
      againstFloor(
        'PostgreSQL through PgBouncer (transaction mode): claim / bare INSERT … ON CONFLICT DO NOTHING, ' +
          'both through it (same run)',
        'bare INSERT',
        { a: pgTimes.bouncerClaim, b: pgTimes.bouncerFloor },
        1.5,
        pgRounds,
      ),
    );
    rows.push(
      ratioRow({
        section: 'backends',
        kind: 'reference',
        figure: 'PostgreSQL claim through PgBouncer (transaction mode) / direct claim (same run)',
        ours: { label: 'through PgBouncer', value: round(median(pgTimes.bouncerClaim)), unit: 'ms' },
        pair: { label: 'direct', value: round(median(pgTimes.claim)), unit: 'ms' },
        ratio: median(pgTimes.bouncerClaim) / median(pgTimes.claim),
        samples: pgRounds,
      }),
    );
  }
  return rows;
}

/** The file-store claim (`fileStore`, from openStores) against the bare durable sequence, in the same directory. */
export async function fileFloorRows({ fileStore, samples, log }) {
  const { entryName, serializeEntry } = entryCodec();
  // Through fs.promises, as the store must (an async API: the same thread-pool round trips).
  const dirHandle = await fs.promises.open(fileStore.dir, 'r');
  const floorFile = async (i) => {
    const key = `bench/floor:${sha(i, 'filefloor')}`;
    const temp = path.join(fileStore.dir, `.floor-${process.pid}-${i}.tmp`);
    const bytes = serializeEntry({ key, deliveryId: `f-${i}`, recordedAt: new Date().toISOString() });
    const handle = await fs.promises.open(
      temp,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL,
      0o600,
    );
    try {
      await handle.write(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.link(temp, path.join(fileStore.dir, entryName(key)));
    await dirHandle.sync();
    return temp;
  };
  log(`backends: file-store claim vs the bare durable sequence, ${samples} alternating rounds`);
  const temps = [];
  const filePair = await alternate(
    samples,
    (i) =>
      fileStore.store.deliveries.claim({ repo: 'bench/floor', headSha: sha(i, 'fileclaim'), deliveryId: `c-${i}` }),
    async (i) => temps.push(await floorFile(i)),
  );
  await dirHandle.close();
  for (const temp of temps) fs.rmSync(temp, { force: true });
  return [
    againstFloor(
      'File-store claim / bare create-exclusive, write, fsync, link, fsync dir (same run)',
      'bare sequence',
      filePair,
      1.2,
      samples,
    ),
  ];
}
