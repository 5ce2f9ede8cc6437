// The consumers of the installed packages, the same for every test that runs them (on this
// machine's Node and on each supported line), and the repository's tsc with the flags they need.
import * as path from 'node:path';
import { repoRoot } from './run';

export const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/** The repository's @types, so a consumer outside it finds @types/node. */
export function typeRoots(): string[] {
  return ['--typeRoots', path.join(repoRoot, 'node_modules', '@types')];
}

/** Type-checking a consumer file on its own: strict, nodenext, Node's types. */
export function tscFlags(): string[] {
  return [
    '--noEmit',
    '--strict',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    '--types',
    'node',
    ...typeRoots(),
  ];
}

export const CONSUMER_CJS = `const { loadBootyConfig, ConfigError } = require('@booty/config');
(async () => {
  const loaded = await loadBootyConfig(process.argv[2]);
  let failure = null;
  try {
    await loadBootyConfig(process.argv[3]);
  } catch (error) {
    failure = { isConfigError: error instanceof ConfigError, code: error.code, line: error.issues[0].line, path: error.issues[0].path };
  }
  console.log(JSON.stringify({ path: loaded.path, test: loaded.config.test_command, failure }));
})();
`;
export const CONSUMER_MJS = `import { loadBootyConfig, ConfigError } from '@booty/config';
const loaded = await loadBootyConfig(process.argv[2]);
console.log(JSON.stringify({ load: typeof loadBootyConfig, error: typeof ConfigError, path: loaded.path }));
`;
export const CONSUMER_TS = `import { loadBootyConfig, ConfigError, type LoadedBootyConfig } from '@booty/config';
export async function where(dir: string): Promise<string | null> {
  const loaded: LoadedBootyConfig = await loadBootyConfig(dir, { env: {} });
  return loaded.path;
}
export function codeOf(error: unknown): string | null {
  return error instanceof ConfigError ? error.code : null;
}
`;
export const CONSUMER_MTS = `import { loadBootyConfig, type ConfigIssue } from '@booty/config';
const loaded = await loadBootyConfig('.');
const path: string | null = loaded.path;
const issues: ConfigIssue[] = [];
export { path, issues };
`;
export const CLAIM_CJS = `const { openReleaseStore } = require('@booty/release-state');
(async () => {
  const store = await openReleaseStore({ stateDir: process.argv[2] });
  const result = await store.deliveries.claim({ repo: 'booty/governor', headSha: '${'a'.repeat(40)}', deliveryId: process.argv[3] });
  const state = await store.readState();
  console.log(JSON.stringify({ claimed: result.claimed, winner: result.record.deliveryId, current: state.production_sha_current }));
})();
`;
