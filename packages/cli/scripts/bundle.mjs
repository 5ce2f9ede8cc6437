// Bundles the CLI (its own code, the @booty libraries, clipanion, yaml, lockfile and ajv's
// runtime helpers) into dist/booty.bundle.js, and writes dist/booty.js, the small loader that
// runs it through V8's code cache (scripts/cached-loader.cjs). One minified file instead of ~200
// modules, compiled once per machine instead of once per run, makes `booty` start at little more
// than the cost of Node itself (see tools/bench), and the installed CLI carries no runtime
// dependencies. Runs after `tsc` as part of the build target.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
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
      args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: `node:${args.path.replace(/^node:/, '')}`, namespace: 'lazy-builtin' },
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

// The PostgreSQL driver (pg) goes into a second file, dist/postgres.js, that the bundle requires
// only when a postgres:// store is opened: the file store never pays to load it, and the CLI
// still needs no runtime dependencies. (release-state requires 'pg' lazily, at that moment.)
const pgApart = {
  name: 'pg-apart',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^pg$/ }, () => ({ path: './postgres.js', external: true }));
  },
};

/** What both output files are: one minified CommonJS file for Node 20, everything bundled in. */
const common = {
  absWorkingDir: packageDir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: true, // what went into each file: scripts/notices.mjs writes the licence notices from it
};

const bundle = await build({
  ...common,
  entryPoints: ['dist/index.js'],
  outfile: 'dist/booty.bundle.js',
  plugins: [lazyBuiltins, pgApart],
});

const postgres = await build({
  ...common,
  stdin: { contents: "module.exports = require('pg');", resolveDir: packageDir, loader: 'js' },
  outfile: 'dist/postgres.js',
  // pg's optional native binding: never installed here; pg only loads it when asked to.
  external: ['pg-native'],
});
writeNoticesOrFail({ packageDir, metafiles: [bundle.metafile, postgres.metafile] });

// The cache key: a cache made for one build is never offered to another.
const key = createHash('sha256').update(readFileSync(at('dist/booty.bundle.js'))).digest('hex').slice(0, 16);
const loader = readFileSync(at('scripts/cached-loader.cjs'), 'utf8');
if (!loader.includes("'__BUNDLE_KEY__'")) throw new Error('scripts/cached-loader.cjs has no __BUNDLE_KEY__ placeholder to fill in');
writeFileSync(at('dist/booty.js'), loader.replace("'__BUNDLE_KEY__'", `'${key}'`));
