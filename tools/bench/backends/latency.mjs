// Claim latency at 1k and 100k stored keys, on both backends: round-robin across sizes and
// backends, so that drift of the machine falls on each alike.
import { performance } from 'node:perf_hooks';
import { sha } from '../layouts/common.mjs';
import { detailRow, median, percentile, ratioRow, round } from '../table.mjs';
import { BACKENDS, NAMES, SIZES } from './stores.mjs';

/** `samples` claims of fresh keys on each store of openStores(); the ratio 100k / 1k and p95 per size. */
export async function latencyRows(stores, samples, log) {
  log(`backends: claim latency, ${samples} per size and backend`);
  const latency = { file: { 1000: [], 100000: [] }, postgres: { 1000: [], 100000: [] } };
  for (let i = 0; i < samples; i++) {
    for (const kind of BACKENDS) {
      for (const size of SIZES) {
        const started = performance.now();
        const result = await stores[kind][size].store.deliveries.claim({
          repo: 'bench/measure',
          headSha: sha(i, `m${kind}${size}`),
          deliveryId: `measure-${i}`,
        });
        latency[kind][size].push(performance.now() - started);
        if (!result.claimed) throw new Error(`backends: ${kind}: a fresh key was not claimed`);
      }
    }
  }
  const rows = [];
  for (const kind of BACKENDS) {
    rows.push(
      ratioRow({
        section: 'backends',
        kind: 'reference',
        figure: `Claim latency at 100k / 1k stored keys, ${NAMES[kind]}`,
        ours: { label: '100k keys', value: round(median(latency[kind][100000])), unit: 'ms' },
        pair: { label: '1k keys', value: round(median(latency[kind][1000])), unit: 'ms' },
        ratio: median(latency[kind][100000]) / median(latency[kind][1000]),
        samples,
      }),
    );
    for (const size of SIZES) {
      rows.push(
        detailRow({
          section: 'backends',
          figure: `Claim p95 at ${size / 1000}k keys, ${NAMES[kind]}`,
          ours: { label: NAMES[kind], value: round(percentile(latency[kind][size], 0.95)), unit: 'ms' },
        }),
      );
    }
  }
  return rows;
}
