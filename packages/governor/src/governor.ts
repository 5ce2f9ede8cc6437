import {
  loadServiceConfig,
  resolveReleaseGovernor,
  type BootyConfig,
  type ConfigWarning,
  type EffectiveValue,
  type ReleaseGovernorSettings,
} from '@booty/config';
import { openReleaseStore, resolveStoreLocation, type ReleaseState, type ReleaseStore } from '@booty/release-state';
import * as path from 'node:path';
import type { GovernorReason } from './reason';

/** What `loadGovernor` takes: the workspace, and where the store is when not from the environment. */
export interface LoadGovernorOptions {
  /** The repository whose `.booty.yml` configures the Governor. */
  workspace: string;
  /** Environment for `RELEASE_GOVERNOR_*` overrides and the store's location (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** State directory (the file store); wins over the environment. Not together with `url`. */
  stateDir?: string;
  /** A postgres:// URL (the PostgreSQL store); wins over the environment. Not together with `stateDir`. */
  url?: string;
  /** For a relative `stateDir` (default: the process's working directory). */
  cwd?: string;
}

/** The store in use: its backend and where it is (a directory, or a URL without its password). */
export interface GovernorStore {
  kind: 'file' | 'postgres';
  location: string;
}

/** What `booty governor status` shows; also its `--json` form. */
export interface GovernorStatus {
  enabled: boolean;
  reason: GovernorReason;
  configPath: string | null;
  /** null when disabled (no store is opened). */
  store: GovernorStore | null;
  /** The file store's directory (kept for callers of the first version); null for PostgreSQL or when disabled. */
  stateDir: string | null;
  /** The effective `release_governor` settings, each `{ value, origin }`; null without a non-empty block. */
  settings: Record<string, EffectiveValue> | null;
  /** The `RELEASE_GOVERNOR_*` variables that applied. */
  overrides: string[];
  state: ReleaseState | null;
  /** Healthy and damaged ledger entries (a damaged one is never counted as a delivery); null when disabled. */
  deliveries: { entries: number; damaged: number } | null;
  /** Set when something in the store is damaged: what, and the command that finds and repairs it. */
  advice: string | null;
}

/**
 * The Governor as `loadGovernor` returns it: whether it is enabled and why, its settings, and the
 * store it opened (only when enabled). Call `close()` when done.
 */
export interface Governor {
  readonly enabled: boolean;
  readonly reason: GovernorReason;
  readonly configPath: string | null;
  /** Effective release_governor settings (file, defaults, environment); null when there is no block. */
  readonly settings: ReleaseGovernorSettings | null;
  /** Open only when enabled: a disabled Governor creates and writes nothing. */
  readonly store: ReleaseStore | null;
  /**
   * What the Governor goes on despite: other parts of `.booty.yml` that are invalid (each named,
   * with its problems), keys this booty does not know, and overrides that do not apply.
   */
  readonly warnings: readonly ConfigWarning[];
  /**
   * What `booty governor status` shows: enabled or not and why, the settings with their origins,
   * `release.json` and the ledger's size (read from the store when enabled).
   * @throws {@link StateError} what `readState` and `deliveries.tally` throw: STATE_CORRUPT,
   *   STATE_READ, STATE_UNSAFE, STATE_UNAVAILABLE
   */
  status(): Promise<GovernorStatus>;
  /** Closes the store (a PostgreSQL pool would otherwise keep the process alive); safe to call twice. Never throws. */
  close(): Promise<void>;
}

/**
 * True when `config` has a non-empty `release_governor` block that is enabled after the
 * `RELEASE_GOVERNOR_*` overrides in `env` (default: none). A `null` config (no `.booty.yml`)
 * is disabled.
 *
 * @param config - `loadBootyConfig(...).config`, or null for no `.booty.yml`
 * @param env - the variables to apply (default: none, so the file alone decides)
 * @throws {@link ConfigError} CONFIG_ENV for a bad `RELEASE_GOVERNOR_ENABLED` (or other override) value
 */
export function isGovernorEnabled(config: BootyConfig | null, env: NodeJS.ProcessEnv = {}): boolean {
  return resolveReleaseGovernor(config, env).enabled;
}

function openStore({ stateDir, url, cwd }: LoadGovernorOptions, env: NodeJS.ProcessEnv): Promise<ReleaseStore> {
  return openReleaseStore(resolveStoreLocation({ stateDir, url, cwd, env }));
}

function adviceFor(damaged: number): string | null {
  if (damaged === 0) return null;
  const [entries, them] = damaged === 1 ? ['entry is', 'it'] : ['entries are', 'them'];
  return (
    `${damaged} damaged ledger ${entries} not counted as deliveries; ` +
    `run \`booty state check\` to see ${them}, then \`booty state reset deliveries\` to repair`
  );
}

/**
 * Loads the Governor's block of `.booty.yml` and, when the Governor is enabled, opens the release
 * store (the location from `resolveStoreLocation`: the options, then `RELEASE_GOVERNOR_STORE_URL`,
 * then the state directory chain) so that it exists from start-up. A problem in its own block or
 * its variables, or one that makes the file unreadable, throws `ConfigError`: an invalid block is
 * never "disabled". Another service's broken block does not stop it: that is a warning.
 * State problems throw `StateError`.
 *
 * @param options - `workspace` (required), `env` (default `process.env`), `stateDir` or `url`
 *   (not both; default: from the environment), `cwd` (for a relative `stateDir`)
 * @throws {@link ConfigError} CONFIG_READ, CONFIG_TOO_LARGE, CONFIG_ENCODING, CONFIG_YAML,
 *   CONFIG_VERSION, CONFIG_SCHEMA (its own block, or a file no reader can get past), CONFIG_ENV
 *   (a bad `RELEASE_GOVERNOR_*` value)
 * @throws {@link StateError} when enabled, what `resolveStoreLocation` and `openReleaseStore`
 *   throw: STATE_INVALID_INPUT, STATE_UNSAFE, STATE_WRITE, STATE_READ, STATE_UNAVAILABLE, STATE_CORRUPT
 */
export async function loadGovernor(options: LoadGovernorOptions): Promise<Governor> {
  const env = options.env ?? process.env;
  const workspace = path.resolve(options.workspace);
  const loaded = await loadServiceConfig(workspace, 'release_governor', { env });
  const { enabled, state: code, reason: message, settings } = loaded;
  const reason: GovernorReason = { code, message };
  const store = enabled ? await openStore(options, env) : null;
  let closed = false;
  return {
    enabled,
    reason,
    configPath: loaded.path,
    settings,
    store,
    warnings: loaded.warnings,
    async status() {
      const [state, deliveries] = store ? await Promise.all([store.readState(), store.deliveries.tally()]) : [null, null];
      return {
        enabled,
        reason,
        configPath: loaded.path,
        store: store ? { kind: store.kind, location: store.location } : null,
        stateDir: store?.kind === 'file' ? store.location : null,
        settings: loaded.values,
        overrides: loaded.overriddenBy,
        state,
        deliveries,
        advice: deliveries ? adviceFor(deliveries.damaged) : null,
      };
    },
    async close() {
      if (closed || store === null) return;
      closed = true;
      await store.close();
    },
  };
}
