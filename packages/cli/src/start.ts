// How `booty` starts: bin/booty.js (a plain `#!/usr/bin/env node` file) requires dist/booty.js,
// which is this module, built by scripts/bundle.mjs; it runs the bundle of everything else
// (dist/booty.bundle.js) through V8's code cache and exports the CLI's `main` and `runCli`.
//
// Compiling and first-running ~450 KB of JavaScript is most of what `booty` adds to Node's own
// start. Node's module.enableCompileCache() (Node >= 22.1) caches only what V8 compiles before
// the first line runs; esbuild's module wrappers are compiled lazily, so little of the bundle
// lands in it. Here the cache is taken at exit, after the command ran, so it holds every
// function that command used, and it works on every Node line we support (20 included).
//
// The cache is an optimisation and never the reason a command fails: any problem (no uid on
// this platform, a directory we cannot create or do not own, a cache V8 rejects, a full disk)
// means compiling from source as usual. Set NODE_DISABLE_COMPILE_CACHE=1 to turn it off; with
// source maps on (`node --enable-source-maps`) the cache is not used either (loadBundle says why).
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as vmConstants, Script } from 'node:vm';
// The one safe reader (a small module of node:fs calls, inlined here by the build).
import { readFileSafelySync } from '@booty/release-state/read-file';
import type * as Cli from './index';

/** The bundle's content hash, set by the build: a cache made for one build is never offered to another. */
declare const BUNDLE_KEY: string;

const BUNDLE = join(__dirname, 'booty.bundle.js');
/** Enough for a few installed versions on a few Node lines; older caches are removed on a save. */
const KEEP = 32;
/** A cache is about 0.5 MB; anything far larger was not written here. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * <tmpdir>/booty-code-cache-<uid>, mode 0700. V8 trusts a code cache it accepts, so one is read
 * only from a real directory (not a symlink) owned by this user that nobody else can write.
 */
function cacheDir(): string | undefined {
  if (process.env['NODE_DISABLE_COMPILE_CACHE'] || typeof process.getuid !== 'function') return undefined;
  const uid = process.getuid();
  const dir = join(tmpdir(), `booty-code-cache-${uid}`);
  try {
    let stats = lstatSync(dir, { throwIfNoEntry: false });
    if (stats === undefined) {
      mkdirSync(dir, { mode: 0o700 });
      stats = lstatSync(dir);
    }
    return stats.isDirectory() && stats.uid === uid && (stats.mode & 0o077) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One cache per command (`governor status`, `config validate`...): each holds what its command
 * runs. Node options get their own caches too: V8 rejects a cache made under other flags, and
 * runs with and without them would otherwise keep replacing each other's.
 */
function cacheName(): string {
  const words: string[] = [];
  for (const arg of process.argv.slice(2, 4)) {
    if (!/^[a-z][a-z-]{0,31}$/.test(arg)) break;
    words.push(arg);
  }
  const flags = `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`.trim();
  return `${BUNDLE_KEY}-${process.version}-${process.arch}-${words.join('-') || 'none'}${flags ? `-${fnv1a(flags)}` : ''}`;
}

/**
 * A cache holds what the run that wrote it compiled. A run that exits 0 went the command's whole
 * way; one that stopped early (bad usage, a missing file) compiled a fraction of it. So a cache
 * from an unsuccessful run is kept under its own name and used only until the command succeeds
 * once, which writes the full cache: the first run never decides the cache for good.
 */
interface CacheFiles {
  dir: string;
  full: string;
  partial: string;
}

function cacheFilesIn(dir: string): CacheFiles {
  const stem = cacheName();
  return { dir, full: `${stem}.v8cache`, partial: `${stem}.partial.v8cache` };
}

/** The full cache if there is one, else the partial one, with which of the two it is. */
function readCache(files: CacheFiles): { data: Buffer; kind: 'full' | 'partial' } | undefined {
  for (const kind of ['full', 'partial'] as const) {
    try {
      // A regular file of ours only: never a link, a FIFO or a device someone left in its place.
      const data = readFileSafelySync(join(files.dir, files[kind]), { maxBytes: MAX_CACHE_BYTES, symlinks: 'refuse' });
      return { data, kind };
    } catch {
      // No cache yet (this run writes one), or one that is not a cache (this run replaces it).
    }
  }
  return undefined;
}

/** At exit: a success writes the full cache (spending a partial one); a failure writes a partial one if none was usable. */
function saveAtExit(files: CacheFiles, script: Script, code: number, accepted: 'partial' | undefined): void {
  if (code === 0) {
    save(files.dir, files.full, script);
    rmQuietly(join(files.dir, files.partial));
  } else if (accepted === undefined) {
    save(files.dir, files.partial, script);
  }
}

/** A short hash for a file name (FNV-1a, 32 bits); loading node:crypto would cost more than it saves. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/** Whole files only (temp file + rename), so a concurrent reader never sees half of one. */
function save(dir: string, name: string, script: Script): void {
  const target = join(dir, name);
  const temp = `${target}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, script.createCachedData(), { mode: 0o600, flag: 'wx' });
    renameSync(temp, target);
    const entries = readdirSync(dir);
    if (entries.length > KEEP) {
      const byAge = entries
        .map((entry) => ({ entry, mtime: statSync(join(dir, entry)).mtimeMs }))
        .sort((a, b) => b.mtime - a.mtime);
      for (const { entry } of byAge.slice(KEEP)) rmSync(join(dir, entry), { force: true });
    }
  } catch {
    rmQuietly(temp);
  }
}

/** Removes a file, or leaves it: the cache must never fail a command. */
function rmQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // force ignores only ENOENT: a directory we may not write (mode 0500, or not really ours
    // inside a user namespace) makes rmSync throw too.
  }
}

/**
 * Runs the bundle as a CommonJS module would run, compiled with the cache when there is one.
 * With source maps on (`--enable-source-maps`), `require` loads it instead, without the cache:
 * Node applies dist/booty.bundle.js.map to stack traces only for modules it loads itself, never
 * to code run through `vm.Script`. A run without the flag pays one property read for this.
 */
function loadBundle(): typeof Cli {
  if (process.sourceMapsEnabled) return createRequire(__filename)(BUNDLE) as typeof Cli;
  const dir = cacheDir();
  const files = dir === undefined ? undefined : cacheFilesIn(dir);
  const found = files === undefined ? undefined : readCache(files);
  const script = new Script(wrap(readFileSync(BUNDLE, 'utf8')), {
    filename: BUNDLE,
    cachedData: found?.data,
    // A dynamic import() inside the bundle resolves as it would in a normal module (Node >= 20.12).
    importModuleDynamically: vmConstants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const accepted = script.cachedDataRejected ? undefined : found?.kind;
  // A run with the full cache, accepted, writes nothing: the common case costs nothing at exit.
  if (files !== undefined && accepted !== 'full') {
    process.once('exit', (code) => saveAtExit(files, script, code, accepted));
  }
  const bundle = { exports: {} as typeof Cli, id: BUNDLE, filename: BUNDLE, loaded: false };
  script.runInThisContext()(bundle.exports, createRequire(BUNDLE), bundle, BUNDLE, __dirname);
  bundle.loaded = true;
  return bundle.exports;
}

const cli = loadBundle();

/** The program: runs the command line and owns the process (exit status, signals, closed pipes). */
export const main = cli.main;
/** Runs the `booty` command line and resolves to its exit status; never calls process.exit. */
export const runCli = cli.runCli;
