import {
  loadServiceConfig,
  parseServiceConfig,
  resolveReleaseGovernor,
  type BootyConfig,
  type ConfigWarning,
  type EffectiveValue,
  type ReleaseGovernorSettings,
  type ServiceConfig,
} from '@booty/config';
import {
  openReleaseStore,
  resolveStoreLocation,
  type DeliveryTally,
  type ReleaseState,
  type ReleaseStore,
  type ScanOptions,
} from '@booty/release-state';
import * as path from 'node:path';
import type { GovernorReason } from './reason';

/** Where the Governor's store is, or the store itself: the options both ways of loading share. */
export interface GovernorStoreOptions {
  /** Environment for the store's location (`RELEASE_GOVERNOR_STORE_URL`, `..._STATE_DIR`); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** State directory (the file store); wins over the environment. Not together with `url` or `store`. */
  stateDir?: string;
  /** A postgres:// URL (the PostgreSQL store); wins over the environment. Not together with `stateDir` or `store`. */
  url?: string;
  /** For a relative `stateDir` (default: the process's working directory). */
  cwd?: string;
  /**
   * A store the caller opened (a service that builds a Governor per repository opens one and
   * shares it): used as it is, never opened or closed by the Governor. Not with `stateDir` or `url`.
   */
  store?: ReleaseStore;
  /**
   * The repository (`owner/name`) whose own release state `status()` shows, in a store that keeps
   * one per repository (an App that serves several: `readState({ repo })`). Default: the store's
   * own state, release.json (a single-repository deployment).
   */
  repo?: string;
}

/** What `loadGovernor` reads: a workspace's `.booty.yml`, and where the store is. */
export interface LoadGovernorOptions extends GovernorStoreOptions {
  /**
   * The repository whose `.booty.yml` configures the Governor. `env` (default process.env) also
   * gives the `RELEASE_GOVERNOR_*` overrides of its block: the operator's variables for the
   * operator's repository.
   */
  workspace: string;
}

/** What `loadGovernorFromContent` reads: a `.booty.yml` already in memory, and where the store is. */
export interface GovernorFromContentOptions extends GovernorStoreOptions {
  /** The `.booty.yml` text (or bytes), e.g. from the GitHub contents API. */
  content: string | Uint8Array;
  /** What messages call it: a path, or where it came from (`octo-org/octo-repo/.booty.yml@main`). */
  file: string;
  /**
   * `RELEASE_GOVERNOR_*` overrides for this content's block. Default: none. A service's own
   * environment does not reach a tenant repository's file unless passed here.
   */
  overrides?: NodeJS.ProcessEnv;
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
  /** The repository whose own state `state` is; null for the store's own state (release.json). */
  repo: string | null;
  state: ReleaseState | null;
  /**
   * Healthy and damaged ledger entries (a damaged one is never counted as a delivery), and the
   * count limit with how the ledger stands against it (`limit`, null on PostgreSQL); null when disabled.
   */
  deliveries: DeliveryTally | null;
  /** Set when something in the store is damaged: what, and the command that finds and repairs it. */
  advice: string | null;
}

/** What an enabled and a disabled Governor have alike. */
export interface GovernorBase {
  readonly reason: GovernorReason;
  /** The `.booty.yml` path (for content: its `file` name); null when there is no file. */
  readonly configPath: string | null;
  /**
   * What the Governor goes on despite: other parts of `.booty.yml` that are invalid (each named,
   * with its problems), keys this booty does not know, and overrides that do not apply.
   */
  readonly warnings: readonly ConfigWarning[];
  /**
   * What `booty governor status` shows: enabled or not and why, the settings with their origins,
   * `release.json` (or, with the `repo` option, that repository's own state) and the ledger's size
   * (read from the store when enabled).
   * @param options - `onProgress`: how far the read of the ledger has got (a large one takes seconds)
   * @throws {@link StateError} what `readState` and `deliveries.tally` throw: STATE_CORRUPT,
   *   STATE_READ, STATE_UNSAFE, STATE_UNAVAILABLE, STATE_INVALID_INPUT (`repo` is not `owner/name`)
   */
  status(options?: ScanOptions): Promise<GovernorStatus>;
  /**
   * Closes the store it opened (a PostgreSQL pool would otherwise keep the process alive), never
   * one passed as `store`; safe to call twice. Never throws.
   */
  close(): Promise<void>;
}

/** An enabled Governor: its effective settings and its open store. */
export interface EnabledGovernor extends GovernorBase {
  readonly enabled: true;
  /** Effective release_governor settings (file, defaults, environment). */
  readonly settings: ReleaseGovernorSettings;
  /** The open store. */
  readonly store: ReleaseStore;
}

/** A disabled Governor: it created and wrote nothing, and has no store. */
export interface DisabledGovernor extends GovernorBase {
  readonly enabled: false;
  /** The block's settings when it is written but turned off (`enabled: false`); else null. */
  readonly settings: ReleaseGovernorSettings | null;
  readonly store: null;
}

/** The Governor: after `if (governor.enabled)`, `settings` and `store` are not null. */
export type Governor = EnabledGovernor | DisabledGovernor;

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

/**
 * The store to use and whether the Governor owns it (opened it, so closes it). One it opens is
 * opened as the Governor runs: created, or migrated, when needed.
 */
