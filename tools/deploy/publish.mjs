#!/usr/bin/env node
// Deploy = publish this repository's packages as they are at one commit.
//
//   DEPLOY_SHA=<sha> node tools/deploy/publish.mjs [options]
//
// 1. DEPLOY_SHA must name a commit (7-40 hex characters) and HEAD must be that commit, so what
//    is published is exactly what was asked for (and what "Verify main" verified).
// 2. Every public workspace package whose exact version is already on the registry is skipped
//    with a "skipped" line: reruns are harmless, and a commit that bumps no version publishes
//    nothing. Versions are cut with `nx release`, never here.
// 3. Otherwise: build (through Nx), then `npm publish` each remaining package, dependencies first.
//    The registry is the one the environment names (npm_config_registry / NPM_CONFIG_REGISTRY /
//    .npmrc); provenance is requested only where npm can produce it (GitHub Actions with an
//    id-token, the public npm registry, a public repository).
//
// Credentials are npm's business. deploy.yml passes --trusted-publishing: npm then logs in with
// the job's OIDC token (npm's trusted publishing; no stored token), and this script first checks
// what that needs (an id-token, npm >= 11.5.1, no NODE_AUTH_TOKEN, every package already on the
// registry, since trusted publishing cannot create one). Elsewhere npm uses the .npmrc's token or
// login, and at a terminal it can ask for a one-time password (the first publish, by hand).
//
// Exit status: 0 done (published or skipped); 1 the deploy failed or was refused (nothing after
// the failing package was published); 2 bad usage or set-up (missing or malformed DEPLOY_SHA,
// unknown flag, trusted publishing without what it needs).
// Runs the same on a laptop against a local registry (see tools/registry/start.mjs).
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { annotateError, onActions } from './github-actions.mjs';

const USAGE = `Usage: DEPLOY_SHA=<sha> node tools/deploy/publish.mjs [options]

Publishes every workspace package whose version is not yet on the registry, at commit DEPLOY_SHA.

Options:
  --sha SHA               the commit to deploy (default: $DEPLOY_SHA)
  --root DIR              the repository (default: the one holding this script)
  --require-ancestor REF  refuse unless DEPLOY_SHA is in the history of REF (deploy.yml: origin/main)
  --provenance MODE       auto (default), always or never; also $DEPLOY_PROVENANCE
  --trusted-publishing    log in with the GitHub Actions job's OIDC token (npm trusted publishing), no stored
                          token; refused off Actions, and for a package the registry does not have yet
  --allow-dirty           publish even if the work tree has uncommitted changes (local trials only)
  --skip-build            use the existing dist/ output instead of building
  --dry-run               check everything and show what would be published, publish nothing
  --help                  this text

The registry is npm's: $npm_config_registry, $NPM_CONFIG_REGISTRY, then .npmrc (npm config get registry).
`;

/** A refused or failed deploy: a stable code, the message (what, where, the fix) and details. */
class DeployError extends Error {
  constructor(code, message, { exitCode = 1, details = {} } = {}) {
    super(message);
    this.name = 'DeployError';
    this.code = code;
    this.exitCode = exitCode;
    this.details = details;
  }
}

// npm's trusted publishing: https://docs.npmjs.com/trusted-publishers
const TRUSTED_PUBLISHING = { npm: '11.5.1', node: '22.14.0' };
// What older actions/setup-node exported as NODE_AUTH_TOKEN when none was given: not a token.
const SETUP_NODE_PLACEHOLDER = 'XXXXX-XXXXX-XXXXX-XXXXX-XXXXX';
const FIRST_PUBLISH = 'tools/deploy/README.md, "The first publish"';

