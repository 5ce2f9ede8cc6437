#!/usr/bin/env node
// Starts a throwaway npm registry (verdaccio 5) on 127.0.0.1 for the registry end-to-end test and
// for trying a deploy on a laptop:
//
//   npm ci --prefix tools/registry
//   node tools/registry/start.mjs            # prints one JSON line: {"url", "dir", "npmrc", ...}
//   NPM_CONFIG_USERCONFIG=<npmrc> DEPLOY_SHA=$(git rev-parse HEAD) node tools/deploy/publish.mjs
//
// `@booty/*` lives only here (no uplink, so nothing can shadow what we publish); every other
// package is proxied to the uplink (default: the registry `npm config get registry` names).
// A throwaway user is created through the registry's own API and its token written to an
// .npmrc in the registry's directory, the way CI gets its token.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `Usage: node tools/registry/start.mjs [--dir DIR] [--port N] [--uplink URL] [--exit-with-parent]

  --dir DIR           storage, config and .npmrc go here (default: a new temp directory)
  --port N            port on 127.0.0.1 (default 0: the system picks a free one)
  --uplink URL        where packages other than @booty/* come from (default: npm config get registry)
  --exit-with-parent  stop when the process that started this one goes away
`;

function fail(code, message) {
  process.stderr.write(`registry: ${code}: ${message}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      dir: { type: 'string' },
      port: { type: 'string', default: '0' },
      uplink: { type: 'string' },
      'exit-with-parent': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
} catch (error) {
  fail('REGISTRY_USAGE', `${error.message}\n${USAGE}`);
}
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  fail('REGISTRY_USAGE', `--port expects a whole number from 0 to 65535, got "${args.port}"`);
}

const require = createRequire(import.meta.url);
let runServer;
try {
  ({ runServer } = require('verdaccio'));
} catch {
  fail('REGISTRY_NOT_INSTALLED', 'verdaccio is not installed in tools/registry. Fix: npm ci --prefix tools/registry');
}

const uplink = args.uplink ?? execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
let uplinkUrl;
try {
  uplinkUrl = new URL(uplink);
} catch {
  fail('REGISTRY_USAGE', `--uplink expects a URL, got "${uplink}"`);
}

const dir = resolve(args.dir ?? mkdtempSync(join(tmpdir(), 'booty-registry-')));
mkdirSync(join(dir, 'storage'), { recursive: true });
const configPath = join(dir, 'config.yaml');
// JSON is valid YAML: no hand-written quoting of paths.
const config = {
  storage: join(dir, 'storage'),
  auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 10, algorithm: 'bcrypt' } },
  uplinks: { upstream: { url: uplinkUrl.href, timeout: '60s', max_fails: 5 } },
  packages: {
    // First match wins: our scope is local only, so a public @booty package can never leak in.
    '@booty/*': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' },
    '**': { access: '$all', publish: '$authenticated', unpublish: '$authenticated', proxy: 'upstream' },
  },
  web: { enable: false },
  middlewares: { audit: { enabled: false } },
  server: { keepAliveTimeout: 60 },
  // stdout carries the one JSON line callers parse, so the registry's own log goes to a file.
  log: { type: 'file', path: join(dir, 'verdaccio.log'), format: 'pretty', level: 'http' },
};
writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
// runServer does not set up verdaccio's logger (its CLI does): without this it logs to stdout.
require('verdaccio/build/lib/logger').setup(config.log);

let app;
try {
  app = await runServer(configPath);
} catch (error) {
  fail('REGISTRY_START', `verdaccio did not start with ${configPath}: ${error.message}`);
}
await new Promise((resolveListen, rejectListen) => {
  app.once('error', rejectListen);
  app.listen(port, '127.0.0.1', resolveListen);
}).catch((error) => fail('REGISTRY_LISTEN', `cannot listen on 127.0.0.1:${port}: ${error.message}`));

const address = app.address();
const url = `http://127.0.0.1:${address.port}/`;

// A throwaway account: npm refuses to publish without credentials, even to a registry that would
// accept it, so the local run goes through the same token path as CI.
const user = 'booty-local';
const password = randomBytes(18).toString('base64url');
const response = await fetch(new URL(`-/user/org.couchdb.user:${user}`, url), {
  method: 'PUT',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name: user, password, email: 'booty-local@example.invalid' }),
}).catch((error) => fail('REGISTRY_USER', `creating the throwaway user at ${url} failed: ${error.message}`));
const body = await response.json().catch(() => ({}));
if (!response.ok || typeof body.token !== 'string') {
  fail('REGISTRY_USER', `creating the throwaway user failed: HTTP ${response.status} ${JSON.stringify(body)}`);
}
const npmrc = join(dir, '.npmrc');
const hostKey = `//127.0.0.1:${address.port}/`;
writeFileSync(npmrc, `registry=${url}\n${hostKey}:_authToken=${body.token}\n`, { mode: 0o600 });

process.stdout.write(`${JSON.stringify({ url, dir, npmrc, uplink: uplinkUrl.href, pid: process.pid })}\n`);

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  app.close(() => process.exit(0));
  // Keep-alive sockets can hold close() open; do not outlive the caller's patience.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

if (args['exit-with-parent']) {
  const parent = process.ppid;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      stop();
    }
  }, 1000).unref();
}
