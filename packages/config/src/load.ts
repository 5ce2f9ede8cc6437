import { constants, promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './errors';
import { MAX_CONFIG_BYTES } from './limits';
import { parseBootyConfig } from './parse';
import { governorStatus } from './release-governor';
import { tooLarge } from './source';
import type { LoadedBootyConfig } from './types';

export const CONFIG_FILE_NAME = '.booty.yml';

export interface LoadOptions {
  /** Source of `RELEASE_GOVERNOR_*` overrides; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

function readError(file: string, message: string): ConfigError {
  return new ConfigError('CONFIG_READ', [{ path: '', message, file, line: null, column: null }]);
}

// Duck-typed: errors from node:fs may come from another realm (vm contexts, test runners).
function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function messageOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
    ? error.message
    : String(error);
}

function describeFsError(error: unknown): string {
  const code = errnoCode(error);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied; make the file readable by this user';
  if (code === 'ELOOP') return 'too many levels of symbolic links; point the link at a real file';
  if (code === 'EISDIR') return 'it is a directory; .booty.yml must be a file';
  return messageOf(error);
}

async function statOrNull(target: string, follow: boolean): Promise<Stats | null> {
  try {
    return follow ? await fs.stat(target) : await fs.lstat(target);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

function noConfig(env: NodeJS.ProcessEnv): LoadedBootyConfig {
  const { status, warnings } = governorStatus('no-config', null, env, CONFIG_FILE_NAME);
  return { path: null, config: null, releaseGovernor: status, warnings };
}

/** Reads at most one byte past the cap, so a file that grows while we read is still refused. */
async function readCapped(file: string): Promise<Uint8Array> {
  // O_NONBLOCK: a FIFO swapped in after the type check must not block the open.
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw readError(file, 'it is not a regular file; .booty.yml must be a file');
    if (stat.size > MAX_CONFIG_BYTES) throw tooLarge(file, stat.size);
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_CONFIG_BYTES) throw tooLarge(file, null);
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/**
 * Loads `<workspaceDir>/.booty.yml`. A workspace without the file has no configuration (the
 * Governor is disabled); a file that cannot be read, is too large, or is invalid throws
 * `ConfigError`. Nothing is written.
 */
export async function loadBootyConfig(workspaceDir: string, options: LoadOptions = {}): Promise<LoadedBootyConfig> {
  const env = options.env ?? process.env;
  const workspace = path.resolve(workspaceDir);
  const file = path.join(workspace, CONFIG_FILE_NAME);
  let stat: Stats | null;
  try {
    stat = await statOrNull(file, true);
    if (stat === null) {
      if ((await statOrNull(file, false)) !== null) {
        throw readError(file, 'it is a symbolic link to a file that does not exist; fix or remove the link');
      }
      const dir = await statOrNull(workspace, true);
      if (dir === null) throw readError(file, `the workspace directory ${workspace} does not exist; check the path`);
      if (!dir.isDirectory()) throw readError(file, `the workspace ${workspace} is not a directory; pass the repository's directory`);
      return noConfig(env);
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw readError(file, `cannot be checked: ${describeFsError(error)}`);
  }
  if (stat.isDirectory()) throw readError(file, 'it is a directory; .booty.yml must be a file');
  if (!stat.isFile()) throw readError(file, 'it is not a regular file (a FIFO, socket or device); .booty.yml must be a file');
  if (stat.size > MAX_CONFIG_BYTES) throw tooLarge(file, stat.size);
  let bytes: Uint8Array;
  try {
    bytes = await readCapped(file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw readError(file, `cannot be read: ${describeFsError(error)}`);
  }
  return parseBootyConfig(bytes, { file, env });
}
