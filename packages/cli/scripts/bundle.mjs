// Bundles the CLI (its own code, the @booty libraries, clipanion, yaml, lockfile and ajv's
// runtime helpers) into dist/booty.js. One minified file instead of ~200 modules makes
// `booty` start at little more than the cost of Node itself (see tools/bench), and the
// installed CLI carries no runtime dependencies. Runs after `tsc` as part of the build target.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: packageDir,
  entryPoints: ['dist/index.js'],
  outfile: 'dist/booty.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
