// Claims per second on both backends: PROCESSES processes claiming together against 1 process
// claiming as many alone (backend-worker.mjs, on the protocol of workers.mjs).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { detailRow, ratioRow, round } from '../table.mjs';
import { runTogether, startWorker } from '../workers.mjs';
import { BACKENDS, NAMES } from './stores.mjs';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'backend-worker.mjs');
export const PROCESSES = 8;
export const PER_PROCESS = 200;

async function throughput(location, processes, perProcess, tag) {
  const workers = Array.from({ length: processes }, (_, w) =>
    startWorker(WORKER, { location, count: perProcess, tag: `${tag}${w}` }, 'backend worker'),
  );
  const { results, t0, t1, total } = await runTogether(workers);
  return { perSecond: (total / (t1 - t0)) * 1000, total, claimed: results.reduce((sum, r) => sum + r.claimed, 0) };
}

/** The ratio 8 processes / 1, and how many of the concurrent distinct claims were won, per backend. */
export async function throughputRows({ scratch, server, perProcess, log }) {
  const rows = [];
  for (const kind of BACKENDS) {
    const location = (name) =>
      kind === 'file'
        ? { stateDir: path.join(scratch, `tp-${name}`, 'state') }
        : { url: server.url({ schema: `tp_${name}` }) };
    log(`backends: ${NAMES[kind]}: claims/s, 1 process x ${perProcess * PROCESSES}, then ${PROCESSES} x ${perProcess}`);
    const one = await throughput(location('one'), 1, perProcess * PROCESSES, 'one');
    const many = await throughput(location('many'), PROCESSES, perProcess, 'many');
    rows.push(
      ratioRow({
        section: 'backends',
        kind: 'reference',
        figure: `Claims per second, ${PROCESSES} processes (aggregate) / 1 process, ${NAMES[kind]}`,
        ours: { label: `${PROCESSES} processes`, value: round(many.perSecond, 0), unit: '/s' },
        pair: { label: '1 process', value: round(one.perSecond, 0), unit: '/s' },
        ratio: many.perSecond / one.perSecond,
        samples: many.total,
      }),
    );
    rows.push(
      detailRow({
        section: 'backends',
        figure: `Claimed of ${many.total} distinct concurrent claims, ${NAMES[kind]}`,
        ours: { label: NAMES[kind], value: many.claimed, unit: `of ${many.total}` },
        target: { op: '=', value: many.total },
      }),
    );
  }
  return rows;
}
