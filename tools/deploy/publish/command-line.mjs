// The command line of publish.mjs: its options and the usage text. Apart from the steps because
// it is the script's contract with deploy.yml and with a person at a terminal (README: publish.mjs).
import { parseArgs } from 'node:util';
import { DeployError } from './errors.mjs';

export const USAGE = `Usage: DEPLOY_SHA=<sha> node tools/deploy/publish.mjs [options]

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

/** The options given; an unknown option, a missing value or an argument is DEPLOY_USAGE (exit 2), with the usage. */
export function parseCli(argv) {
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
