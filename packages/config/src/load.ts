import { constants, promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, configError } from './errors';
import { MAX_CONFIG_BYTES } from './limits';
import { analyse } from './analyse';
import { readDocument } from './document';
import { loadedFrom, type ParseOptions } from './parse';
import { tooLarge } from './source';
import { escapeText } from './text';
import type { LoadedBootyConfig } from './types';

export const CONFIG_FILE_NAME = '.booty.yml';

/**
 * Names people give the file that booty does not read (in any case: `.Booty.YML` too). When one
 * of them is there and `.booty.yml` is not, loading is an error naming it: "no configuration"
 * would be a silent surprise, and nothing that relied on such a file ever worked.
 */
export const OTHER_CONFIG_NAMES: readonly string[] = [
  '.booty.yaml',
  'booty.yml',
  'booty.yaml',
  '.booty.json',
  'booty.json',
];
const OTHER_NAME = /^\.?booty\.(ya?ml|json)$/i;

/** The first file of the workspace under another config name, or null (one directory listing). */
async function otherConfigName(workspace: string): Promise<string | null> {
  let names: string[];
  try {
    names = await fs.readdir(workspace);
  } catch {
    return null; // A directory that cannot be listed holds no surprise we could name.
  }
  return names.filter((name) => name !== CONFIG_FILE_NAME && OTHER_NAME.test(name)).sort()[0] ?? null;
}

/** What `loadBootyConfig`, `loadServiceConfig` and `explainBootyConfig` take besides the workspace. */
export interface LoadOptions {
  /** Source of the variables that override config keys; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

function readError(file: string, happened: string, fix?: string, changed?: string): ConfigError {
  return configError('CONFIG_READ', {
    file,
    happened,
    ...(changed === undefined ? {} : { changed }),
    ...(fix === undefined ? {} : { fix }),
  });
}

// Duck-typed: errors from node:fs may come from another realm (vm contexts, test runners).
function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

function describeFsError(error: unknown): string {
  const code = errnoCode(error);
  if (code === 'EACCES' || code === 'EPERM')
    return 'permission denied; make the file readable by this user (`chmod a+r .booty.yml`)';
  if (code === 'ELOOP') return 'too many levels of symbolic links; point the link at a real file';
  if (code === 'EISDIR') return 'it is a directory; .booty.yml must be a file';
  // Only the errno: a system error's message carries the path again, unescaped.
  return `the system reported ${code ?? 'an error'}`;
}

async function lstatOrNull(target: string): Promise<Stats | null> {
  try {
    return await fs.lstat(target);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

function inside(dir: string, target: string): boolean {
  const relative = path.relative(dir, target);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * Where a `.booty.yml` symbolic link may lead: a regular file inside the workspace (after every
 * link is resolved). A checkout is untrusted input; a link committed to it could point at any
 * file on the machine (a token in ~/.npmrc, /proc/self/environ), and an error that quoted it
 * would publish it in a CI log. So anything else is refused before a byte of it is read.
 */
async function linkTarget(workspace: string, file: string): Promise<{ real: string; stat: Stats }> {
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw readError(file, 'it is a symbolic link to a file that does not exist', 'fix or remove the link');
    }
    throw readError(file, `the symbolic link cannot be followed: ${describeFsError(error)}`);
  }
  const stat = await fs.stat(real);
  if (!stat.isFile()) {
    throw readError(
      file,
      `it is a symbolic link to ${escapeText(real)}, which is not a regular file (a directory, FIFO, socket or device)`,
      'replace the link with the file itself',
      'nothing of it was read',
    );
  }
  const realWorkspace = await fs.realpath(workspace);
  if (!inside(realWorkspace, real)) {
    throw readError(
      file,
      `it is a symbolic link to ${escapeText(real)}, outside the workspace ${escapeText(realWorkspace)}; ` +
        'booty follows a .booty.yml link only to a regular file inside the workspace, ' +
        'because a checkout may be untrusted',
      'replace the link with the file itself (`cp --remove-destination "$(readlink -f .booty.yml)" .booty.yml`)',
      'nothing of it was read',
    );
  }
  return { real, stat };
}

