// What npm's trusted publishing (https://docs.npmjs.com/trusted-publishers) needs before anything
// is built: a GitHub Actions job that can request an OIDC token, no stored token, npm and Node.js
// new enough, and packages that already exist on the registry. Apart from the publish because
// each of these is checked up front, so that a deploy that cannot log in publishes nothing.
import { onActions } from '../github-actions.mjs';
import { DeployError } from './errors.mjs';
import { run } from './commands.mjs';

const TRUSTED_PUBLISHING = { npm: '11.5.1', node: '22.14.0' };
// What older actions/setup-node exported as NODE_AUTH_TOKEN when none was given: not a token.
const SETUP_NODE_PLACEHOLDER = 'XXXXX-XXXXX-XXXXX-XXXXX-XXXXX';
/** Where a person reads how to publish a package's first version and set up its trust. */
export const FIRST_PUBLISH = 'tools/deploy/README.md, "The first publish"';

/** Is version `have` (x.y.z) at least `want`? */
function atLeast(have, want) {
  const parts = (version) => version.replace(/^v/, '').split(/[.-]/).slice(0, 3).map(Number);
  const [a, b] = [parts(have), parts(want)];
  for (let i = 0; i < 3; i += 1) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

/** What npm's trusted publishing needs from the job: an OIDC token to ask for, and no stored token. */
export function checkTrustedPublishingJob() {
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

/** Trusted publishing cannot create a package: every package to publish must be on the registry already. */
export function checkTrustedPublishingPackages(unborn, registry) {
  if (unborn.length === 0) return;
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

/** What npm's trusted publishing needs from the tools: npm and Node.js new enough (npm's documentation). */
export function checkTrustedPublishingTools(root) {
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
