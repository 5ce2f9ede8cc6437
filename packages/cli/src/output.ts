// The one way booty writes to a terminal, a pipe or a log. Text is built with the `text`
// template: its literal parts are booty's own, every interpolated value came from outside (a
// file, the environment, an argument, a library message) and is escaped, so nothing written can
// move the cursor, change colours, end a line or reorder what is shown.
import { fstatSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { isatty } from 'node:tty';

type TextModule = typeof import('@booty/config');

// Loaded on first use: `--help` and `--version` never need the configuration library.
let textModule: TextModule | undefined;
function textRules(): TextModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  textModule ??= require('@booty/config') as TextModule;
  return textModule;
}

/** Text that is safe to write: booty's own words, with every outside value already escaped. */
export class SafeText {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type TextValue = SafeText | string | number | boolean | null | undefined;

/** An outside string, escaped (control, invisible and reordering characters shown as escapes). */
export function outside(value: string): SafeText {
  return new SafeText(/^[\x20-\x7e]*$/.test(value) ? value : textRules().escapeText(value));
}

function piece(value: TextValue): string {
  if (value instanceof SafeText) return value.value;
  if (typeof value === 'string') return outside(value).value;
  return String(value);
}

/** Template tag: `text\`booty: ${step.name}: ${command}\`` keeps the literals, escapes the values. */
export function text(literals: TemplateStringsArray, ...values: TextValue[]): SafeText {
  let out = literals[0] ?? '';
  values.forEach((value, index) => {
    out += piece(value) + (literals[index + 1] ?? '');
  });
  return new SafeText(out);
}

/** Joins safe pieces (a table, a list) with a separator of booty's own. */
export function joinText(parts: readonly SafeText[], separator = '\n'): SafeText {
  return new SafeText(parts.map((part) => part.value).join(separator));
}

/**
 * Colour is for people at a terminal: only when the stream is a TTY, NO_COLOR is unset or empty
 * (https://no-color.org) and TERM is not `dumb`. FORCE_COLOR (any value but `0`/`false`) forces
 * it into pipes and files, e.g. for CI logs that render ANSI; NO_COLOR still wins over it.
 */
export function colorEnabled(stream: Writable, env: NodeJS.ProcessEnv): boolean {
  if (env['NO_COLOR']) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  return (stream as Writable & { isTTY?: boolean }).isTTY === true && env['TERM'] !== 'dumb';
}

/** ANSI styling that switches itself off for pipes, files and NO_COLOR. */
export interface Style {
  bold(value: TextValue): SafeText;
  red(value: TextValue): SafeText;
  yellow(value: TextValue): SafeText;
  dim(value: TextValue): SafeText;
}

export function styleFor(stream: Writable, env: NodeJS.ProcessEnv): Style {
  const enabled = colorEnabled(stream, env);
  const wrap = (open: number, close: number) => (value: TextValue) =>
    new SafeText(enabled ? `\u001b[${open}m${piece(value)}\u001b[${close}m` : piece(value));
  return { bold: wrap(1, 22), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22) };
}

// How booty's output can fail. A reader that went away (EPIPE: `booty … | head -1`) is not a
// failure: output to it stops and nothing else changes, not the work under way, not the exit
// status. Any other write error (ENOSPC on a full disk or /dev/full, EIO, EFBIG) is: the output
// is incomplete, and runCli reports it and exits 1 (`outputFailure`).
const closedStreams = new WeakSet<Writable>();
const failures = new WeakMap<Writable, NodeJS.ErrnoException>();

function noteError(stream: Writable, error: unknown): void {
  closedStreams.add(stream);
  const code = (error as NodeJS.ErrnoException | null)?.code;
  // ERR_STREAM_DESTROYED: a write after the stream failed, which is already noted.
  if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || failures.has(stream)) return;
  failures.set(stream, error as NodeJS.ErrnoException);
}

/** Marks `stream` closed when it fails, instead of letting the error end the process. */
export function guardStream(stream: Writable): void {
  stream.on('error', (error) => noteError(stream, error));
}

/** The write error of `stream` other than a reader that went away, if one happened. */
export function outputFailure(stream: Writable): NodeJS.ErrnoException | undefined {
  return failures.get(stream);
}

/** Resolves once everything written to `stream` so far has been handed to the system (or failed). */
export function flushed(stream: Writable): Promise<void> {
  // Written directly, every byte is written already (an empty write to /dev/full would fail).
  if (isClosed(stream) || directFd(stream) !== null) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}

function isClosed(stream: Writable): boolean {
  return closedStreams.has(stream) || stream.destroyed || stream.writableEnded;
}

// Node writes to a regular file (or a device such as /dev/full) with one write(2) per chunk and
// ignores a short count, so on a full disk the output is cut without an error. For those,
// booty writes itself, until every byte is written or the system says why not.
const directFds = new WeakMap<Writable, number | null>();

function directFd(stream: Writable): number | null {
  let fd = directFds.get(stream);
  if (fd !== undefined) return fd;
  fd = null;
  const candidate = (stream as Writable & { fd?: unknown }).fd;
  if (typeof candidate === 'number' && !isatty(candidate)) {
    try {
      const stats = fstatSync(candidate);
      if (stats.isFile() || stats.isCharacterDevice() || stats.isBlockDevice()) fd = candidate;
    } catch {
      fd = null;
    }
  }
  directFds.set(stream, fd);
  return fd;
}

/** Writes safe text to a stream, unless that stream has been closed by its reader (or failed). */
export function writeText(stream: Writable, value: SafeText): void {
  if (isClosed(stream)) return;
  const fd = directFd(stream);
  if (fd === null) {
    stream.write(value.value, (error) => {
      if (error) noteError(stream, error);
    });
    return;
  }
  const bytes = Buffer.from(value.value, 'utf8');
  try {
    for (let offset = 0; offset < bytes.length;) offset += writeSync(fd, bytes, offset);
  } catch (error) {
    noteError(stream, error);
  }
}

/** One line of safe text. */
export function writeLine(stream: Writable, value: SafeText): void {
  writeText(stream, new SafeText(`${value.value}\n`));
}

// Characters JSON.stringify leaves raw but a terminal would act on (DEL, C1, bidi, invisible).
const NON_ASCII = /[\u{7f}-\u{10ffff}]/gu;

/**
 * JSON text whose strings cannot carry a control, invisible or reordering character: those
 * JSON.stringify leaves raw become `\uXXXX` escapes, so the output is still valid JSON and
 * parses back to the same values.
 */
function jsonText(value: unknown): string {
  const json = JSON.stringify(value, null, 2);
  return json.replace(NON_ASCII, (char) =>
    textRules().hasUnsafeText(char) ? `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}` : char,
  );
}

export function writeJson(stream: Writable, value: unknown): void {
  writeText(stream, new SafeText(`${jsonText(value)}\n`));
}

/** A path as the user would type it: relative to the working directory when inside it. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** Plural for counts in messages: `1 step`, `3 steps`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