/** Reads at most one byte past the cap, so a file that grows while we read is still refused. */
async function readCapped(target: string, file: string, checked: Stats): Promise<Uint8Array> {
  // O_NOFOLLOW: a link swapped in after the checks is refused; O_NONBLOCK: so is a FIFO.
  const handle = await fs.open(target, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.ino !== checked.ino || stat.dev !== checked.dev) {
      throw readError(file, 'it changed while it was being opened', 'run the command again');
    }
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

/** The workspace has no `.booty.yml`: it must exist, and must not hold the file under another name. */
async function checkNoConfig(workspace: string, file: string): Promise<void> {
  const dir = await lstatOrNull(workspace).then((stat) =>
    stat?.isSymbolicLink() ? fs.stat(workspace).catch(() => null) : stat,
  );
  if (dir === null)
    throw readError(file, `the workspace directory ${escapeText(workspace)} does not exist`, 'check the path');
  if (!dir.isDirectory())
    throw readError(
      file,
      `the workspace ${escapeText(workspace)} is not a directory`,
      "pass the repository's directory",
    );
  const name = await otherConfigName(workspace);
  if (name !== null) {
    throw readError(
      file,
      `there is no .booty.yml, but there is ${escapeText(name)}; ` +
        `booty reads its configuration only from .booty.yml, so ${escapeText(name)} was not read`,
      `rename it: \`git mv ${escapeText(name)} .booty.yml\`${/json$/i.test(name) ? ' (JSON is valid YAML)' : ''}`,
    );
  }
}

/**
 * The bytes of `<workspaceDir>/.booty.yml` (null when there is none, after checking that the
 * workspace exists and holds no file under another name) and its absolute path. Throws
 * `ConfigError` (CONFIG_READ, CONFIG_TOO_LARGE) for a file that cannot be read safely.
 */
export async function readConfigFile(workspaceDir: string): Promise<{ file: string; bytes: Uint8Array | null }> {
  const workspace = path.resolve(workspaceDir);
  const file = path.join(workspace, CONFIG_FILE_NAME);
  let target = file;
  let stat: Stats;
  try {
    const link = await lstatOrNull(file);
    if (link === null) {
      await checkNoConfig(workspace, file);
      return { file, bytes: null };
    }
    stat = link;
    if (link.isSymbolicLink()) ({ real: target, stat } = await linkTarget(workspace, file));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw readError(file, `cannot be checked: ${describeFsError(error)}`);
  }
  if (stat.isDirectory())
    throw readError(
      file,
      'it is a directory; .booty.yml must be a file',
      'remove the directory, or run booty in the repository that holds the file',
    );
  if (!stat.isFile())
    throw readError(
      file,
      'it is not a regular file (a FIFO, socket or device); .booty.yml must be a file',
      'replace it with a regular file',
    );
  if (stat.size > MAX_CONFIG_BYTES) throw tooLarge(file, stat.size);
  try {
    return { file, bytes: await readCapped(target, file, stat) };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw readError(file, `cannot be read: ${describeFsError(error)}`);
  }
}

/**
 * Loads `<workspaceDir>/.booty.yml`. A workspace without the file has no configuration (every
 * service is `no-config`); a file that cannot be read, is too large, or has a problem in any part
 * throws `ConfigError`. Nothing is written.
 *
 * @param workspaceDir - the repository's directory; it must exist (a typo is not "no configuration")
 * @param options - `env`: where the overrides come from (default `process.env`); `unknownKeys`:
 *   `'error'` (default) or `'warn'` for a key this version does not know that is no near miss
 * @returns the whole file: `path`, `config` (defaults and overrides applied), each service's
 *   status, `warnings` and `origins`
 * @throws {@link ConfigError} CONFIG_READ (a directory, FIFO, dangling link, a link out of the
 *   workspace, unreadable, a missing workspace, the file under another name), CONFIG_TOO_LARGE,
 *   and every code `parseBootyConfig` throws
 */
export async function loadBootyConfig(
  workspaceDir: string,
  options: LoadOptions & Pick<ParseOptions, 'unknownKeys'> = {},
): Promise<LoadedBootyConfig> {
  const env = options.env ?? process.env;
  const { file, bytes } = await readConfigFile(workspaceDir);
  const document = bytes === null ? null : readDocument(bytes, file);
  return loadedFrom(analyse(document, file, env), options.unknownKeys);
}
