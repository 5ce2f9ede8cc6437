import { ConfigError } from '../src/errors';
import { parseBootyConfig } from '../src/parse';
import type { ConfigErrorCode, LoadedBootyConfig } from '../src/types';

export const FILE = '/work/repo/.booty.yml';

export function parse(
  text: string | Uint8Array,
  env: NodeJS.ProcessEnv = {},
  unknownKeys: 'error' | 'warn' = 'error',
): LoadedBootyConfig {
  return parseBootyConfig(text, { file: FILE, env, unknownKeys });
}

/** Runs `fn`, which must throw a ConfigError with `code`, and returns it. */
export function configError(code: ConfigErrorCode, fn: () => unknown): ConfigError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof ConfigError)) {
    throw new Error(`expected a ConfigError ${code}, got ${thrown === undefined ? 'no error' : String(thrown)}`);
  }
  if (thrown.code !== code) {
    throw new Error(`expected ${code}, got ${thrown.code}: ${thrown.message}`);
  }
  return thrown;
}

export function parseError(
  code: ConfigErrorCode,
  text: string | Uint8Array,
  env: NodeJS.ProcessEnv = {},
  unknownKeys: 'error' | 'warn' = 'error',
): ConfigError {
  return configError(code, () => parse(text, env, unknownKeys));
}

/** A v1 file with the given lines appended. */
export function v1(...lines: string[]): string {
  return ['schema_version: 1', 'test_command: npm test', ...lines, ''].join('\n');
}

/** A v1 file with a release_governor block holding the given (already indented) lines. */
export function governor(...lines: string[]): string {
  return v1('release_governor:', ...lines.map((line) => `  ${line}`));
}
