// The workspace's publishable packages, read from disk (names and versions are never hard-coded).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './run';

export interface WorkspacePackage {
  name: string;
  version: string;
  dir: string;
  dependencies: Record<string, string>;
}

export function workspacePackages(): WorkspacePackage[] {
  const packagesDir = path.join(repoRoot, 'packages');
  return readdirSync(packagesDir)
    .filter((entry) => existsSync(path.join(packagesDir, entry, 'package.json')))
    .map((entry) => {
      const dir = path.join(packagesDir, entry);
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      return {
        name: manifest.name,
        version: manifest.version,
        dir,
        dependencies: manifest.dependencies ?? {},
        private: manifest.private,
      };
    })
    .filter((pkg) => pkg.private !== true)
    .map(({ name, version, dir, dependencies }) => ({ name, version, dir, dependencies }));
}

export function packageNamed(name: string): WorkspacePackage {
  const found = workspacePackages().find((pkg) => pkg.name === name);
  if (!found) throw new Error(`no workspace package named ${name} under ${path.join(repoRoot, 'packages')}`);
  return found;
}
