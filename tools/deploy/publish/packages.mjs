// Which packages a deploy publishes, and in what order: every public workspace package,
// dependencies before dependents, so that nothing on the registry ever depends on a version that
// is not there yet. Apart from the registry because it reads only the work tree.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DeployError } from './errors.mjs';

/** The package directories that the root package.json's workspace patterns name, in name order. */
function workspaceDirs(root) {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const patterns = Array.isArray(manifest.workspaces) ? manifest.workspaces : (manifest.workspaces?.packages ?? []);
  const dirs = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*') && !pattern.slice(0, -2).includes('*')) {
      const parent = join(root, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      const entries = readdirSync(parent, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
      for (const entry of entries) {
        if (entry.isDirectory() && existsSync(join(parent, entry.name, 'package.json'))) {
          dirs.push(join(parent, entry.name));
        }
      }
    } else if (!pattern.includes('*')) {
      if (existsSync(join(root, pattern, 'package.json'))) dirs.push(join(root, pattern));
    } else {
      throw new DeployError(
        'DEPLOY_WORKSPACES',
        `workspace pattern "${pattern}" in ${join(root, 'package.json')} is not supported ` +
          '(only "dir/*" and plain paths).',
      );
    }
  }
  return dirs;
}

/** Public workspace packages, dependencies before dependents. */
export function findPackages(root) {
  const packages = workspaceDirs(root)
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
      throw new DeployError(
        'DEPLOY_CYCLE',
        `workspace packages depend on each other in a cycle: ${[...trail, pkg.name].join(' -> ')}`,
      );
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
