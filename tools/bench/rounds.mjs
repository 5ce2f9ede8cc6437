// How the paired subjects of a section take turns, so that drift of a shared machine falls on
// each of them alike: every subject once a round, in an order that changes every round.
import { performance } from 'node:perf_hooks';

/** Runs every function of `subjects` once a round, the order rotated every round; the series in ms by name. */
export async function interleave(rounds, subjects) {
  const names = Object.keys(subjects);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      const started = performance.now();
      await subjects[name](i);
      times[name].push(performance.now() - started);
    }
  }
  return times;
}

/** Alternates `a` and `b` (order swapped every round) and returns both series in ms. */
export async function alternate(rounds, a, b) {
  const times = { a: [], b: [] };
  for (let i = 0; i < rounds; i++) {
    for (const [name, fn] of i % 2 === 0
      ? [
          ['a', a],
          ['b', b],
        ]
      : [
          ['b', b],
          ['a', a],
        ]) {
      const started = performance.now();
      await fn(i);
      times[name].push(performance.now() - started);
    }
  }
  return times;
}
