// A child process of the backends throughput measurement: opens the store ({ stateDir } or
// { url }) through @booty/release-state's openReleaseStore, then claims `count` distinct keys
// on the protocol of workers.mjs (ready, start line, one JSON line {t0, t1, count, claimed}).
import { requireDist, sha } from './layouts/common.mjs';
import { timedClaims } from './workers.mjs';

const { openReleaseStore } = requireDist('index');
const { location, count, tag } = JSON.parse(process.argv[2]);
// No count limit to meet (PostgreSQL has none; the file store's is raised): the rows measure claims.
const options = location.stateDir === undefined ? location : { ...location, maxDeliveries: 10_000_000 };
const store = await openReleaseStore(options);
const timed = await timedClaims(count, (i) =>
  store.deliveries.claim({ repo: 'bench/throughput', headSha: sha(i, tag), deliveryId: `${tag}-${i}` }),
);
await store.close();
process.stdout.write(`${JSON.stringify(timed)}\n`);
process.exit(0);
