import * as path from 'node:path';
import { ConfigError } from './errors';
import { describeValue } from './messages';
import { pointerToPath } from './paths';
import { decodeSource } from './source';
import { escapeText } from './text';
import type { ConfigIssue } from './types';
import { parseYaml, type ParsedYaml } from './yaml-document';

// The stages every reader shares, each of which stops with a ConfigError for everyone: size and
// encoding, YAML, a mapping at the top, and a schema_version this version knows. What is inside
// the mapping is checked block by block (analyse.ts).

export type Data = Record<string, unknown>;

/** A `.booty.yml` that reached its schema: its mapping, positions and version. */
export interface BootyDocument {
  file: string;
  yaml: ParsedYaml;
  root: Data;
  version: 0 | 1;
}

const SUPPORTED = 'supported versions are 0 (or no schema_version) and 1';

function isMapping(value: unknown): value is Data {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function own(data: Data, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(data, key) ? data[key] : undefined;
}

/** Line and column of the value (or, with `atKey`, the key) that `pointer` names; null when it is not written. */
export function positionAt(doc: ParsedYaml, pointer: string, atKey: boolean): { line: number; column: number } | null {
  const location = doc.locations.get(pointer);
  const span = location ? (atKey && location.key ? location.key : location.value) : undefined;
  return span ? doc.position(span[0]) : null;
}

/** An issue at the value (or, with `atKey`, the key) that `pointer` names. */
export function issueAt(
  doc: ParsedYaml,
  file: string,
  pointer: string,
  atKey: boolean,
  message: string,
  suggestion?: string,
): ConfigIssue {
  const position = positionAt(doc, pointer, atKey);
  return {
    path: escapeText(pointerToPath(pointer)),
    message,
    file,
    line: position ? position.line : null,
    column: position ? position.column : null,
    ...(suggestion === undefined ? {} : { suggestion }),
  };
}

/** `.booty.yml:LINE:COL` of the key at `pointer`, or null when the file does not write it. */
export function writtenAt(document: BootyDocument, pointer: string): string | null {
  const location = document.yaml.locations.get(pointer);
  if (location === undefined) return null;
  const { line, column } = document.yaml.position((location.key ?? location.value)[0]);
  return `${escapeText(path.basename(document.file))}:${line}:${column}`;
}

function topLevelProblem(value: unknown): string {
  if (value === undefined) {
    return (
      'the file is empty (or only comments); it needs at least `test_command`, ' +
      'e.g. `schema_version: 1` and `test_command: npm test`, or delete the file for no configuration'
    );
  }
  // Never the value itself: a file that is not config-shaped (an .npmrc, a key file linked in
  // its place) must not have its content echoed into a log.
  const found =
    value === null
      ? 'null'
      : Array.isArray(value)
        ? 'a list'
        : typeof value === 'string'
          ? `text (${Array.from(value).length} characters)`
          : describeValue(value);
  return `the top level must be a mapping of keys such as \`test_command: npm test\`, found ${found}`;
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
    issueAt(
      doc,
      file,
      '/schema_version',
      false,
      `must be a supported version, found ${describeValue(version)}; ${SUPPORTED}${fix}`,
    ),
  ]);
}

/**
 * Decodes and parses `.booty.yml` content up to its schema: size and encoding, YAML, a mapping
 * at the top, and its schema_version. Throws ConfigError (every problem of the failing stage).
 */
export function readDocument(source: string | Uint8Array, file: string): BootyDocument {
  const text = decodeSource(source, file);
  const yaml = parseYaml(text, file);
  const root = yaml.value;
  if (!isMapping(root)) {
    throw new ConfigError('CONFIG_SCHEMA', [
      root === undefined
        ? { path: '', message: topLevelProblem(root), file, line: null, column: null }
        : issueAt(yaml, file, '', false, topLevelProblem(root)),
    ]);
  }
  return { file, yaml, root, version: schemaVersion(yaml, root, file) };
}
