import type { Writable } from 'node:stream';
import type { ConfigError, ConfigIssue, ConfigWarning } from '@booty/config';
import type { StateError } from '@booty/release-state';
import { displayPath, joinText, outside, styleFor, text, writeJson, writeLine, type SafeText } from './output';

/** Exit codes shared by every command (documented in the README); 128+N is signal N. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Codes of the CLI's own failures (the libraries have theirs: CONFIG_*, STATE_*). */
export type CliErrorCode = 'USAGE' | 'ENV_FILE';

/** A failure of the command line itself: a bad option value, an unreadable --dotenv file. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

function isConfigError(error: unknown): error is ConfigError {
  return error instanceof Error && error.name === 'ConfigError' && Array.isArray((error as ConfigError).issues);
}

function isStateError(error: unknown): error is StateError {
  return error instanceof Error && error.name === 'StateError' && typeof (error as StateError).code === 'string';
}

/** Variables that came from `--dotenv`, so a bad one is reported with the file that set it. */
export type EnvOrigins = ReadonlyMap<string, string>;

/** `FILE:LINE:COL`, or the variable (and the --dotenv file that set it), or just the file. */
export function issuePlace(issue: ConfigIssue, origins: EnvOrigins = new Map()): SafeText {
  if (issue.variable) {
    const file = origins.get(issue.variable);
    return file === undefined ? outside(issue.variable) : text`${issue.variable} (from --dotenv ${displayPath(file)})`;
  }
  if (!issue.file) return text`(config)`;
  const file = displayPath(issue.file);
  return issue.line === null ? outside(file) : text`${file}:${issue.line}:${issue.column ?? 1}`;
}

export function formatIssue(issue: ConfigIssue, origins?: EnvOrigins): SafeText {
  return text`${issuePlace(issue, origins)}  ${issue.path === '' ? '(document)' : issue.path}  ${issue.message}`;
}

/**
 * Configuration warnings on stderr: each with its place (`FILE:LINE:COL  key.path` for a key, the
 * --dotenv that set a variable), and under a part of the file that is invalid, its problems.
 */
export function writeWarnings(
  stderr: Writable,
  warnings: readonly ConfigWarning[],
  env: NodeJS.ProcessEnv,
  origins: EnvOrigins = new Map(),
): void {
  const style = styleFor(stderr, env);
  for (const warning of warnings) {
    const file = warning.variable === undefined ? undefined : origins.get(warning.variable);
    const from = file === undefined ? text`` : text` (set by --dotenv ${displayPath(file)})`;
    const { file: where, line, column, path } = warning;
    const at = where && line ? text`${displayPath(where)}:${line}:${column ?? 1}  ${path ?? ''}  ` : text``;
    writeLine(stderr, text`${style.yellow('warning')}: ${at}${warning.message}${from}`);
    for (const issue of warning.issues ?? []) writeLine(stderr, text`  ${formatIssue(issue, origins)}`);
  }
}

/** The exit status for a failure: bad input is 2, a job or state that failed is 1. */
export function exitFor(error: unknown): number {
  if (isConfigError(error)) return EXIT.usage;
  if (isStateError(error)) return error.code === 'STATE_INVALID_INPUT' ? EXIT.usage : EXIT.failed;
  if (error instanceof CliError) return EXIT.usage;
  if (error instanceof Error && error.name === 'UsageError') return EXIT.usage;
  return EXIT.failed;
}

/** The `--json` form of a failure: `{ code, message, path?, details?, issues? }`. */
export function errorJson(error: unknown, origins: EnvOrigins = new Map()): Record<string, unknown> {
  if (isConfigError(error)) {
    const issues = error.issues.map((issue) => {
      const file = issue.variable === undefined ? undefined : origins.get(issue.variable);
      return file === undefined || issue.file !== null ? issue : { ...issue, file };
    });
    return { code: error.code, message: error.message, issues };
  }
  if (isStateError(error)) {
    const details = error.details && Object.keys(error.details).length > 0 ? { details: error.details } : {};
    return { code: error.code, message: error.message, path: error.path, ...details };
  }
  if (error instanceof CliError)
    return { code: error.code, message: error.message, ...(error.path === undefined ? {} : { path: error.path }) };
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'UsageError') return { code: 'USAGE', message };
  return { code: 'INTERNAL', message };
}

/** Each line of a message escaped on its own: clipanion's usage errors span lines. */
export function messageText(message: string): SafeText {
  return joinText(message.split('\n').map((line) => outside(line)));
}

/**
 * A command line booty cannot make sense of, on stderr: the error, then where the commands are
 * listed. The one wording for the parser's failures (cli.ts) and `booty help WORDS` (help.ts).
 */
export function writeUsageError(stderr: Writable, env: NodeJS.ProcessEnv, message: SafeText): void {
  writeLine(stderr, text`${styleFor(stderr, env).red('error')}: ${message} (USAGE)`);
  writeLine(stderr, text`\nRun \`booty --help\` for the commands and their options.`);
}

export interface ErrorContext {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  json: boolean;
  /** Variables set by --dotenv, with the file. */
  envOrigins?: EnvOrigins;
}

/**
 * The one place user-facing failures become output and an exit code (`exitFor`). Text goes to
 * stderr, `--json` callers get `{ ok: false, error }` on stdout; every outside string is escaped.
 * Anything unexpected exits 1 with its message (the stack only with BOOTY_DEBUG=1).
 */
export function reportError(error: unknown, context: ErrorContext): number {
  const origins = context.envOrigins ?? new Map<string, string>();
  const code = exitFor(error);
  if (context.json) {
    writeJson(context.stdout, { ok: false, error: errorJson(error, origins) });
    return code;
  }
  const { stderr } = context;
  const style = styleFor(stderr, context.env);
  if (isConfigError(error)) {
    for (const issue of error.issues) writeLine(stderr, formatIssue(issue, origins));
    const count = error.issues.length;
    writeLine(
      stderr,
      text`${style.red('error')}: ${count} problem${count === 1 ? '' : 's'} in the configuration (${error.code})`,
    );
  } else if (isStateError(error) || error instanceof CliError) {
    // Library messages are one line: escaped whole, so a value in them cannot start a new line.
    writeLine(stderr, text`${style.red('error')}: ${error.message} (${error.code})`);
  } else if (error instanceof Error && error.name === 'UsageError') {
    writeLine(stderr, text`${style.red('error')}: ${messageText(error.message)} (USAGE)`);
  } else {
    writeLine(
      stderr,
      text`${style.red('error')}: ${messageText(error instanceof Error ? error.message : String(error))}`,
    );
    if (context.env['BOOTY_DEBUG'] && error instanceof Error && error.stack)
      writeLine(stderr, messageText(error.stack));
    else writeLine(stderr, text`This is a bug in booty; run again with BOOTY_DEBUG=1 for details and report it.`);
  }
  return code;
}
