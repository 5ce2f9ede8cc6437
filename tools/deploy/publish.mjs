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
//
// This file is the entry point only: it runs the deploy and turns a refusal into its message and
// exit status. The deploy's order is publish/deploy.mjs; each step is a module beside it:
// command-line.mjs (options, usage), commit.mjs (DEPLOY_SHA, HEAD, a clean tree),
// trusted-publishing.mjs, registry.mjs (which registry, what it has, npm's errors), provenance.mjs,
// packages.mjs (which packages, dependencies first), build.mjs, publish-package.mjs (one
// `npm publish`), with errors.mjs (DeployError and its codes), commands.mjs (git, npm) and
// output.mjs (the log and the step summary).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { annotateError } from './github-actions.mjs';
import { deploy } from './publish/deploy.mjs';
import { DeployError } from './publish/errors.mjs';

/** The repository that holds this script: the default of --root. */
const ownRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

try {
  process.exitCode = deploy(process.argv.slice(2), ownRoot);
} catch (error) {
  if (!(error instanceof DeployError)) throw error;
  annotateError(`Deploy failed (${error.code})`, error.message);
  process.stderr.write(`deploy: ${error.code}: ${error.message}\n`);
  process.exitCode = error.exitCode;
}
