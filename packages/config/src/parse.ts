import { ConfigError } from './errors';
import { describeValue, explainProblems } from './messages';
import * as path from 'node:path';
import { ENV_PREFIX } from './env-overrides';
import { governorStatus, presenceOf, type BlockPresence } from './release-governor';
import { decodeSource } from './source';
import type {
  BootyConfig,
  BootyConfigV0,
  BootyConfigV1,
  ConfigIssue,
  LoadedBootyConfig,
  ReleaseGovernorSettings,
} from './types';
import { validateAgainst } from './validate';
import { parseYaml, type ParsedYaml } from './yaml-document';
import { pointerToPath } from './paths';
import { escapeText } from './text';

export interface ParseOptions {
  /** The path reported in issues and returned as `path`. */
  file: string;
  /** Source of `RELEASE_GOVERNOR_*` overrides; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

type Data = Record<string, unknown>;

const SUPPORTED = 'supported versions are 0 (or no schema_version) and 1';

function isMapping(value: unknown): value is Data {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function own(data: Data, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(data, key) ? data[key] : undefined;
}

function issueAt(doc: ParsedYaml, file: string, pointer: string, atKey: boolean, message: string, suggestion?: string): ConfigIssue {
  const location = doc.locations.get(pointer);
  const span = location ? (atKey && location.key ? location.key : location.value) : undefined;
  const position = span ? doc.position(span[0]) : null;
  return {
    path: escapeText(pointerToPath(pointer)),
    message,
    file,
    line: position ? position.line : null,
    column: position ? position.column : null,
    ...(suggestion === undefined ? {} : { suggestion }),
  };
}

function schemaVersion(doc: ParsedYaml, root: Data, file: string): 0 | 1 {
  if (!Object.prototype.hasOwnProperty.call(root, 'schema_version')) return 0;
  const version = root['schema_version'];
  if (version === 0 || version === 1) return version;
  const fix =
    typeof version === 'string' && (version.trim() === '0' || version.trim() === '1')
      ? `; write ${version.trim()} without quotes`
      : '';
  throw new ConfigError('CONFIG_VERSION', [
    issueAt(doc, file, '/schema_version', false, `must be a supported version, found ${describeValue(version)}; ${SUPPORTED}${fix}`),
  ]);
}


function trimmed(value: unknown): string | null {
  return typeof value === 'string' ? value.trim() : null;
}

/** A plain object with the same own keys; keys are defined, never assigned, so no key can reach a prototype. */
function plainRecord(source: Data): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(source)) {
    Object.defineProperty(out, key, { value: source[key], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function strings(value: unknown): string[] {
  return [...(value as string[])];
}

function buildV0(data: Data): BootyConfigV0 {
  return {
    schema_version: 0,
    test_command: data['test_command'] as string,
    timeout: data['timeout'] as number,
    max_retries: data['max_retries'] as number,
    protected_paths: strings(data['protected_paths']),
  };
}

function buildSettings(data: Data): ReleaseGovernorSettings {
  return {
    enabled: data['enabled'] as boolean,
    production_environment_name: data['production_environment_name'] as string,
    require_approval_for_first_deploy: data['require_approval_for_first_deploy'] as boolean,
    high_risk_paths: strings(data['high_risk_paths']),
    migration_paths: strings(data['migration_paths']),
    deploy_workflow_name: data['deploy_workflow_name'] as string,
    deploy_workflow_ref: data['deploy_workflow_ref'] as string,
    cooldown_minutes: data['cooldown_minutes'] as number,
    max_deploys_per_hour: data['max_deploys_per_hour'] as number,
    approval_mode: data['approval_mode'] as ReleaseGovernorSettings['approval_mode'],
    approval_label: data['approval_label'] as string | null,
    approval_command: data['approval_command'] as string | null,
  };
}

function buildV1(data: Data): Omit<BootyConfigV1, 'release_governor'> {
  const pathspec = data['max_loc_per_file_pathspec'];
  return {
    schema_version: 1,
    test_command: (data['test_command'] as string).trim(),
    setup_command: trimmed(data['setup_command']),
    install_command: trimmed(data['install_command']),
    timeout_seconds: data['timeout_seconds'] as number,
    max_retries: data['max_retries'] as number,
    allowed_paths: strings(data['allowed_paths']),
    forbidden_paths: strings(data['forbidden_paths']),
    allowed_commands: strings(data['allowed_commands']),
    network_policy: data['network_policy'] as BootyConfigV1['network_policy'],
    labels: plainRecord(data['labels'] as Data),
    max_files_changed: data['max_files_changed'] as number | null,
    max_diff_loc: data['max_diff_loc'] as number | null,
    max_loc_per_file: data['max_loc_per_file'] as number | null,
    max_loc_per_file_pathspec: pathspec === null ? null : strings(pathspec),
    protected_paths: strings(data['protected_paths']),
  };
}

function topLevelProblem(value: unknown): string {
  if (value === undefined) {
    return 'the file is empty (or only comments); it needs at least `test_command`, e.g. `schema_version: 1` and `test_command: npm test`, or delete the file for no configuration';
  }
  // Never the value itself: a file that is not config-shaped (an .npmrc, a key file linked in
  // its place) must not have its content echoed into a log.
  const found =
    value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'string' ? `text (${Array.from(value).length} characters)` : describeValue(value);
  return `the top level must be a mapping of keys such as \`test_command: npm test\`, found ${found}`;
}

/**
 * Parses and validates `.booty.yml` content: size and encoding, YAML, schema version, schema
 * (defaults applied), then the `RELEASE_GOVERNOR_*` overrides. Throws `ConfigError` for any
 * problem in the input, with every problem of the failing stage.
 */
export function parseBootyConfig(source: string | Uint8Array, options: ParseOptions): LoadedBootyConfig {
  const file = options.file;
  const env = options.env ?? process.env;
  const text = decodeSource(source, file);
  const doc = parseYaml(text, file);
  const root = doc.value;
  if (!isMapping(root)) {
    throw new ConfigError('CONFIG_SCHEMA', [
      root === undefined
        ? { path: '', message: topLevelProblem(root), file, line: null, column: null }
        : issueAt(doc, file, '', false, topLevelProblem(root)),
    ]);
  }

  const version = schemaVersion(doc, root, file);
  const presence: BlockPresence = presenceOf(version, own(root, 'release_governor'));
  const problems = validateAgainst(version === 0 ? 'v0' : 'v1', root);
  if (problems.length > 0) {
    throw new ConfigError(
      'CONFIG_SCHEMA',
      explainProblems(problems).map((e) => issueAt(doc, file, e.pointer, e.atKey, e.message, e.suggestion)),
    );
  }

  let config: BootyConfig;
  let fileSettings: ReleaseGovernorSettings | null = null;
  if (version === 0) {
    config = buildV0(root);
  } else {
    const block = own(root, 'release_governor');
    if (presence === 'present' && isMapping(block)) fileSettings = buildSettings(block);
    config = buildV1(root);
  }
  const { status, warnings } = governorStatus(presence, fileSettings, env, file);
  // The same object as releaseGovernor.settings: the settings are copied once, in buildSettings.
  if (config.schema_version === 1 && presence !== 'absent') config.release_governor = status.settings;
  return { path: file, config, releaseGovernor: status, warnings, origins: originsOf(doc, file, config, status.overriddenBy) };
}

/** `.booty.yml:LINE:COL` of the key at `pointer`, or null when the file does not write it. */
function written(doc: ParsedYaml, name: string, pointer: string): string | null {
  const location = doc.locations.get(pointer);
  if (location === undefined) return null;
  const { line, column } = doc.position((location.key ?? location.value)[0]);
  return `${name}:${line}:${column}`;
}

/** Where each effective value came from: the file, a variable, or the default. */
function originsOf(doc: ParsedYaml, file: string, config: BootyConfig, overriddenBy: readonly string[]): Record<string, string> {
  const name = escapeText(path.basename(file));
  const origins: Record<string, string> = {};
  for (const key of Object.keys(config)) {
    origins[key] = written(doc, name, `/${key}`) ?? 'default';
  }
  const block = config.schema_version === 1 ? config.release_governor : null;
  if (block) {
    for (const key of Object.keys(block)) {
      const variable = `${ENV_PREFIX}${key.toUpperCase()}`;
      origins[`release_governor.${key}`] = overriddenBy.includes(variable)
        ? variable
        : (written(doc, name, `/release_governor/${key}`) ?? 'default');
    }
  }
  return origins;
}
