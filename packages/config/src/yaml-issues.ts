import type * as Yaml from 'yaml';
import { ConfigError } from './errors';
import { escapeText } from './text';
import type { ConfigIssue } from './types';

/** Gathers the problems found in one document, each at the line and column of an offset. */
export class Collector {
  readonly issues: ConfigIssue[] = [];
  constructor(
    private readonly file: string,
    private readonly lines: Yaml.LineCounter,
  ) {}

  lineOf(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  at(offset: number, message: string, path = ''): void {
    const { line, col } = this.lines.linePos(offset);
    this.issues.push({ path: escapeText(path), message, file: this.file, line, column: col });
  }

  fail(): ConfigError {
    return new ConfigError('CONFIG_YAML', this.issues);
  }
}
