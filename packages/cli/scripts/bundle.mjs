// The CLI's build after `tsc`, in three steps, each one esbuild call:
//   1. dist/booty.bundle.js: the CLI's own code, the @booty libraries, clipanion, yaml, lockfile
//      and config's generated validators in one minified file. One file instead of ~200 modules,
//      compiled once per machine (step 3's code cache) instead of once per run, makes `booty`
//      start at little more than the cost of Node itself (see tools/bench), and the installed
//      CLI has no runtime dependencies.
//   2. dist/postgres.js: the PostgreSQL driver, loaded only when a postgres:// store is opened.
//   3. dist/booty.js: src/start.ts, the start of `booty` (bin/booty.js requires it), built with
//      the hash of step 1's output as its cache key.
// Each step's esbuild result (with its metafile) is kept in `results`, for steps that follow:
// after step 2, scripts/notices.mjs writes the licence notices of what steps 1 and 2 inlined.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeNoticesOrFail } from './notices.mjs';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const at = (file) => fileURLToPath(new URL(`../${file}`, import.meta.url));

// Built-ins that only some commands need (crypto: temp-file names and ledger keys on writes;
// child_process: `verifier run`; worker_threads: one id in temp-file names; assert: signal-exit's
// argument checks, once lockfile is loaded). Each is loaded on its first use instead of at start:
// `governor status` never loads crypto or child_process (test/startup.spec.ts).
const LAZY_BUILTINS = ['crypto', 'child_process', 'worker_threads', 'assert'];

/** `require('node:crypto')` in the bundle becomes an object that requires it on first access. */
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(pluginBuild) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
    pluginBuild.onResolve({ filter }, (args) =>
      // Inside the stand-in itself, the real module (external, as every built-in).
      args.namespace === 'lazy-builtin'
        ? { path: args.path, external: true }
        : { path: `node:${args.path.replace(/^node:/, '')}`, namespace: 'lazy-builtin' },
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      loader: 'js',
      contents: `let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
    return descriptor && { ...descriptor, configurable: true };
  },
});
`,
    }));
  },
};

// The PostgreSQL driver (pg) goes into dist/postgres.js, which the bundle requires only when a
// postgres:// store is opened: the file store never pays to load it, and the CLI still needs no
// runtime dependencies. (release-state requires 'pg' lazily, at that moment.)
const pgApart = {
  name: 'pg-apart',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^pg$/ }, () => ({ path: './postgres.js', external: true }));
  },
};

/** What every output file is: CommonJS for Node 20, everything bundled in. */
const common = {
  absWorkingDir: packageDir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  metafile: true, // what went into each file: scripts/notices.mjs writes the licence notices from it
};

// The minified files get a source map beside them (`<file>.map`, named by a comment at the end),
// which Node reads only when source maps are on (`node --enable-source-maps`, or NODE_OPTIONS):
// then a stack trace names the modules the code came from (`config/dist/load.js:45`) instead of
// `booty.bundle.js:1:123456`. Without the sources' text, which a stack trace does not need: the two
// maps add 0.7 MB to the install instead of 1.9 MB. How dist/booty.js honours the flag: src/start.ts.
const mapped = { sourcemap: 'linked', sourcesContent: false };

const results = {};

results.bundle = await build({
  ...common,
  entryPoints: ['dist/index.js'],
  outfile: 'dist/booty.bundle.js',
  minify: true,
  legalComments: 'linked',
  ...mapped,
  plugins: [lazyBuiltins, pgApart],
});

results.postgres = await build({
  ...common,
  stdin: { contents: "module.exports = require('pg');", resolveDir: packageDir, loader: 'js' },
  outfile: 'dist/postgres.js',
  minify: true,
  legalComments: 'linked',
  ...mapped,
  // pg's optional native binding: never installed here; pg only loads it when asked to.
  external: ['pg-native'],
});
writeNoticesOrFail({ packageDir, metafiles: [results.bundle.metafile, results.postgres.metafile] });

// Not minified, so that a stack trace through it reads plainly; its export names stay visible to
// Node's CommonJS lexer (esbuild annotates them), so `import { runCli } from '@booty/cli'` works.
const bundleKey = createHash('sha256')
  .update(readFileSync(at('dist/booty.bundle.js')))
  .digest('hex')
  .slice(0, 16);
results.start = await build({
  ...common,
  entryPoints: ['src/start.ts'],
  outfile: 'dist/booty.js',
  define: { BUNDLE_KEY: JSON.stringify(bundleKey) },
});
