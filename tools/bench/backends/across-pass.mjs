// The rows of claims across a due prune pass, on both backends (the runs: prune-pass.mjs),
// default options: the slowest claim against the median one, with the pass due and without.
import * as path from 'node:path';
import { fileAcrossPass, postgresAcrossPass } from '../prune-pass.mjs';
import { detailRow, median, percentile, ratioRow, round } from '../table.mjs';
import { BACKENDS, entryCodec, NAMES } from './stores.mjs';

function maxOverMedian(times, figure, rowKind, target) {
  return ratioRow({
    section: 'backends',
    kind: rowKind,
    figure,
    ours: { label: 'max', value: round(Math.max(...times)), unit: 'ms' },
    pair: { label: 'median', value: round(median(times)), unit: 'ms' },
    ratio: Math.max(...times) / median(times),
    target,
    samples: times.length,
  });
}

/** Claims across a due pass at `passSize` keys, then the rows of each backend. */
export async function acrossPassRows({ scratch, server, admin, passSize, openReleaseStore, log }) {
  const passDir = path.join(scratch, 'pass', 'state');
  const runs = {
    file: await fileAcrossPass({ stateDir: passDir, size: passSize, openReleaseStore, codec: entryCodec(), log }),
    postgres: await postgresAcrossPass({
      url: server.url({ schema: 'pass' }),
      schema: 'pass',
      admin,
      size: passSize,
      openReleaseStore,
      log,
    }),
  };
  const rows = [];
  for (const kind of BACKENDS) {
    const { control, across, passClaims, passMs, removed } = runs[kind];
    const name = NAMES[kind];
    const label = `${passSize / 1000}k`;
    const crossing = `Claim latency max / median at ${label} keys, across a due prune pass (defaults), ${name}`;
    rows.push(maxOverMedian(across, crossing, 'target', { op: '<=', value: 20 }));
    const still = `Claim latency max / median at ${label} keys, no pass due (control: same store, before), ${name}`;
    rows.push(maxOverMedian(control, still, 'reference', null));
    const p99 = { label: name, value: round(percentile(across, 0.99)), unit: 'ms' };
    const p99Figure = `Claim p99 across the prune pass at ${label} keys, ${name}`;
    rows.push(detailRow({ section: 'backends', figure: p99Figure, ours: p99 }));
    const note = `${passClaims} claims beside it, ${removed} removed`;
    const [value, unit] = passMs === null ? [passClaims, 'claims'] : [round(passMs, 0), 'ms'];
    const ours = { label: name, value, unit };
    const passFigure = `Prune pass at ${label} keys in the background, ${name}`;
    rows.push(detailRow({ section: 'backends', figure: passFigure, ours, note }));
  }
  return rows;
}
