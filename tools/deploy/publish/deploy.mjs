// The deploy from start to end, in the order the README gives: the commit, the login, the
// registry, then for each package skip or publish. Apart from publish.mjs (the entry script, which
// only turns a refusal into its exit status) and from the steps, so that the order is read here
// in one place and each step in its own module.
import { resolve } from 'node:path';
import { build, checkBuilt } from './build.mjs';
import { parseCli, USAGE } from './command-line.mjs';
import { checkClean, checkCommit } from './commit.mjs';
import { say, summary } from './output.mjs';
import { findPackages } from './packages.mjs';
import { wantProvenance } from './provenance.mjs';
import { publish } from './publish-package.mjs';
import { registryState, resolveRegistry } from './registry.mjs';
import {
  checkTrustedPublishingJob,
  checkTrustedPublishingPackages,
  checkTrustedPublishingTools,
} from './trusted-publishing.mjs';

/**
 * Runs the deploy that the command line `argv` asks for, in the repository `defaultRoot` unless
 * --root names another; returns the exit status, or throws a DeployError.
 */
export function deploy(argv, defaultRoot) {
  const options = parseCli(argv);
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const root = resolve(options.root ?? defaultRoot);
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
  if (trusted) checkTrustedPublishingPackages(unborn, registry);
  if (trusted) checkTrustedPublishingTools(root);
  if (!options['skip-build']) build(root, todo);
  let published = 0;
  try {
    for (const pkg of todo) {
      checkBuilt(pkg, root);
      const outcome = publish(pkg, registry, root, { provenance: provenance.on, dryRun: options['dry-run'], trusted });
      if (outcome === 'raced') {
        skipped += 1;
        const by = '(published by someone else during this deploy)';
        say(`skipped ${pkg.name}@${pkg.version}: already on ${registry} ${by}`);
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
