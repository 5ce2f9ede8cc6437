import {
  explainLoadedConfig,
  loadBootyConfig,
  resolveReleaseGovernor,
  type BootyConfig,
  type ConfigWarning,
  type EffectiveValue,
  type ReleaseGovernorSettings,
} from '@booty/config';
import { openReleaseStore, resolveStoreLocation, type ReleaseState, type ReleaseStore, type ScanOptions } from '@booty/release-state';
import * as path from 'node:path';
import type { GovernorReason } from './reason';

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

export interface Governor {
  readonly enabled: boolean;
  readonly reason: GovernorReason;
  readonly configPath: string | null;
  /** Effective release_governor settings (file, defaults, environment); null when there is no block. */
  readonly settings: ReleaseGovernorSettings | null;
  /** Open only when enabled: a disabled Governor creates and writes nothing. */
  readonly store: ReleaseStore | null;
  readonly warnings: readonly ConfigWarning[];
  /** `onProgress`: how far the read of the ledger has got (a large one takes seconds). */
  status(options?: ScanOptions): Promise<GovernorStatus>;
  /** Closes the store (a PostgreSQL pool would otherwise keep the process alive); safe to call twice. */
  close(): Promise<void>;
}

/**
 * True when `config` has a non-empty `release_governor` block that is enabled after the
 * `RELEASE_GOVERNOR_*` overrides in `env` (default: none). A `null` config (no `.booty.yml`)
 * is disabled. A bad override value throws `ConfigError` (code `CONFIG_ENV`).
 */
export function isGovernorEnabled(config: BootyConfig | null, env: NodeJS.ProcessEnv = {}): boolean {
  return resolveReleaseGovernor(config, env).enabled;
}

/** The Governor's start-up opens its store as it runs: created, or migrated, when needed. */
function openStore({ stateDir, url, cwd }: LoadGovernorOptions, env: NodeJS.ProcessEnv): Promise<ReleaseStore> {
  const location = resolveStoreLocation({ stateDir, url, cwd, env });
  // PGPASSWORD and the other PG* variables come from the same environment as the rest.
  return openReleaseStore(location.kind === 'postgres' ? { ...location, env } : location);
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
 * Loads `.booty.yml` and, when the Governor is enabled, opens the release store (the location
 * from `resolveStoreLocation`: the options, then `RELEASE_GOVERNOR_STORE_URL`, then the state
 * directory chain) so that it exists from start-up. Configuration problems throw `ConfigError`;
 * state problems throw `StateError`: an invalid file is never "disabled".
 */
export async function loadGovernor(options: LoadGovernorOptions): Promise<Governor> {
  const env = options.env ?? process.env;
  const workspace = path.resolve(options.workspace);
  const loaded = await loadBootyConfig(workspace, { env });
  const { enabled, state: code, reason: message, settings } = loaded.releaseGovernor;
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
    async status(options: ScanOptions = {}) {
      const [state, deliveries] = store ? await Promise.all([store.readState(), store.deliveries.tally(options)]) : [null, null];
      // Worked out here, not in loadGovernor: only status shows origins, and the server's start-up needs none.
      const explained = explainLoadedConfig(loaded);
      return {
        enabled,
        reason,
        configPath: loaded.path,
        store: store ? { kind: store.kind, location: store.location } : null,
        stateDir: store?.kind === 'file' ? store.location : null,
        settings: explained.releaseGovernor,
        overrides: explained.overrides,
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
