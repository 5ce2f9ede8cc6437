import type { Writable } from 'node:stream';
import type { ConfigError, ConfigIssue, ConfigWarning } from '@booty/config';
import type { StateError } from '@booty/release-state';
import { displayPath, styleFor, writeJson } from './output';

/** Exit codes shared by every command (documented in the README). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

function isConfigError(error: unknown): error is ConfigError {
  return error instanceof Error && error.name === 'ConfigError' && Array.isArray((error as ConfigError).issues);
}

function isStateError(error: unknown): error is StateError {
  return error instanceof Error && error.name === 'StateError' && typeof (error as StateError).code === 'string';
}

/** `FILE:LINE:COL`, or the variable for environment problems, or just the file. */
export function issuePlace(issue: ConfigIssue): string {
  if (issue.variable) return issue.variable;
  if (!issue.file) return '(config)';
  const file = displayPath(issue.file);
  return issue.line === null ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issuePlace(issue)}  ${issue.path === '' ? '(document)' : issue.path}  ${issue.message}`;
}

export function writeWarnings(stderr: Writable, warnings: readonly ConfigWarning[], env: NodeJS.ProcessEnv): void {
  const style = styleFor(stderr, env);
  for (const warning of warnings) stderr.write(`${style.yellow('warning')}: ${warning.message}\n`);
}

export interface ErrorContext {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  json: boolean;
}

/**
 * The one place user-facing failures become output and an exit code: configuration problems
 * exit 2, state problems exit 1, anything unexpected exits 1 with its message (the stack only
 * with BOOTY_DEBUG=1). `--json` callers get the same data as an object on stdout.
 */
export function reportError(error: unknown, context: ErrorContext): number {
  const style = styleFor(context.stderr, context.env);
  if (isConfigError(error)) {
    if (context.json) {
      writeJson(context.stdout, { ok: false, error: { code: error.code, message: error.message, issues: error.issues } });
    } else {
      for (const issue of error.issues) context.stderr.write(`${formatIssue(issue)}\n`);
      const count = error.issues.length;
      context.stderr.write(`${style.red('error')}: ${count} problem${count === 1 ? '' : 's'} in the configuration (${error.code})\n`);
    }
    return EXIT.usage;
  }
  if (isStateError(error)) {
    if (context.json) {
      writeJson(context.stdout, { ok: false, error: { code: error.code, message: error.message, path: error.path } });
    } else {
      context.stderr.write(`${style.red('error')}: ${error.message} (${error.code})\n`);
    }
    return error.code === 'STATE_INVALID_INPUT' ? EXIT.usage : EXIT.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'UsageError') {
    if (context.json) writeJson(context.stdout, { ok: false, error: { code: 'USAGE', message } });
    else context.stderr.write(`${style.red('error')}: ${message}\n`);
    return EXIT.usage;
  }
  if (context.json) {
    writeJson(context.stdout, { ok: false, error: { code: 'INTERNAL', message } });
  } else {
    context.stderr.write(`${style.red('error')}: ${message}\n`);
    if (context.env['BOOTY_DEBUG'] && error instanceof Error && error.stack) context.stderr.write(`${error.stack}\n`);
    else context.stderr.write('This is a bug in booty; run again with BOOTY_DEBUG=1 for details and report it.\n');
  }
  return EXIT.failed;
}
