import { analyse, blockOrigins, PARTS, unknownKeyWarning, type Analysis } from './analyse';
import { isServiceName, SERVICE_BLOCKS, SERVICE_NAMES } from './blocks';
import { readDocument } from './document';
import { ConfigError } from './errors';
import { readConfigFile, type LoadOptions } from './load';
import type {
  ConfigBlock,
  ConfigErrorCode,
  ConfigWarning,
  EffectiveValue,
  ServiceName,
  ServiceSettings,
  ServiceStatus,
} from './types';

// One service's reading of the shared file. The file is read by services of different versions
// and owned by none of them alone, so a service stops only for what is its own: its block (and
// its variables), and what makes the file unreadable for anyone (YAML, encoding, the version, a
// misspelt block name). Any other part that is broken, and keys this version does not know, are
// warnings that name them: the reader goes on, and nothing is dropped without a word.

/** One service's view of `.booty.yml`: its status, its settings with their origins, and warnings. */
export interface ServiceConfig<S extends ServiceName = ServiceName> extends ServiceStatus<ServiceSettings[S]> {
  /** The block read: `release_governor`, `security`, `memory`, `planner`, `architect` or `reviewer`. */
  service: S;
  /** The `.booty.yml` path (for `parseServiceConfig`: the `file` option); null when there is none. */
  path: string | null;
  /** Each key of the block in force, `{ value, origin }` (`.booty.yml:LINE:COL`, a variable, `default`); else null. */
  values: Record<string, EffectiveValue> | null;
  /** Other parts that are invalid, keys this version does not know, and the block's variables that do not apply. */
  warnings: ConfigWarning[];
}

/** What `parseServiceConfig` takes besides the content and the service. */
export interface ServiceParseOptions {
  /** The name put in issues and returned as `path`: a path, or where the content came from (a URL, say). */
  file: string;
  /** Source of the block's variables (`SECURITY_FAIL_SEVERITY`); defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

function partName(part: ConfigBlock): string {
  return part === 'top-level' ? "the top-level keys (the Verifier's and the builder's)" : `the ${part} block`;
}

function partOwner(part: ConfigBlock): string {
  return part === 'top-level' ? '`booty verifier run`' : SERVICE_BLOCKS[part].owner;
}

/** A part of the file that is not this reader's and is invalid: said, with every problem in it. */
function invalidPartWarning(analysis: Analysis, part: ConfigBlock, reader: ServiceName): ConfigWarning | null {
  const { schema, env } = analysis.reports[part];
  const issues = schema.length > 0 ? schema : env;
  if (issues.length === 0) return null;
  const errorCode: ConfigErrorCode = schema.length > 0 ? 'CONFIG_SCHEMA' : 'CONFIG_ENV';
  const problems = `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
  const source = errorCode === 'CONFIG_ENV' ? ' with the environment' : '';
  const [are, them] = part === 'top-level' ? ['are', 'them'] : ['is', 'it'];
  const happened = `${partName(part)} ${are} not valid${source} (${problems})`;
  const goesOn = `${SERVICE_BLOCKS[reader].owner} goes on without ${them}, but ${partOwner(part)} refuses this file`;
  return {
    code: 'CONFIG_BLOCK_INVALID',
    block: part,
    message: `${happened}; ${goesOn} until it is fixed; run \`booty config validate\` to see every problem`,
    issues,
    errorCode,
  };
}

function checkName(service: string): void {
  if (!isServiceName(service))
    throw new TypeError(`unknown service block ${JSON.stringify(service)}; the blocks are ${SERVICE_NAMES.join(', ')}`);
}

/** The reader's result from an analysis: its own problems throw, the others' are warnings. */
function serviceFrom<S extends ServiceName>(analysis: Analysis, service: S): ServiceConfig<S> {
  const own = analysis.reports[service];
  const schemaIssues = [...analysis.mistakes, ...own.schema];
  if (schemaIssues.length > 0) throw new ConfigError('CONFIG_SCHEMA', schemaIssues);
  if (own.env.length > 0) throw new ConfigError('CONFIG_ENV', own.env);
  const status = analysis.services[service] as ServiceStatus<ServiceSettings[S]>;
  const others = PARTS.filter((part) => part !== service);
  const warnings = [
    ...others.map((part) => invalidPartWarning(analysis, part, service)).filter((warning) => warning !== null),
    ...analysis.unknownKeys.map(unknownKeyWarning),
    ...analysis.warnings.filter((warning) => warning.block === service),
  ];
  const origins = blockOrigins(analysis, service, status as ServiceStatus<object>);
  const settings = status.settings as Record<string, unknown> | null;
  const values =
    settings === null
      ? null
      : Object.fromEntries(
          Object.keys(settings).map((key) => [key, { value: settings[key], origin: origins[key] ?? 'default' }]),
        );
  return { service, path: analysis.document === null ? null : analysis.file, ...status, values, warnings };
}

/**
 * One service's block of `.booty.yml` content already in memory (fetched through the GitHub
 * contents API, say): `file` names it in messages. Throws `ConfigError` for problems in the
 * service's own block or its variables, and for what makes the file unreadable for anyone;
 * problems elsewhere are warnings.
 *
 * @param source - the file's text, or its bytes (UTF-8; a byte order mark is removed)
 * @param service - the block to read (a `ServiceName`)
 * @param options - `file`: the name put in issues and origins (required); `env`: where the
 *   block's variables come from (default `process.env`)
 * @throws {@link ConfigError} for the service's own block: CONFIG_SCHEMA, CONFIG_ENV; for what no
 *   reader can get past: CONFIG_TOO_LARGE, CONFIG_ENCODING, CONFIG_YAML, CONFIG_VERSION, and
 *   CONFIG_SCHEMA for a top level that is not a mapping or a mistaken top-level key
 * @throws `TypeError` when `service` is not a service's name
 */
export function parseServiceConfig<S extends ServiceName>(
  source: string | Uint8Array,
  service: S,
  options: ServiceParseOptions,
): ServiceConfig<S> {
  checkName(service);
  const document = readDocument(source, options.file);
  return serviceFrom(analyse(document, options.file, options.env ?? process.env), service);
}

/**
 * One service's block of `<workspaceDir>/.booty.yml`, read as `loadBootyConfig` reads the file
 * (the same refusals for links, sizes and other names). Without a file the service is
 * `no-config`.
 *
 * @param workspaceDir - the repository's directory; it must exist
 * @param service - the block to read (a `ServiceName`)
 * @param options - `env`: where the block's variables come from (default `process.env`)
 * @throws {@link ConfigError} CONFIG_READ and CONFIG_TOO_LARGE as `loadBootyConfig` does, and
 *   what `parseServiceConfig` throws: CONFIG_SCHEMA, CONFIG_ENV, CONFIG_ENCODING, CONFIG_YAML,
 *   CONFIG_VERSION
 * @throws `TypeError` when `service` is not a service's name
 */
export async function loadServiceConfig<S extends ServiceName>(
  workspaceDir: string,
  service: S,
  options: LoadOptions = {},
): Promise<ServiceConfig<S>> {
  checkName(service);
  const env = options.env ?? process.env;
  const { file, bytes } = await readConfigFile(workspaceDir);
  const document = bytes === null ? null : readDocument(bytes, file);
  return serviceFrom(analyse(document, file, env), service);
}