function say(line) {
  process.stdout.write(`${line}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) {
    throw new DeployError('DEPLOY_TOOL_MISSING', `cannot run ${command}: ${result.error.message}. Fix: install ${command} and put it on PATH.`);
  }
  return result;
}

function git(root, args) {
  return run('git', ['-C', root, ...args]);
}

function parseCli(argv) {
  try {
    return parseArgs({
      args: argv,
      options: {
        sha: { type: 'string' },
        root: { type: 'string' },
        'require-ancestor': { type: 'string' },
        provenance: { type: 'string' },
        'allow-dirty': { type: 'boolean', default: false },
        'skip-build': { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        'trusted-publishing': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new DeployError('DEPLOY_USAGE', `${error.message}\n\n${USAGE}`, { exitCode: 2 });
  }
}

/** DEPLOY_SHA must be there, look like a SHA, name a commit, and that commit must be HEAD. */
function checkCommit(root, requested, requireAncestor) {
  if (!requested) {
    throw new DeployError(
      'DEPLOY_SHA_MISSING',
      'DEPLOY_SHA is not set: the deploy must name the commit it publishes. Nothing was published. ' +
        'Fix: DEPLOY_SHA=$(git rev-parse HEAD) node tools/deploy/publish.mjs',
      { exitCode: 2 },
    );
  }
  const sha = requested.trim().toLowerCase();
  if (!/^[0-9a-f]{7,40}$/.test(sha)) {
    throw new DeployError(
      'DEPLOY_SHA_INVALID',
      `DEPLOY_SHA is "${requested}": expected 7-40 hex characters (a commit SHA or its prefix). Nothing was published.`,
      { exitCode: 2, details: { requested } },
    );
  }
  if (git(root, ['rev-parse', '--git-dir']).status !== 0) {
    throw new DeployError('DEPLOY_NOT_A_REPOSITORY', `${root} is not a git work tree: a deploy publishes a commit. Fix: run it in a clone (or pass --root).`, {
      exitCode: 2,
    });
  }
  const resolved = git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${sha}^{commit}`]);
  if (resolved.status !== 0) {
    const why = resolved.stderr.trim();
    throw new DeployError(
      'DEPLOY_SHA_UNKNOWN',
      `DEPLOY_SHA ${sha} does not name exactly one commit in ${root}${why ? ` (git: ${why})` : ''}. Nothing was published. ` +
        'Fix: fetch full history (actions/checkout fetch-depth: 0) or give more characters of the SHA.',
      { details: { requested: sha, root } },
    );
  }
  const full = resolved.stdout.trim();
  const head = git(root, ['rev-parse', 'HEAD']).stdout.trim();
  if (head !== full) {
    throw new DeployError(
      'DEPLOY_SHA_MISMATCH',
      `HEAD of ${root} is ${head}, but DEPLOY_SHA names ${full}: the checkout is not the commit this deploy was asked for. ` +
        `Nothing was published. Fix: git checkout ${full} (or set DEPLOY_SHA to the commit you mean).`,
      { details: { head, deploySha: full } },
    );
  }
  if (requireAncestor) {
    const onBranch = git(root, ['merge-base', '--is-ancestor', full, requireAncestor]);
    if (onBranch.status !== 0) {
      throw new DeployError(
        'DEPLOY_SHA_NOT_ON_BRANCH',
        `${full} is not in the history of ${requireAncestor}${onBranch.stderr.trim() ? ` (git: ${onBranch.stderr.trim()})` : ''}: ` +
          'only commits that reached it are deployed. Nothing was published.',
        { details: { deploySha: full, ref: requireAncestor } },
      );
    }
  }
  return full;
}

function checkClean(root, allowDirty) {
  const status = git(root, ['status', '--porcelain', '--untracked-files=normal']);
  const changed = status.stdout.split('\n').filter(Boolean);
  if (changed.length === 0) return;
  const list = changed.slice(0, 10).join('\n  ') + (changed.length > 10 ? `\n  … and ${changed.length - 10} more` : '');
  if (!allowDirty) {
    throw new DeployError(
      'DEPLOY_DIRTY_TREE',
      `the work tree of ${root} has uncommitted changes, so what would be published is not the commit:\n  ${list}\n` +
        'Nothing was published. Fix: commit or remove them (or pass --allow-dirty for a local trial).',
      { details: { changed } },
    );
  }
  say(`warning: publishing with uncommitted changes (--allow-dirty):\n  ${list}`);
}

