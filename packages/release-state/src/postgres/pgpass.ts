// The password when the URL has none: PGPASSWORD, else the pgpass file (PGPASSFILE, else
// ~/.pgpass), as libpq reads them. Read here rather than by the driver, whose own pgpass support
// is deprecated (it prints a warning on every use, and pg 9 drops it).
import { readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface PasswordFor {
  host: string;
  port: number;
  database: string;
  user: string;
}

export function passwordFromEnvironment(target: PasswordFor, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env['PGPASSWORD'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const file = env['PGPASSFILE'] ?? path.join(os.homedir(), '.pgpass');
  let text: string;
  try {
    // Like libpq: a file others can read is ignored.
    if ((statSync(file).mode & 0o077) !== 0) return undefined;
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const wanted = [target.host, String(target.port), target.database, target.user];
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = splitFields(line);
    if (fields.length < 5) continue;
    if (wanted.every((value, i) => fields[i] === '*' || fields[i] === value || (i === 0 && fields[i] === 'localhost' && isLocal(value)))) return fields.slice(4).join(':');
  }
  return undefined;
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

function isLocal(host: string): boolean {
  return host.startsWith('/');
}
