import {
  loadBootyConfig,
  resolveReleaseGovernor,
  type BootyConfig,
  type ConfigWarning,
  type ReleaseGovernorSettings,
} from '@booty/config';
import {
  openReleaseStore,
  resolveStateDir,
  type ReleaseState,
  type ReleaseStore,
} from '@booty/release-state';
import * as path from 'node:path';
import { describeReason, type GovernorReason } from './reason';

export interface LoadGovernorOptions {
  /** The repository whose `.booty.yml` configures the Governor. */
  workspace: string;
  /** Environment for `RELEASE_GOVERNOR_*` overrides and the state directory (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** State directory; wins over RELEASE_GOVERNOR_STATE_DIR and the $HOME default. */
  stateDir?: string;
}

/** What `booty governor status` shows; also its `--json` form. */
export interface GovernorStatus {
  enabled: boolean;
  reason: GovernorReason;
  configPath: string | null;
  stateDir: string | null;
  state: ReleaseState | null;
  deliveries: number | null;
}

export interface Governor {
  readonly enabled: boolean;
  readonly reason: GovernorReason;
  readonly configPath: string | null;
  /** Effective release_governor settings (file, defaults, environment); null when there is no block. */
  readonly settings: ReleaseGovernorSettings | null;
  /** Open only when enabled: a disabled Governor creates and writes nothing. */
  readonly store: ReleaseStore | null;
  readonly warnings: readonly ConfigWarning[];
  status(): Promise<GovernorStatus>;
}

/**
 * True when `config` has a non-empty `release_governor` block that is enabled after the
 * `RELEASE_GOVERNOR_*` overrides in `env` (default: none). A `null` config (no `.booty.yml`)
 * is disabled. A bad override value throws `ConfigError` (code `CONFIG_ENV`).
 */
export function isGovernorEnabled(config: BootyConfig | null, env: NodeJS.ProcessEnv = {}): boolean {
  return resolveReleaseGovernor(config, env).enabled;
}

/**
 * Loads `.booty.yml` and, when the Governor is enabled, opens the release store so that the
 * state directory and the `release.json` skeleton exist from start-up. Configuration problems
 * throw `ConfigError`; state problems throw `StateError`: an invalid file is never "disabled".
 */
export async function loadGovernor(options: LoadGovernorOptions): Promise<Governor> {
  const env = options.env ?? process.env;
  const workspace = path.resolve(options.workspace);
  const loaded = await loadBootyConfig(workspace, { env });
  const reason = describeReason(loaded, workspace);
  const enabled = loaded.releaseGovernor.enabled;
  const store = enabled
    ? await openReleaseStore({ stateDir: resolveStateDir({ ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }), env }) })
    : null;
  return {
    enabled,
    reason,
    configPath: loaded.path,
    settings: loaded.releaseGovernor.settings,
    store,
    warnings: loaded.warnings,
    async status() {
      return {
        enabled,
        reason,
        configPath: loaded.path,
        stateDir: store ? store.stateDir : null,
        state: store ? await store.readState() : null,
        deliveries: store ? await store.deliveries.count() : null,
      };
    },
  };
}