function resolveRegistry(root) {
  const fromEnv = process.env.npm_config_registry || process.env.NPM_CONFIG_REGISTRY;
  const value = fromEnv || run('npm', ['config', 'get', 'registry'], { cwd: root }).stdout.trim();
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new DeployError('DEPLOY_REGISTRY_INVALID', `the registry "${value}" is not a URL. Fix: set npm_config_registry to the registry's URL.`, {
      exitCode: 2,
    });
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** Public workspace packages, dependencies before dependents. */
function findPackages(root) {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const patterns = Array.isArray(manifest.workspaces) ? manifest.workspaces : (manifest.workspaces?.packages ?? []);
  const dirs = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*') && !pattern.slice(0, -2).includes('*')) {
      const parent = join(root, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const entry of readdirSync(parent, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.isDirectory() && existsSync(join(parent, entry.name, 'package.json'))) dirs.push(join(parent, entry.name));
      }
    } else if (!pattern.includes('*')) {
      if (existsSync(join(root, pattern, 'package.json'))) dirs.push(join(root, pattern));
    } else {
      throw new DeployError('DEPLOY_WORKSPACES', `workspace pattern "${pattern}" in ${join(root, 'package.json')} is not supported (only "dir/*" and plain paths).`);
    }
  }
  const packages = dirs
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest: m }) => !m.private && m.name && m.version)
    .map(({ dir, manifest: m }) => ({
      dir,
      name: m.name,
      version: m.version,
      deps: Object.keys({ ...m.dependencies, ...m.peerDependencies, ...m.optionalDependencies }),
    }));
  const byName = new Map(packages.map((p) => [p.name, p]));
  const ordered = [];
  const state = new Map();
  const visit = (pkg, trail) => {
    if (state.get(pkg.name) === 'done') return;
    if (state.get(pkg.name) === 'visiting') {
      throw new DeployError('DEPLOY_CYCLE', `workspace packages depend on each other in a cycle: ${[...trail, pkg.name].join(' -> ')}`);
    }
    state.set(pkg.name, 'visiting');
    for (const dep of pkg.deps) {
      const inner = byName.get(dep);
      if (inner) visit(inner, [...trail, pkg.name]);
    }
    state.set(pkg.name, 'done');
    ordered.push(pkg);
  };
  for (const pkg of packages) visit(pkg, []);
  return ordered;
}

/** npm's error code and message: from its --json error object when there is one, else from stderr. */
function npmError(result) {
  try {
    const data = JSON.parse(result.stdout);
    if (data?.error?.code) {
      return { code: data.error.code, message: [data.error.summary, data.error.detail].filter(Boolean).join(' ').split('\n')[0] };
    }
  } catch {
    // Not JSON: fall through to the text form.
  }
  const stderr = result.stderr ?? '';
  const code = /npm (?:error|ERR!) code (\S+)/.exec(stderr)?.[1] ?? 'UNKNOWN';
  const lines = stderr
    .split('\n')
    .filter((line) => /^npm (error|ERR!)/.test(line) && !/ code |A complete log|^npm (error|ERR!)\s*$/.test(line))
    .map((line) => line.replace(/^npm (error|ERR!)\s*/, ''))
    .slice(0, 6);
  return { code, message: lines.join(' / ') || stderr.trim().split('\n').slice(-3).join(' / ') };
}

/**
 * Where name@version stands on the registry: 'published' (with the gitHead npm recorded, or ''),
 * 'new-version' (the package is there, this version is not) or 'new-package' (never published).
 */
function registryState(pkg, registry, root) {
  const view = run('npm', ['view', `${pkg.name}@${pkg.version}`, 'version', 'gitHead', '--json', '--prefer-online', '--registry', registry], {
    cwd: root,
  });
  if (view.status === 0) {
    const out = view.stdout.trim();
    if (!out) return { state: 'new-version' }; // the package exists, this version does not
    const data = JSON.parse(out);
    const entry = Array.isArray(data) ? data.find((d) => d.version === pkg.version) : data;
    if (!entry) return { state: 'new-version' };
    return { state: 'published', gitHead: typeof entry === 'object' ? (entry.gitHead ?? '') : '' };
  }
  const { code, message } = npmError(view);
  // npm says E404 both for a package that was never published and for a version it does not have
  // ("No match found for version"): asking for the package alone tells them apart.
  if (code === 'E404') {
    const args = ['view', pkg.name, 'name', '--json', '--prefer-online', '--registry', registry];
    const any = run('npm', args, { cwd: root });
    if (any.status === 0) return { state: 'new-version' };
    if (npmError(any).code === 'E404') return { state: 'new-package' };
  }
  throw new DeployError(
    'DEPLOY_REGISTRY_ERROR',
    `asking ${registry} whether ${pkg.name}@${pkg.version} is published failed (npm ${code}: ${message}). Nothing more was published. ` +
      'Fix: check the registry URL and that it is reachable, and the token if it needs one.',
    { details: { package: pkg.name, version: pkg.version, registry, npmCode: code } },
  );
}

