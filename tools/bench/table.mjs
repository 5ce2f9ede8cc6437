// Rows of the benchmark table and their Markdown form.
//
// A row is { section, kind, figure, ours, pair, ratio, target, met, samples?, note? }:
//   kind    'target' (a figure of issue 6 with its target), 'reference' (shown for context, no
//           target) or 'detail' (an absolute figure behind the ratios)
//   ours    { label, value, unit }   what we measured (a median unless the figure says otherwise)
//   pair    { label, value, unit } | null   what it is compared with, from the same run
//   ratio   number | null   as the figure's wording says (e.g. "ours / pair")
//   target  { op: '<=' | '>=' | '=', value } | null;  met: boolean | null

export const round = (value, digits = 3) =>
  value === null || value === undefined || Number.isNaN(value) ? null : Number(value.toFixed(digits));

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export function meets(value, target) {
  if (!target || value === null || value === undefined) return null;
  if (target.op === '<=') return value <= target.value;
  if (target.op === '>=') return value >= target.value;
  return value === target.value;
}

export function ratioRow({ section, kind = 'target', figure, ours, pair, ratio, target = null, samples, note }) {
  const row = {
    section,
    kind,
    figure,
    ours,
    pair,
    ratio: round(ratio, 2),
    target,
    met: meets(round(ratio, 2), target),
  };
  if (samples !== undefined) row.samples = samples;
  if (note !== undefined) row.note = note;
  return row;
}

export function detailRow({ section, figure, ours, target = null, samples, note }) {
  const row = {
    section,
    kind: 'detail',
    figure,
    ours,
    pair: null,
    ratio: null,
    target,
    met: meets(ours.value, target),
  };
  if (samples !== undefined) row.samples = samples;
  if (note !== undefined) row.note = note;
  return row;
}

const KIND_ORDER = { target: 0, reference: 1, detail: 2 };

/** Targets first, then references, then details; within each, the order the sections gave. */
export function ordered(rows) {
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => KIND_ORDER[a.row.kind] - KIND_ORDER[b.row.kind] || a.index - b.index)
    .map(({ row }) => row);
}

const cell = (text) => String(text).replace(/\|/g, '\\|');
const amount = (measure) => (measure ? `${measure.value} ${measure.unit}`.trim() : '—');
const targetText = (target, isRatio) => (target ? `${target.op} ${target.value}${isRatio ? 'x' : ''}` : '—');

export function markdown(rows) {
  return [
    '| Figure | Ours | Pair | Ratio | Target | Met |',
    '|---|---:|---:|---:|---|---|',
    ...rows.map((row) => {
      const figure = row.note ? `${row.figure} (${row.note})` : row.figure;
      const met = row.met === null ? '—' : row.met ? 'yes' : '**no**';
      const ratio = row.ratio === null ? '—' : `${row.ratio}x`;
      const target = cell(targetText(row.target, row.ratio !== null));
      const cells = [cell(figure), cell(amount(row.ours)), cell(amount(row.pair)), ratio, target, met];
      return `| ${cells.join(' | ')} |`;
    }),
  ].join('\n');
}
