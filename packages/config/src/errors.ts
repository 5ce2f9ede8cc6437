import { escapeText } from './text';
import type { ConfigErrorCode, ConfigIssue } from './types';

/** Issues with a position first, by line then column; the rest keep their order. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => {
      const la = a.issue.line ?? Number.MAX_SAFE_INTEGER;
      const lb = b.issue.line ?? Number.MAX_SAFE_INTEGER;
      if (la !== lb) return la - lb;
      const ca = a.issue.column ?? Number.MAX_SAFE_INTEGER;
      const cb = b.issue.column ?? Number.MAX_SAFE_INTEGER;
      return ca !== cb ? ca - cb : a.index - b.index;
    })
    .map(({ issue }) => issue);
}

function place(issue: ConfigIssue): string {
  if (issue.variable !== undefined) return escapeText(issue.variable);
  if (issue.file === null) return '(config)';
  const file = escapeText(issue.file);
  return issue.line === null ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
}

/** What `configIssue` composes an issue from. */
export interface ConfigIssueSpec {
  /** Dotted key path ('' for the whole file); escaped here. */
  path?: string;
  file: string | null;
  line?: number | null;
  column?: number | null;
  /** What happened, naming the place; outside text in it already escaped (`excerpt`, `escapeText`). */
  happened: string;
  /**
   * What was (not) changed, when it is worth saying: loading never writes, so it is omitted for
   * ordinary problems and said where a reader might fear otherwise ("nothing of it was read").
   */
  changed?: string;
  /** The next step, as a shell step or booty command. */
  fix?: string;
  variable?: string;
  suggestion?: string;
}

/**
 * The one place an issue's message is composed: "what happened; what was (not) changed; the
 * fix", each part once, in that order.
 */
export function configIssue(spec: ConfigIssueSpec): ConfigIssue {
  const message = [spec.happened, spec.changed, spec.fix]
    .filter((part) => part !== undefined && part !== '')
    .join('; ');
  return {
    path: escapeText(spec.path ?? ''),
    message,
    file: spec.file,
    line: spec.line ?? null,
    column: spec.column ?? null,
    ...(spec.variable === undefined ? {} : { variable: spec.variable }),
    ...(spec.suggestion === undefined ? {} : { suggestion: spec.suggestion }),
  };
}

/** A ConfigError of one or more issues built by `configIssue`. */
export function configError(code: ConfigErrorCode, specs: ConfigIssueSpec | readonly ConfigIssueSpec[]): ConfigError {
  const list: readonly ConfigIssueSpec[] = 'happened' in specs ? [specs] : specs;
  return new ConfigError(code, list.map(configIssue));
}

/**
 * Every problem found in a `.booty.yml` (or in the `RELEASE_GOVERNOR_*` environment), reported
 * together. Callers branch on `code` and render `issues`; the message is a readable summary.
 */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  /** At least one, sorted by (line, column); issues without a position come last. */
  readonly issues: ConfigIssue[];

  constructor(code: ConfigErrorCode, issues: readonly ConfigIssue[]) {
    const sorted = sortIssues(
      issues.length > 0
        ? issues
        : [{ path: '', message: 'invalid configuration', file: null, line: null, column: null }],
    );
    const first = sorted[0];
    const summary =
      first === undefined
        ? 'invalid configuration'
        : `${place(first)}: ${first.path === '' ? '' : `${first.path}: `}${first.message}`;
    const more = sorted.length > 1 ? ` (and ${sorted.length - 1} more problem${sorted.length === 2 ? '' : 's'})` : '';
    super(`${summary}${more}`);
    this.name = 'ConfigError';
    this.code = code;
    this.issues = sorted;
  }
}

/**
 * The mark every copy of this package puts on its `ConfigError`s. `Symbol.for` keys one registry
 * per process, so two installed copies use the same symbol, while `instanceof` fails across them.
 */
const CONFIG_ERROR_BRAND: unique symbol = Symbol.for('@booty/config:ConfigError');
Object.defineProperty(ConfigError.prototype, CONFIG_ERROR_BRAND, { value: true });

/**
 * True for a `ConfigError` thrown by any installed copy of `@booty/config`, where
 * `instanceof ConfigError` is true only for this copy's own errors. Branch on `error.code` after it.
 *
 * @param error - anything caught
 * @throws Never throws.
 */
export function isConfigError(error: unknown): error is ConfigError {
  if (typeof error !== 'object' || error === null) return false;
  return CONFIG_ERROR_BRAND in error && error[CONFIG_ERROR_BRAND] === true;
}
