// Shared by the benchmark layouts: the built package (internal modules included), and helpers.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DIST = path.join(ROOT, 'packages', 'release-state', 'dist');

export function requireDist(module) {
  const file = path.join(DIST, `${module}.js`);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: build first (npx nx run-many -t build, or npm run bench which builds).`);
  }
  return require(file);
}

export function requireFixture(name) {
  return require(path.join(ROOT, 'packages', 'release-state', 'test', 'fixtures', name));
}

/** A deterministic, distinct full 40-hex-digit commit id for (salt, n). */
export function sha(n, salt) {
  return createHash('sha1').update(`${salt}:${n}`).digest('hex');
}

/**
 * Writes n claims (keys `bench/seed:<i as 40 hex digits>`) straight into a deliveries directory
 * with the package's codec, { entryName, serializeEntry } (setup, not measured), recorded now or,
 * with `spanMs`, spread evenly over the last `spanMs` (oldest first), and the ledger's
 * bookkeeping as after a prune pass at `lastPrune` (default: now): nothing to import, names
 * by this version's rule. Returns the bookkeeping's last_prune.
 */
export function writeSeedEntries(dir, n, { entryName, serializeEntry }, { spanMs = 0, lastPrune = new Date() } = {}) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const key = `bench/seed:${i.toString(16).padStart(40, '0')}`;
    const recordedAt = new Date(now - spanMs + (spanMs * i) / n).toISOString();
    fs.writeFileSync(path.join(dir, entryName(key)), serializeEntry({ key, deliveryId: `seed-${i}`, recordedAt }));
  }
  const marker = {
    format_version: 1,
    python_source: 'absent',
    last_prune: lastPrune.toISOString(),
    entry_names: 'case-folded',
  };
  fs.writeFileSync(path.join(dir, '.ledger.json'), JSON.stringify(marker));
  return marker.last_prune;
}
