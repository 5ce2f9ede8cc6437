import { isServiceName, SERVICE_BLOCKS, SERVICE_NAMES, variableOf } from './blocks';
import { issueAt, own, positionAt, writtenAt, type BootyDocument, type Data } from './document';
import { unknownVariableWarnings } from './env-overrides';
import { explainProblems, keyName } from './messages';
import { pointerSegments } from './paths';
import type { SchemaNode } from './schema-types';
import { presenceOf, serviceStatus, type BlockPresence } from './service-status';
import type {
  BootyConfigV0,
  BootyConfigV1,
  ConfigBlock,
  ConfigIssue,
  ConfigWarning,
  ServiceName,
  ServiceSettings,
  ServiceStatus,
} from './types';
import { validateAgainst } from './validate';
import { bootyVersion } from './version';

// One pass over a document that checks each part on its own: the top-level keys and each
// service's block, each with its variables. Readers then decide what stops them (parse.ts: any
// problem, for the authors' side; service.ts: problems in the reader's own block).

/** The top-level settings of a file, without the service blocks. */
export type TopLevelSettings = BootyConfigV0 | Omit<BootyConfigV1, ServiceName>;

export interface BlockReport {
  /** CONFIG_SCHEMA issues of the file in this part (near misses of its own keys included). */
  schema: ConfigIssue[];
  /** CONFIG_ENV issues of its variables, checked only when the file's part is valid. */
  env: ConfigIssue[];
}

export interface UnknownKey {
  block: ConfigBlock;
  /** The key as written. */
  key: string;
  issue: ConfigIssue;
}

export interface Analysis {
  /** The file's path (what issues and reasons name). */
  file: string;
  /** null when there is no `.booty.yml`. */
  document: BootyDocument | null;
  /** Mistaken top-level keys (`securty`, a block's key at the top, `__proto__`): errors for every reader. */
  mistakes: ConfigIssue[];
  /** Keys this version does not know that are no mistake: perhaps a newer version's. */
  unknownKeys: UnknownKey[];
  reports: Record<ConfigBlock, BlockReport>;
  /** null when the top-level keys are invalid. */
  topLevel: TopLevelSettings | null;
  /** Each service whose block (file and variables) is valid. */
  services: { [S in ServiceName]?: ServiceStatus<ServiceSettings[S]> };
  presence: Record<ServiceName, BlockPresence>;
  /** About variables, and blocks a v0 file ignores, each with its block. */
  warnings: ConfigWarning[];
}

/** The parts a file is checked in: the top-level keys, then each service's block. */
export const PARTS: readonly ConfigBlock[] = ['top-level', ...SERVICE_NAMES];

function strings(value: unknown): string[] {
  return [...(value as string[])];
}

