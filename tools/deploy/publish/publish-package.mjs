// The publish of one package: `npm publish` with the deploy's options, and what a refusal means
// (someone else published it first, or a login that did not work, with the fix for the way this
// deploy logs in). Apart from the order and the checks around it because this is the one step
// that changes the registry.
import { onActions } from '../github-actions.mjs';
import { DeployError } from './errors.mjs';
import { run } from './commands.mjs';
import { npmError, registryState } from './registry.mjs';
import { FIRST_PUBLISH } from './trusted-publishing.mjs';

/** The lines npm logs about its OIDC login (at --loglevel verbose): why trusted publishing did not log in. */
function oidcLog(stderr) {
  return (
    (stderr ?? '')
      .split('\n')
      .filter((line) => /^npm (verbose|silly) oidc /.test(line))
      // The registry's words: no control characters reach the log.
      // eslint-disable-next-line no-control-regex
      .map((line) => line.replace(/^npm (verbose|silly) oidc /, '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ''))
      .slice(0, 5)
  );
}

/** Why npm was refused, and what to do, for the way this deploy logs in. */
function refusalHint(code, { trusted, interactive, oidc }) {
  if (trusted && ['ENEEDAUTH', 'E401', 'E403', 'E404'].includes(code)) {
    return (
      "npm's trusted publishing did not log in for this package" +
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
  return "npm's own words are in the parentheses; its debug log has the rest.";
}

/**
 * Publishes `pkg` to `registry`: 'published', or 'raced' when another publisher put this version
 * there first. Any other refusal is DEPLOY_PUBLISH_REFUSED with npm's words and the fix.
 */
export function publish(pkg, registry, root, { provenance, dryRun, trusted }) {
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
    `${registry} refused ${pkg.name}@${pkg.version} (npm ${code}: ${message}). ` +
      `Packages after it were not published; rerunning is safe. Fix: ${hint}`,
    { details: { package: pkg.name, version: pkg.version, registry, npmCode: code, stderr: result.stderr } },
  );
}
