// The build before the publish: the packages that will be published, built through Nx, and each
// one's output there before it goes out. Apart from the publish so that --skip-build skips exactly
// this, and a missing build output is refused by name, not published as an empty package.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DeployError } from './errors.mjs';
import { say } from './output.mjs';

/** Builds `packages` through Nx, its output streamed to this process's. */
export function build(root, packages) {
  const projects = packages.map((p) => p.name).join(',');
  say(`building ${projects}`);
  const result = spawnSync('npx', ['nx', 'run-many', '-t', 'build', `--projects=${projects}`, '--outputStyle=static'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    throw new DeployError(
      'DEPLOY_BUILD_FAILED',
      `the build failed (exit ${result.status ?? result.signal}); the output is above. Nothing was published.`,
    );
  }
}

/** A package about to be published must have its manifest and its build output (dist). */
export function checkBuilt(pkg, root) {
  const missing = ['package.json', 'dist'].filter((file) => !existsSync(join(pkg.dir, file)));
  if (missing.length > 0) {
    throw new DeployError(
      'DEPLOY_NOT_BUILT',
      `${relative(root, pkg.dir)} has no ${missing.join(', ')}: build first (or drop --skip-build). ` +
        'Nothing more was published.',
    );
  }
}
