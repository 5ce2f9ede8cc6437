// The password when the URL has none: PGPASSWORD, else the pgpass file (PGPASSFILE, else
// ~/.pgpass), as libpq reads them. Read here, when the store opens, rather than by the driver,
// whose own pgpass support is deprecated (it prints a warning on every use, and pg 9 drops it).
// The file is read with the package's one safe reader. Where libpq ignores a file it cannot use
// (not a regular file, readable by others) with a warning, this refuses it and says why: a
// password silently not taken shows up later as a refused login with no hint of the cause.
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { accountHome } from '../shared/account';
import { stateError, type StateError } from '../shared/errors';
import { FileReadError, readFileSafelySync } from '../shared/read-file';

export interface PasswordFor {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** The password to log in with and where it came from (for the fix of a refused login). */
export interface Credentials {
  password: string | undefined;
  /** `the URL`, `PGPASSWORD`, `the pgpass file /home/x/.pgpass`, or `no password`. */
  passwordFrom: string;
}

/** A pgpass file is a few lines. */
const MAX_PGPASS_BYTES = 1024 * 1024;

export function passwordFromEnvironment(target: PasswordFor, env: NodeJS.ProcessEnv): Credentials {
  const fromEnv = env['PGPASSWORD'];
  if (fromEnv !== undefined && fromEnv !== '') return { password: fromEnv, passwordFrom: 'PGPASSWORD' };
  const given = env['PGPASSFILE'];
  const home = env['HOME'] !== undefined && path.isAbsolute(env['HOME']) ? env['HOME'] : accountHome();
  if ((given === undefined || given === '') && home === undefined)
    return { password: undefined, passwordFrom: 'no password' };
  const file = given !== undefined && given !== '' ? path.resolve(given) : path.join(home as string, '.pgpass');
  const named = given !== undefined && given !== '' ? `PGPASSFILE ${file}` : `the pgpass file ${file}`;
  let bytes: Buffer;
  try {
    bytes = readFileSafelySync(file, { maxBytes: MAX_PGPASS_BYTES });
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    if (error.reason === 'missing') return { password: undefined, passwordFrom: 'no password' };
    const fix =
      'make it a regular file of "host:port:database:user:password" lines readable by this user, or unset PGPASSFILE';
    throw pgpassError(named, error.what, fix, error.errno);
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    const what = `has mode 0${mode.toString(8)}: others can read the passwords in it (libpq ignores such a file)`;
    throw pgpassError(named, what, `chmod 600 ${file}`);
  }
  const wanted = [target.host, String(target.port), target.database, target.user];
  for (const line of bytes.toString('utf8').split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = splitFields(line);
    if (fields.length < 5) continue;
    const socket = (value: string, i: number) => i === 0 && fields[i] === 'localhost' && value.startsWith('/');
    const matches = wanted.every((value, i) => fields[i] === '*' || fields[i] === value || socket(value, i));
    if (matches) return { password: fields.slice(4).join(':'), passwordFrom: `the pgpass file ${file}` };
  }
  return { password: undefined, passwordFrom: 'no password' };
}

function pgpassError(named: string, what: string, fix: string, errno?: string): StateError {
  return stateError('STATE_INVALID_INPUT', {
    path: named,
    reason: 'bad-path',
    happened: `${named} ${what}; it was not used`,
    changed: 'Nothing was opened, contacted or changed',
    fix: `Fix: ${fix} (or put the password in the store URL or PGPASSWORD)`,
    details: {
      field: named.startsWith('PGPASSFILE') ? 'PGPASSFILE' : 'pgpass',
      ...(errno === undefined ? {} : { errno }),
    },
  });
}

/** `a:b\:c:d` → ['a', 'b:c', 'd']: `\` escapes `:` and `\`. */
function splitFields(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === '\\' && i + 1 < line.length) current += line[++i];
    else if (ch === ':') {
      fields.push(current);
      current = '';
    } else current += ch;
  }
  fields.push(current);
  return fields;
}
