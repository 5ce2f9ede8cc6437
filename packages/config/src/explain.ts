import { loadBootyConfig, type LoadOptions } from './load';
import type { ConfigWarning, EffectiveValue, LoadedBootyConfig } from './types';

/** Every effective value of a workspace's configuration, each with where it came from. */
export interface ExplainedBootyConfig {
  /** Absolute path of `.booty.yml`; null when there is none (then `values` is empty). */
  path: string | null;
  /**
   * By dotted key, in the schema's order: every top-level key, and `release_governor.<key>` for
   * each key of a block in force. `origin` is `.booty.yml:LINE:COL`, a `RELEASE_GOVERNOR_*`
   * name, or `default`. Lists and mappings are one value each.
   */
  values: Record<string, EffectiveValue>;
  /** The effective `release_governor` settings by key (no prefix); null without a non-empty block. */
  releaseGovernor: Record<string, EffectiveValue> | null;
  /** The `RELEASE_GOVERNOR_*` variables that applied. */
  overrides: string[];
  /** `RELEASE_GOVERNOR_*` names that were set and ignored: unknown ones (typos) and ones with no block to apply to. */
  ignoredVariables: string[];
  warnings: ConfigWarning[];
}

const PREFIX = 'release_governor.';

/** `explainBootyConfig` for a configuration already loaded (with `loadBootyConfig` or `parseBootyConfig`). */
export function explainLoadedConfig(loaded: LoadedBootyConfig): ExplainedBootyConfig {
  const values: Record<string, EffectiveValue> = {};
  const config = loaded.config as Record<string, unknown> | null;
  const settings = loaded.releaseGovernor.settings as Record<string, unknown> | null;
  let releaseGovernor: Record<string, EffectiveValue> | null = null;
  if (config !== null) {
    for (const key of Object.keys(config)) {
      if (key === 'release_governor' && settings !== null) continue;
      values[key] = { value: config[key] ?? null, origin: loaded.origins[key] ?? 'default' };
    }
  }
  if (settings !== null) {
    releaseGovernor = {};
    for (const key of Object.keys(settings)) {
      const entry = { value: settings[key], origin: loaded.origins[`${PREFIX}${key}`] ?? 'default' };
      values[`${PREFIX}${key}`] = entry;
      releaseGovernor[key] = entry;
    }
  }
  return {
    path: loaded.path,
    values,
    releaseGovernor,
    overrides: [...loaded.releaseGovernor.overriddenBy],
    ignoredVariables: loaded.warnings.map((warning) => warning.variable),
    warnings: loaded.warnings,
  };
}

/**
 * Loads `<workspaceDir>/.booty.yml` as `loadBootyConfig` does (same errors) and gives every
 * effective value with its origin: what `booty config show` prints.
 */
export async function explainBootyConfig(workspaceDir: string, options: LoadOptions = {}): Promise<ExplainedBootyConfig> {
  return explainLoadedConfig(await loadBootyConfig(workspaceDir, options));
}
