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
  if (issue.variable !== undefined) return issue.variable;
  if (issue.file === null) return '(config)';
  return issue.line === null ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
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
      issues.length > 0 ? issues : [{ path: '', message: 'invalid configuration', file: null, line: null, column: null }],
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
