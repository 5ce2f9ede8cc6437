import * as path from 'node:path';
import type { Writable } from 'node:stream';

/** ANSI styling that switches itself off for pipes, files and NO_COLOR (https://no-color.org). */
export interface Style {
  bold(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
}

export function styleFor(stream: Writable, env: NodeJS.ProcessEnv): Style {
  const tty = (stream as Writable & { isTTY?: boolean }).isTTY === true;
  const enabled = tty && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return { bold: wrap(1, 22), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22) };
}

/** A path as the user would type it: relative to the working directory when inside it. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

export function writeJson(stream: Writable, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}