/** Is version `have` (x.y.z) at least `want`? */
function atLeast(have, want) {
  const parts = (version) => version.replace(/^v/, '').split(/[.-]/).slice(0, 3).map(Number);
  const [a, b] = [parts(have), parts(want)];
  for (let i = 0; i < 3; i += 1) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

/** What npm's trusted publishing needs from the job: an OIDC token to ask for, and no stored token. */
function checkTrustedPublishingJob() {
  if (!onActions) {
    throw new DeployError(
      'DEPLOY_OIDC_UNAVAILABLE',
      '--trusted-publishing logs in with the OIDC token of a GitHub Actions job, and this is not one. ' +
        'Nothing was published. Fix: leave the option out and log in to the registry yourself (npm login); ' +
        `see ${FIRST_PUBLISH}.`,
      { exitCode: 2 },
    );
  }
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL || !process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new DeployError(
      'DEPLOY_OIDC_UNAVAILABLE',
      'this job cannot request an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set), so npm cannot log in by ' +
        'trusted publishing. Nothing was published. Fix: give the job `permissions: id-token: write` ' +
        '(.github/workflows/deploy.yml).',
      { exitCode: 2 },
    );
  }
  const token = process.env.NODE_AUTH_TOKEN;
  if (token && token !== SETUP_NODE_PLACEHOLDER) {
    throw new DeployError(
      'DEPLOY_TOKEN_SET',
      'NODE_AUTH_TOKEN is set, but trusted publishing uses no stored npm token (and npm would fall back to it if ' +
        'the OIDC login failed). Nothing was published. Fix: remove NODE_AUTH_TOKEN, and the secret it comes from, ' +
        'from the workflow.',
      { exitCode: 2 },
    );
  }
}

/** What npm's trusted publishing needs from the tools: npm and Node.js new enough (npm's documentation). */
function checkTrustedPublishingTools(root) {
  const npmVersion = run('npm', ['--version'], { cwd: root }).stdout.trim();
  if (!atLeast(npmVersion, TRUSTED_PUBLISHING.npm) || !atLeast(process.versions.node, TRUSTED_PUBLISHING.node)) {
    throw new DeployError(
      'DEPLOY_NPM_TOO_OLD',
      `trusted publishing needs npm ${TRUSTED_PUBLISHING.npm} or later and Node.js ${TRUSTED_PUBLISHING.node} ` +
        `or later; this job has npm ${npmVersion || '(unknown)'} and Node.js ${process.versions.node}. ` +
        'Nothing was published. ' +
        'Fix: set up Node 24 (actions/setup-node, node-version: 24), whose npm is new enough.',
      { exitCode: 2, details: { npm: npmVersion, node: process.versions.node } },
    );
  }
}

/** The lines npm logs about its OIDC login (at --loglevel verbose): why trusted publishing did not log in. */
function oidcLog(stderr) {
  return (stderr ?? '')
    .split('\n')
    .filter((line) => /^npm (verbose|silly) oidc /.test(line))
    // The registry's words: no control characters reach the log.
    // eslint-disable-next-line no-control-regex
    .map((line) => line.replace(/^npm (verbose|silly) oidc /, '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ''))
    .slice(0, 5);
}

function wantProvenance(mode, registry) {
  if (mode === 'never') return { on: false, why: 'disabled (--provenance never)' };
  if (mode === 'always') return { on: true, why: 'requested (--provenance always)' };
  if (mode !== 'auto') {
    throw new DeployError('DEPLOY_USAGE', `--provenance is "${mode}": expected auto, always or never.`, { exitCode: 2 });
  }
  if (!onActions) return { on: false, why: 'not on GitHub Actions' };
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL) return { on: false, why: 'no id-token (the job needs permissions: id-token: write)' };
  if (new URL(registry).host !== 'registry.npmjs.org') return { on: false, why: `${registry} is not the public npm registry` };
  try {
    const event = JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH ?? '', 'utf8'));
    if (event.repository?.private !== false) return { on: false, why: 'the repository is not public' };
  } catch {
    return { on: false, why: 'the event payload (GITHUB_EVENT_PATH) is unreadable' };
  }
  return { on: true, why: 'GitHub Actions OIDC, public npm registry' };
}

