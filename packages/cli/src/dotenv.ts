// `--dotenv FILE`: the variables of a `.env` file, parsed by Node's own parser (util.parseEnv,
// the one behind `node --env-file`), so quotes, `#` comments, whitespace and `export` read the
// same as for the server. The file holds secrets: no message ever quotes its content.
//
// Not `--env-file`: Node takes `--env-file` (and `--env-file-if-exists`) from among a script's
// own arguments on every line from 20 to 26, and exits 9 on a missing file before booty runs.
// The README says more.
import * as util from 'node:util';
import { FileReadError, readFileSafely } from '@booty/release-state/read-file';
import { CliError } from './errors';

/** The option, as messages name it. */
export const DOTENV_OPTION = '--dotenv';

/** A .env file is a few lines; anything larger is not one. */
const MAX_BYTES = 1024 * 1024;

function failure(file: string, what: string): CliError {
  const fix = `Give the path of a readable .env file, or leave out ${DOTENV_OPTION}`;
  return new CliError('ENV_FILE', `${DOTENV_OPTION} ${file} ${what}. Nothing was run or changed. ${fix}.`, file);
}

/** Reads and parses `file` (an absolute path); throws CliError ENV_FILE naming it. */
export async function readEnvFile(file: string): Promise<Record<string, string>> {
  const parseEnv = (util as { parseEnv?: (content: string) => Record<string, string> }).parseEnv;
  if (typeof parseEnv !== 'function') {
    const what = `${DOTENV_OPTION} needs Node.js 20.12 or later for its .env parser; this is Node.js ${process.version}`;
    const fix = 'Upgrade Node.js, or export the variables in the shell instead';
    throw new CliError('ENV_FILE', `${what}. Nothing was run or changed. ${fix}.`, file);
  }
  let bytes: Buffer;
  try {
    // The one safe reader: a FIFO, a device or a file that never ends cannot hang or fill booty.
    bytes = await readFileSafely(file, { maxBytes: MAX_BYTES });
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    throw failure(file, error.reason === 'too-large' ? `${error.what}, too large for a .env file` : error.what);
  }
  let content: string;
  try {
    content = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw failure(file, 'is not UTF-8 text');
  }
  const parsed = parseEnv(content);
  // No environment can hold a NUL (a child could not be started with it); the name is ours to
  // show, the value is not.
  for (const [name, value] of Object.entries(parsed)) {
    if (name.includes('\u0000') || value.includes('\u0000')) {
      // A name is shown only when it looks like one: in a file that is not a .env file, what
      // the parser takes for a name can be anything, a secret included.
      const which = /^[A-Za-z_][A-Za-z0-9_]{0,100}$/.test(name) ? name : 'a variable';
      throw failure(
        file,
        `sets ${which} to a value with a NUL character, which no environment variable can hold (is it a .env file?)`,
      );
    }
  }
  return parsed;
}

/**
 * The environment with the file's variables added. The real environment wins, as with
 * `node --env-file` and dotenv: the file holds the defaults of a deployment, and a variable set
 * for one run (`RELEASE_GOVERNOR_ENABLED=false booty …`) still applies. Returns the variables
 * that took effect from the file, each mapped to the file, so errors can name it.
 */
export function mergeEnv(
  env: NodeJS.ProcessEnv,
  fromFile: Record<string, string>,
  file: string,
): { env: NodeJS.ProcessEnv; origins: Map<string, string> } {
  const origins = new Map<string, string>();
  const merged: NodeJS.ProcessEnv = { ...env };
  for (const [name, value] of Object.entries(fromFile)) {
    if (env[name] !== undefined) continue;
    merged[name] = value;
    origins.set(name, file);
  }
  return { env: merged, origins };
}
