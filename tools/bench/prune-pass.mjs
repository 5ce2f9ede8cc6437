// Claims across a due prune pass, at 100,000 stored keys, with default options: how long the
// slowest claim takes against the median one. No claim runs a pass itself: a due pass starts in
// the background of the claiming process, and this measures what it costs the claims beside it.
// The stores hold the steady state of 25,000 claims a day:
//   file store: 100,000 entries spread over the last 4.04 days (the redelivery window, and about
//     an hour of claims past it that the count limit of 10,000 then removes);
//   PostgreSQL: 100,000 rows spread over the last 31 days (a day of them past the 30-day
//     retention).
// First CONTROL claims with no pass due (the same store, the same process: what this machine
// gives without a pass), then the pass is made due (the file store's bookkeeping says the last
// pass was 2 hours ago; on PostgreSQL the 1,000th claim of the process makes it due) and the
// claims go on, one after another, each timed alone, until the pass has ended and AFTER more.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sha, writeSeedEntries } from './layouts/common.mjs';

const DAY = 24 * 60 * 60 * 1000;
const CONTROL = 900;
const AFTER = 200;
const CAP = 40_000;

async function timed(times, claim) {
  const started = performance.now();
  const result = await claim();
  times.push(performance.now() - started);
  if (!result.claimed) throw new Error('prune-pass: a fresh key was not claimed');
}

/** The file store: claims until the pass has written its bookkeeping, then AFTER more. */
export async function fileAcrossPass({ stateDir, size, openReleaseStore, codec, log }) {
  await (await openReleaseStore({ stateDir })).close();
  const dir = path.join(stateDir, 'deliveries');
  log(`backends: file store: populating ${size} keys over 4.04 days`);
  writeSeedEntries(dir, size, codec, { spanMs: 4.04 * DAY });
  const store = await openReleaseStore({ stateDir });
  const claim = (i) => store.deliveries.claim({ repo: 'bench/pass', headSha: sha(i, 'file'), deliveryId: `p-${i}` });
  log(`backends: file store: ${CONTROL} claims with no pass due, then claims across one`);
  const control = [];
  for (let i = 0; i < CONTROL; i++) await timed(control, () => claim(i));
  // The last pass two hours ago, as the bookkeeping now says: the next claim starts one.
  const marker = path.join(dir, '.ledger.json');
  const lastPrune = new Date(Date.now() - 2 * 60 * 60 * 1000).toISOString();
  fs.writeFileSync(marker, JSON.stringify({ ...JSON.parse(fs.readFileSync(marker, 'utf8')), last_prune: lastPrune }));
  const passDone = () => JSON.parse(fs.readFileSync(marker, 'utf8')).last_prune !== lastPrune;
  const across = [];
  let passClaims = null;
  let passMs = null;
  const passStarted = performance.now();
  for (let i = CONTROL; i < CAP; i++) {
    await timed(across, () => claim(i));
    if (passClaims === null && passDone()) {
      passClaims = across.length;
      passMs = performance.now() - passStarted;
    }
    if (passClaims !== null && across.length >= passClaims + AFTER) break;
  }
  const kept = await store.deliveries.count();
  await store.close();
  if (passClaims === null) throw new Error(`prune-pass: the file store's pass did not end within ${CAP} claims`);
  return { control, across, passClaims, passMs, removed: size + CONTROL + across.length - kept };
}

/** PostgreSQL: claims until the pass has removed the rows past the retention, then AFTER more. */
export async function postgresAcrossPass({ url, schema, admin, size, openReleaseStore, log }) {
  await (await openReleaseStore({ url })).close();
  log(`backends: postgres: populating ${size} keys over 31 days`);
  await admin.query(
    `INSERT INTO "${schema}".deliveries (key, delivery_id, recorded_at, attempt)
     SELECT 'bench/seed:' || lpad(to_hex(i), 40, '0'), 'seed-' || i, now() - (31 - 31.0 * i / $1) * interval '1 day', 1
     FROM generate_series(0, $1::int - 1) AS i`,
    [size],
  );
  await admin.query(`ANALYZE "${schema}".deliveries`);
  const oldRows = `SELECT count(*) AS n FROM "${schema}".deliveries WHERE recorded_at < now() - interval '30 days'`;
  const old = async () => Number((await admin.query(oldRows)).rows[0].n);
  const removed = await old();
  const store = await openReleaseStore({ url });
  const claim = (i) => store.deliveries.claim({ repo: 'bench/pass', headSha: sha(i, 'pgpass'), deliveryId: `p-${i}` });
  log(`backends: postgres: ${CONTROL} claims with no pass due, then claims across one (due at the 1,000th)`);
  const control = [];
  for (let i = 0; i < CONTROL; i++) await timed(control, () => claim(i));
  const across = [];
  let passClaims = null;
  for (let i = CONTROL; i < CAP; i++) {
    await timed(across, () => claim(i));
    // Looked at between claims (never during one), every 10 claims once the pass is due.
    if (passClaims === null && i + 1 >= 1_000 && (i + 1) % 10 === 0 && (await old()) === 0) passClaims = i + 1 - 1_000;
    if (passClaims !== null && i + 1 >= 1_000 + passClaims + AFTER) break;
  }
  await store.close();
  if (passClaims === null) throw new Error(`prune-pass: the PostgreSQL pass did not end within ${CAP} claims`);
  return { control, across, passClaims, passMs: null, removed };
}