async function storeFor(options: GovernorStoreOptions): Promise<{ store: ReleaseStore; owned: boolean }> {
  const { stateDir, url, cwd, store } = options;
  if (store !== undefined) {
    if (stateDir !== undefined || url !== undefined) {
      const both = 'pass either `store` (an open store) or `stateDir`/`url` (where to open one), not both';
      throw new TypeError(`loadGovernor: ${both}`);
    }
    return { store, owned: false };
  }
  const env = options.env ?? process.env;
  const location = resolveStoreLocation({ stateDir, url, cwd, env });
  // PGPASSWORD and the other PG* variables come from the same environment as the rest.
  return { store: await openReleaseStore(location.kind === 'postgres' ? { ...location, env } : location), owned: true };
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
 * Loads the Governor's block of `<workspace>/.booty.yml` and, when the Governor is enabled, opens
 * the release store (the location from `resolveStoreLocation`: the options, then
 * `RELEASE_GOVERNOR_STORE_URL`, then the state directory chain) so that it exists from start-up.
 * A problem in its own block or its variables, or one that makes the file unreadable, throws
 * `ConfigError`: an invalid block is never "disabled". Another service's broken block does not
 * stop it: that is a warning. State problems throw `StateError`.
 *
 * @param options - `workspace` (required), `env` (default `process.env`), `stateDir` or `url`
 *   (not both; default: from the environment), `cwd` (for a relative `stateDir`), or `store` (an
 *   open store, shared, never closed by the Governor); `repo`: whose own release state `status()`
 *   shows (default: the store's own)
 * @throws {@link ConfigError} CONFIG_READ, CONFIG_TOO_LARGE, CONFIG_ENCODING, CONFIG_YAML,
 *   CONFIG_VERSION, CONFIG_SCHEMA (its own block, or a file no reader can get past), CONFIG_ENV
 *   (a bad `RELEASE_GOVERNOR_*` value)
 * @throws {@link StateError} when enabled, what `resolveStoreLocation` and `openReleaseStore`
 *   throw: STATE_INVALID_INPUT, STATE_UNSAFE, STATE_WRITE, STATE_READ, STATE_UNAVAILABLE, STATE_CORRUPT
 */
export async function loadGovernor(options: LoadGovernorOptions): Promise<Governor> {
  const env = options.env ?? process.env;
  const loaded = await loadServiceConfig(path.resolve(options.workspace), 'release_governor', { env });
  return governorFrom(loaded, options);
}

/**
 * The Governor of a `.booty.yml` already in memory (a service that reads each repository's file
 * through the GitHub contents API): `file` names it in messages. The block's `RELEASE_GOVERNOR_*`
 * overrides come only from `overrides` (default: none), so a service's own environment never
 * changes a tenant's gate; the store's location still comes from `env`.
 *
 * @param options - `content` and `file` (required), `overrides` (default: none), and the store as
 *   for `loadGovernor`: `env`, `stateDir` or `url`, `cwd`, or `store`; `repo` as for `loadGovernor`
 * @throws {@link ConfigError} as `loadGovernor`, except CONFIG_READ (nothing is read from disk)
 * @throws {@link StateError} when enabled: STATE_INVALID_INPUT, STATE_UNSAFE, STATE_WRITE, STATE_READ,
 *   STATE_UNAVAILABLE, STATE_CORRUPT
 */
export async function loadGovernorFromContent(options: GovernorFromContentOptions): Promise<Governor> {
  const loaded = parseServiceConfig(options.content, 'release_governor', {
    file: options.file,
    env: options.overrides ?? {},
  });
  return governorFrom(loaded, options);
}

async function governorFrom(
  loaded: ServiceConfig<'release_governor'>,
  options: GovernorStoreOptions,
): Promise<Governor> {
  const reason: GovernorReason = { code: loaded.state, message: loaded.reason };
  const configPath = loaded.path;
  const warnings = loaded.warnings;
  const status = async (store: ReleaseStore | null, scan: ScanOptions = {}): Promise<GovernorStatus> => {
    const scope = options.repo === undefined ? undefined : { repo: options.repo };
    const reading = store ? Promise.all([store.readState(scope), store.deliveries.tally(scan)]) : null;
    const [state, deliveries] = reading ? await reading : [null, null];
    return {
      enabled: store !== null,
      reason,
      configPath,
      store: store ? { kind: store.kind, location: store.location } : null,
      stateDir: store?.kind === 'file' ? store.location : null,
      settings: loaded.values,
      overrides: loaded.overriddenBy,
      repo: options.repo ?? null,
      state,
      deliveries,
      advice: deliveries ? adviceFor(deliveries.damaged) : null,
    };
  };
  const settings = loaded.settings;
  if (!loaded.enabled || settings === null) {
    const close = async () => {};
    return { enabled: false, reason, configPath, settings, store: null, warnings, status: () => status(null), close };
  }
  const { store, owned } = await storeFor(options);
  let closed = false;
  return {
    enabled: true,
    reason,
    configPath,
    settings,
    store,
    warnings,
    status: (scan) => status(store, scan),
    async close() {
      if (closed || !owned) return;
      closed = true;
      await store.close();
    },
  };
}
