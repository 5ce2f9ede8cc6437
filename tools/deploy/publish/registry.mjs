// What the registry says, asked through npm: which registry (npm's own setting), whether a
// version is already there, and npm's error when it refuses. Apart from the publish because the
// deploy asks before it builds anything (to skip what is there), and again after a refusal.
import { DeployError } from './errors.mjs';
import { run } from './commands.mjs';

/** The registry's URL, ending in `/`: npm_config_registry, NPM_CONFIG_REGISTRY, else npm's config. */
export function resolveRegistry(root) {
  const fromEnv = process.env.npm_config_registry || process.env.NPM_CONFIG_REGISTRY;
  const value = fromEnv || run('npm', ['config', 'get', 'registry'], { cwd: root }).stdout.trim();
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new DeployError(
      'DEPLOY_REGISTRY_INVALID',
      `the registry "${value}" is not a URL. Fix: set npm_config_registry to the registry's URL.`,
      { exitCode: 2 },
    );
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** npm's error code and message: from its --json error object when there is one, else from stderr. */
export function npmError(result) {
  try {
    const data = JSON.parse(result.stdout);
    if (data?.error?.code) {
      const message = [data.error.summary, data.error.detail].filter(Boolean).join(' ').split('\n')[0];
      return { code: data.error.code, message };
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
export function registryState(pkg, registry, root) {
  const view = run(
    'npm',
    ['view', `${pkg.name}@${pkg.version}`, 'version', 'gitHead', '--json', '--prefer-online', '--registry', registry],
    { cwd: root },
  );
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
    `asking ${registry} whether ${pkg.name}@${pkg.version} is published failed (npm ${code}: ${message}). ` +
      'Nothing more was published. ' +
      'Fix: check the registry URL and that it is reachable, and the token if it needs one.',
    { details: { package: pkg.name, version: pkg.version, registry, npmCode: code } },
  );
}
