import { analyse, blockOrigins, PARTS, unknownKeyWarning, type Analysis, type UnknownKey } from './analyse';
import { SERVICE_NAMES } from './blocks';
import { readDocument, writtenAt } from './document';
import { ConfigError } from './errors';
import { bootyVersion } from './version';
import type { BootyConfig, ConfigIssue, LoadedBootyConfig, ServiceName, ServiceStatus, ServiceStatuses } from './types';

/** What `parseBootyConfig` takes besides the content. */
export interface ParseOptions {
  /** The path reported in issues and returned as `path`. */
  file: string;
  /** Source of the variables that override config keys; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * A key this version does not know that is no mistake (not a near miss of a known one): `error`
   * (the default: the authors' side is strict) or `warn` (a CI that pins an older booty, while a newer
   * one checks the file strictly). Mistakes are errors either way.
   */
  unknownKeys?: 'error' | 'warn';
}

function allIssues(analysis: Analysis, kind: 'schema' | 'env'): ConfigIssue[] {
  return PARTS.flatMap((part) => analysis.reports[part][kind]);
}

/** Where each effective value came from: the file, a variable, or the default. */
function originsOf(analysis: Analysis, config: BootyConfig, services: ServiceStatuses): Record<string, string> {
  const origins: Record<string, string> = {};
  if (analysis.document === null) return origins;
  for (const key of Object.keys(config)) origins[key] = writtenAt(analysis.document, `/${key}`) ?? 'default';
  for (const name of SERVICE_NAMES) {
    for (const [key, origin] of Object.entries(blockOrigins(analysis, name, services[name])))
      origins[`${name}.${key}`] = origin;
  }
  return origins;
}

/** A key this version does not know, as an error: with the way to let an older booty go on. */
function strictUnknownKey({ issue }: UnknownKey): ConfigIssue {
  const relax = `if a newer booty reads it, booty ${bootyVersion()} skips it with \`--allow-newer-keys\``;
  return { ...issue, message: `${issue.message}; ${relax}` };
}

/**
 * The whole file, for the authors' side (`config validate`, `verifier run`): any problem in any
 * part is an error. Schema problems of every part come first (CONFIG_SCHEMA), then bad variables
 * (CONFIG_ENV).
 */
export function loadedFrom(analysis: Analysis, unknownKeys: 'error' | 'warn' = 'error'): LoadedBootyConfig {
  const strictKeys = unknownKeys === 'error' ? analysis.unknownKeys.map(strictUnknownKey) : [];
  const schemaIssues = [...analysis.mistakes, ...allIssues(analysis, 'schema'), ...strictKeys];
  if (schemaIssues.length > 0) throw new ConfigError('CONFIG_SCHEMA', schemaIssues);
  const envIssues = allIssues(analysis, 'env');
  if (envIssues.length > 0) throw new ConfigError('CONFIG_ENV', envIssues);
  // Every part is valid now, so every service has its status.
  const services = analysis.services as ServiceStatuses;
  const warnings = [
    ...(unknownKeys === 'warn' ? analysis.unknownKeys.map(unknownKeyWarning) : []),
    ...analysis.warnings,
  ];
  const base = { releaseGovernor: services.release_governor, services, warnings };
  if (analysis.document === null || analysis.topLevel === null)
    return { path: null, config: null, ...base, origins: {} };

  const config = { ...analysis.topLevel } as BootyConfig;
  if (config.schema_version === 1) {
    const blocks = config as unknown as Record<ServiceName, object | null>;
    for (const name of SERVICE_NAMES) {
      // The same object as the service's settings: the settings are copied once, from the document.
      if (analysis.presence[name] !== 'absent') blocks[name] = (services[name] as ServiceStatus<object>).settings;
    }
  }
  return { path: analysis.file, config, ...base, origins: originsOf(analysis, config, services) };
}

/**
 * Parses and validates `.booty.yml` content: size and encoding, YAML, schema version, the schema
 * of every part (defaults applied), then the variables that override the service blocks. Throws
 * `ConfigError` for any problem in any part, with every problem of the failing stage.
 *
 * @param source - the file's text, or its bytes (UTF-8; a byte order mark is removed)
 * @param options - `file`: the name put in issues and in `path` (required); `env` (default
 *   `process.env`) and `unknownKeys` (default `'error'`) as for `loadBootyConfig`
 * @throws {@link ConfigError} CONFIG_TOO_LARGE (over 1 MiB or 100,000 YAML tokens),
 *   CONFIG_ENCODING (not UTF-8), CONFIG_YAML (syntax, duplicate keys, aliases, nesting),
 *   CONFIG_VERSION (a schema_version other than absent, 0 or 1), CONFIG_SCHEMA (the schema, an
 *   unknown key), CONFIG_ENV (a variable that does not parse or breaks the schema)
 */
export function parseBootyConfig(source: string | Uint8Array, options: ParseOptions): LoadedBootyConfig {
  const document = readDocument(source, options.file);
  return loadedFrom(analyse(document, options.file, options.env ?? process.env), options.unknownKeys);
}