/** A plain object with the same own keys; keys are defined, never assigned, so no key can reach a prototype. */
function plainRecord(source: Data): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(source)) {
    Object.defineProperty(out, key, { value: source[key], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function trimmed(value: unknown): string | null {
  return typeof value === 'string' ? value.trim() : null;
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

function buildV1(data: Data): Omit<BootyConfigV1, ServiceName> {
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

/** A validated block as a plain object of its known keys in the schema's order, lists copied. */
function settingsFrom(schema: SchemaNode, data: Data): object {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties ?? {})) {
    const value = own(data, key);
    out[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  return out;
}

/** The part of the file a problem at `pointer` belongs to. */
function partOf(pointer: string): ConfigBlock {
  const first = pointerSegments(pointer)[0];
  return first !== undefined && isServiceName(first) ? first : 'top-level';
}

function emptyReports(): Record<ConfigBlock, BlockReport> {
  return Object.fromEntries(PARTS.map((part) => [part, { schema: [], env: [] }])) as unknown as Record<
    ConfigBlock,
    BlockReport
  >;
}

/** A v0 file ignores service blocks, as the first loader did; never silently. */
function ignoredInV0(document: BootyDocument): ConfigWarning[] {
  return SERVICE_NAMES.filter((name) => own(document.root, name) !== undefined).map((name) => {
    const { owner } = SERVICE_BLOCKS[name];
    const position = positionAt(document.yaml, `/${name}`, true);
    return {
      code: 'CONFIG_KEY_IGNORED' as const,
      block: name,
      message:
        `${keyName(name)} is ignored: a schema_version 0 file has no service blocks, so ${owner} does not read it; ` +
        'add `schema_version: 1` at the top to use it',
      path: name,
      file: document.file,
      line: position?.line ?? null,
      column: position?.column ?? null,
    };
  });
}

/**
 * Checks every part of `document` (null: there is no file) and evaluates each service whose block
 * is valid, with its variables from `env`. Throws nothing: problems are reported by part.
 */
export function analyse(document: BootyDocument | null, file: string, env: NodeJS.ProcessEnv): Analysis {
  const reports = emptyReports();
  const mistakes: ConfigIssue[] = [];
  const unknownKeys: UnknownKey[] = [];
  const warnings: ConfigWarning[] = [];
  let topLevel: TopLevelSettings | null = null;
  // Before validation, which fills defaults into the blocks (so `{}` would no longer look empty).
  const presence = {} as Record<ServiceName, BlockPresence>;
  for (const name of SERVICE_NAMES) {
    presence[name] = document === null ? 'no-config' : presenceOf(document.version, own(document.root, name));
  }

  if (document !== null) {
    const { root, version, yaml } = document;
    for (const explained of explainProblems(validateAgainst(version === 0 ? 'v0' : 'v1', root))) {
      const issue = issueAt(yaml, file, explained.pointer, explained.atKey, explained.message, explained.suggestion);
      const part = partOf(explained.pointer);
      if (
        explained.unknownKey === 'mistake' &&
        part === 'top-level' &&
        pointerSegments(explained.pointer).length === 1
      ) {
        mistakes.push(issue);
      } else if (explained.unknownKey === 'unknown') {
        unknownKeys.push({ block: part, key: pointerSegments(explained.pointer).pop() ?? '', issue });
      } else {
        reports[part].schema.push(issue);
      }
    }
    if (reports['top-level'].schema.length === 0) topLevel = version === 0 ? buildV0(root) : buildV1(root);
    if (version === 0) warnings.push(...ignoredInV0(document));
  }

  const services: Analysis['services'] = {};
  for (const name of SERVICE_NAMES) {
    if (reports[name].schema.length > 0) continue;
    const raw = document?.version === 1 ? own(document.root, name) : undefined;
    const fileSettings =
      raw !== null && typeof raw === 'object' ? settingsFrom(SERVICE_BLOCKS[name].schema, raw as Data) : null;
    const evaluated = serviceStatus(name, presence[name], fileSettings, env, file);
    warnings.push(...evaluated.warnings);
    if (evaluated.issues.length > 0) {
      reports[name].env.push(...evaluated.issues);
      continue;
    }
    (services as Record<ServiceName, ServiceStatus<object>>)[name] = evaluated.status;
  }
  warnings.push(...unknownVariableWarnings(env));
  // In the file's order, as issues are.
  const at = (issue: ConfigIssue) => [issue.line ?? Number.MAX_SAFE_INTEGER, issue.column ?? 0] as const;
  unknownKeys.sort((a, b) => at(a.issue)[0] - at(b.issue)[0] || at(a.issue)[1] - at(b.issue)[1]);
  return { file, document, mistakes, unknownKeys, reports, topLevel, services, presence, warnings };
}

/** Where each value of `block` came from: its variable, the file, or the default. */
export function blockOrigins(
  analysis: Analysis,
  block: ServiceName,
  status: ServiceStatus<object>,
): Record<string, string> {
  const origins: Record<string, string> = {};
  if (status.settings === null || analysis.document === null) return origins;
  for (const key of Object.keys(status.settings)) {
    const variable = variableOf(block, key);
    origins[key] = status.overriddenBy.includes(variable)
      ? variable
      : (writtenAt(analysis.document, `/${block}/${key}`) ?? 'default');
  }
  return origins;
}

function where(block: ConfigBlock): string {
  return block === 'top-level' ? 'at the top level' : `in ${block}`;
}

/**
 * A key this version does not know, for a reader that goes on: the same file may be written for
 * a newer booty (one file, services of several versions). Mistakes (near misses) never come here.
 */
export function unknownKeyWarning({ block, key, issue }: UnknownKey): ConfigWarning {
  return {
    code: 'CONFIG_KEY_UNKNOWN',
    block,
    message:
      `${keyName(key)} ${where(block)} is not known to booty ${bootyVersion()}; a newer version may use it, so it ` +
      'is ignored here (`booty config validate` with the newest booty checks it)',
    path: issue.path,
    file: issue.file,
    line: issue.line,
    column: issue.column,
  };
}
