// The tests' throwaway PostgreSQL server and PgBouncer, for the sections that measure PostgreSQL
// (backends, fenced): packages/release-state/test/support/pg-server.ts and pgbouncer.ts,
// bundled on the fly with esbuild.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './layouts/common.mjs';

const require = createRequire(import.meta.url);

/** The tests' server and PgBouncer helpers, as one CommonJS file (one copy of their state). */
export async function loadPgSupport(dir) {
  const outfile = path.join(dir, 'pg-support.cjs');
  await build({
    stdin: {
      contents: "export * from './pg-server'; export * from './pgbouncer';",
      resolveDir: path.join(ROOT, 'packages/release-state/test/support'),
      loader: 'ts',
    },
    outfile,
    platform: 'node',
    format: 'cjs',
    bundle: true,
    logLevel: 'warning',
  });
  return require(outfile);
}
