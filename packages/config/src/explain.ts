import { loadBootyConfig } from './load';
import { SERVICE_NAMES } from './blocks';
import type { ConfigWarning, EffectiveValue, LoadedBootyConfig } from './types';

/** Every effective value of a workspace's configuration, each with where it came from. */
export interface ExplainedBootyConfig {
  /** Absolute path of `.booty.yml`; null when there is none (then `values` is empty). */
  path: string | null;
  /**
   * By dotted key, in the schema's order: every top-level key, and `<block>.<key>` for each key of
   * a service block in force (`release_governor.cooldown_minutes`, `security.fail_severity`); a
   * block that is null (or `release_governor: {}`) is the one value `<block>`. `origin` is
   * `.booty.yml:LINE:COL`, a variable's name, or `default`. Lists and mappings are one value each.
   */
  values: Record<string, EffectiveValue>;
  /** The effective `release_governor` settings by key (no prefix); null without a block in force. */
  releaseGovernor: Record<string, EffectiveValue> | null;
  /** The variables that applied, block by block. */
  overrides: string[];
  /** Variables set and ignored: unknown `RELEASE_GOVERNOR_*` names (typos) and ones with no block to apply to. */
  ignoredVariables: string[];
  /** As `LoadedBootyConfig.warnings`. */
  warnings: ConfigWarning[];
}

/**
 * `explainBootyConfig` for a configuration already loaded (with `loadBootyConfig` or
 * `parseBootyConfig`). Never throws.
 *
 * @param loaded - what `loadBootyConfig` or `parseBootyConfig` returned
 */
export function explainLoadedConfig(loaded: LoadedBootyConfig): ExplainedBootyConfig {
  const values: Record<string, EffectiveValue> = {};
  const config = loaded.config as Record<string, unknown> | null;
  const blocks = new Map<string, Record<string, EffectiveValue>>();
  for (const name of SERVICE_NAMES) {
    const settings = loaded.services[name].settings as Record<string, unknown> | null;
    if (settings === null) continue;
    const entries: Record<string, EffectiveValue> = {};
    for (const key of Object.keys(settings))
      entries[key] = { value: settings[key], origin: loaded.origins[`${name}.${key}`] ?? 'default' };
    blocks.set(name, entries);
  }
  if (config !== null) {
    for (const key of Object.keys(config)) {
      const block = blocks.get(key);
      if (block === undefined) {
        values[key] = { value: config[key] ?? null, origin: loaded.origins[key] ?? 'default' };
        continue;
      }
      for (const [blockKey, entry] of Object.entries(block)) values[`${key}.${blockKey}`] = entry;
    }
  }
  return {
    path: loaded.path,
    values,
    releaseGovernor: blocks.get('release_governor') ?? null,
    overrides: SERVICE_NAMES.flatMap((name) => loaded.services[name].overriddenBy),
    ignoredVariables: loaded.warnings.flatMap((warning) => (warning.variable === undefined ? [] : [warning.variable])),
    warnings: loaded.warnings,
  };
}

/**
 * Loads `<workspaceDir>/.booty.yml` as `loadBootyConfig` does (same errors) and gives every
 * effective value with its origin: what `booty config show` prints.
 *
 * @param workspaceDir - the repository's directory; it must exist
 * @param options - `env`: where the overrides come from (default `process.env`)
 * @throws {@link ConfigError} what `loadBootyConfig` throws: CONFIG_READ, CONFIG_TOO_LARGE,
 *   CONFIG_ENCODING, CONFIG_YAML, CONFIG_VERSION, CONFIG_SCHEMA, CONFIG_ENV
 */
export async function explainBootyConfig(
  workspaceDir: string,
  options: Parameters<typeof loadBootyConfig>[1] = {},
): Promise<ExplainedBootyConfig> {
  return explainLoadedConfig(await loadBootyConfig(workspaceDir, options));
}