function build(root, packages) {
  const projects = packages.map((p) => p.name).join(',');
  say(`building ${projects}`);
  const result = spawnSync('npx', ['nx', 'run-many', '-t', 'build', `--projects=${projects}`, '--outputStyle=static'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    throw new DeployError('DEPLOY_BUILD_FAILED', `the build failed (exit ${result.status ?? result.signal}); the output is above. Nothing was published.`);
  }
}

/** Why npm was refused, and what to do, for the way this deploy logs in. */
function refusalHint(code, { trusted, interactive, oidc }) {
  if (trusted && ['ENEEDAUTH', 'E401', 'E403', 'E404'].includes(code)) {
    return (
      'npm\'s trusted publishing did not log in for this package' +
      (oidc.length > 0 ? ` (npm: ${oidc.join('; ')})` : '') +
      '. Check its trusted publisher on npmjs.com (package settings, "Trusted publisher": GitHub Actions, ' +
      'the repository of package.json "repository", workflow deploy.yml, environment production, publish ' +
      `allowed; every field is exact and case-sensitive), as ${FIRST_PUBLISH} describes.`
    );
  }
  if (code === 'EOTP') {
    return interactive
      ? 'the one-time password was not accepted: run it again and give a fresh one.'
      : 'the registry asks for a one-time password (2FA): run the deploy from a terminal, where npm can ask for it.';
  }
  if (code === 'ENEEDAUTH' || code === 'E401') {
    return (
      'the registry wants credentials: log in (npm login), or use the .npmrc that tools/registry/start.mjs ' +
      'writes (NPM_CONFIG_USERCONFIG).'
    );
  }
  if (code === 'E403') {
    return 'the registry refused: check that this login may publish the scope, and that the version is new.';
  }
  return 'npm\'s own words are in the parentheses; its debug log has the rest.';
}

function publish(pkg, registry, root, { provenance, dryRun, trusted }) {
  const args = ['publish', '--registry', registry, '--access', 'public'];
  // A prerelease must not become `latest`; anything else keeps npm's own dist-tag rules.
  if (pkg.version.includes('-')) args.push('--tag', 'next');
  if (provenance) args.push('--provenance');
  if (dryRun) args.push('--dry-run');
  // npm says why an OIDC login failed only at this level; the lines are kept for the error.
  if (trusted) args.push('--loglevel', 'verbose');
  // At a terminal (a person's first publish), npm gets the terminal so it can ask for a one-time
  // password; its errors still come back on stderr.
  const interactive = !onActions && Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const result = run('npm', args, { cwd: pkg.dir, stdio: interactive ? ['inherit', 'inherit', 'pipe'] : 'pipe' });
  if (result.status === 0) return 'published';
  const { code, message } = npmError(result);
  // Another publisher got there between our check and our publish: the version is there, so this
  // is the harmless case, as long as the registry now says so.
  if (code === 'E403' || code === 'E409') {
    if (registryState(pkg, registry, root).state === 'published') return 'raced';
  }
  const hint = refusalHint(code, { trusted, interactive, oidc: oidcLog(result.stderr) });
  throw new DeployError(
    'DEPLOY_PUBLISH_REFUSED',
    `${registry} refused ${pkg.name}@${pkg.version} (npm ${code}: ${message}). Packages after it were not published; rerunning is safe. Fix: ${hint}`,
    { details: { package: pkg.name, version: pkg.version, registry, npmCode: code, stderr: result.stderr } },
  );
}

function summary(lines) {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${lines.join('\n')}\n`);
  } catch {
    // The summary is a convenience; the log already has every line.
  }
}

function main(argv) {
  const options = parseCli(argv);
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const root = resolve(options.root ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
  const requested = options.sha ?? process.env.DEPLOY_SHA ?? '';
  const sha = checkCommit(root, requested, options['require-ancestor']);
  checkClean(root, options['allow-dirty']);
  const trusted = options['trusted-publishing'];
  if (trusted) checkTrustedPublishingJob();
  const registry = resolveRegistry(root);
  const provenance = wantProvenance(options.provenance ?? process.env.DEPLOY_PROVENANCE ?? 'auto', registry);
  const packages = findPackages(root);
  say(`deploy ${sha} to ${registry}${options['dry-run'] ? ' (dry run)' : ''}`);
  say(`provenance: ${provenance.on ? 'yes' : 'no'} (${provenance.why})`);
  const login = trusted ? "trusted publishing (the job's OIDC token; no stored token)" : "npm's (.npmrc, npm login)";
  say(`login: ${login}`);

  const todo = [];
  const report = ['| package | version | result |', '| --- | --- | --- |'];
  const unborn = [];
  let skipped = 0;
  for (const pkg of packages) {
    const { state, gitHead } = registryState(pkg, registry, root);
    if (state !== 'published') {
      todo.push(pkg);
      if (state === 'new-package') unborn.push(pkg);
    } else {
      skipped += 1;
      const from = gitHead ? ` (published from ${gitHead.slice(0, 12)})` : '';
      say(`skipped ${pkg.name}@${pkg.version}: already on ${registry}${from}`);
      report.push(`| ${pkg.name} | ${pkg.version} | skipped: already published${from} |`);
    }
  }
  if (todo.length === 0) {
    say(`deploy ${sha}: 0 published, ${skipped} skipped (every version is already on ${registry}; nothing to build)`);
    summary([`### Deploy ${sha}`, '', ...report]);
    return 0;
  }
  if (trusted && unborn.length > 0) {
    const names = unborn.map((pkg) => `${pkg.name}@${pkg.version}`).join(', ');
    throw new DeployError(
      'DEPLOY_FIRST_PUBLISH_NEEDED',
      `${names} ${unborn.length === 1 ? 'is' : 'are'} not on ${registry} at all, and trusted publishing can only ` +
        'publish a package that exists (its trust is set on the package). Nothing was published. Fix: publish ' +
        "the first version by hand and set up the package's trusted publisher, then run this deploy again: " +
        `${FIRST_PUBLISH}.`,
      { details: { packages: unborn.map((pkg) => pkg.name), registry } },
    );
  }
  if (trusted) checkTrustedPublishingTools(root);
  if (!options['skip-build']) build(root, todo);
  let published = 0;
  try {
    for (const pkg of todo) {
      const missing = ['package.json', 'dist'].filter((file) => !existsSync(join(pkg.dir, file)));
      if (missing.length > 0) {
        throw new DeployError('DEPLOY_NOT_BUILT', `${relative(root, pkg.dir)} has no ${missing.join(', ')}: build first (or drop --skip-build). Nothing more was published.`);
      }
      const outcome = publish(pkg, registry, root, { provenance: provenance.on, dryRun: options['dry-run'], trusted });
      if (outcome === 'raced') {
        skipped += 1;
        say(`skipped ${pkg.name}@${pkg.version}: already on ${registry} (published by someone else during this deploy)`);
        report.push(`| ${pkg.name} | ${pkg.version} | skipped: published concurrently |`);
      } else {
        published += 1;
        say(`${options['dry-run'] ? 'would publish' : 'published'} ${pkg.name}@${pkg.version} to ${registry}`);
        report.push(`| ${pkg.name} | ${pkg.version} | ${options['dry-run'] ? 'would publish' : 'published'} |`);
      }
    }
  } finally {
    summary([`### Deploy ${sha}`, '', ...report]);
  }
  say(`deploy ${sha}: ${published} ${options['dry-run'] ? 'would be published' : 'published'}, ${skipped} skipped`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof DeployError)) throw error;
  annotateError(`Deploy failed (${error.code})`, error.message);
  process.stderr.write(`deploy: ${error.code}: ${error.message}\n`);
  process.exitCode = error.exitCode;
}
