// The state directory: where the file store lives, from the option, the variable or the home
// directory. Resolution only: it creates nothing and checks nothing on disk but that the home
// exists (the directory's own safety is file/safety.ts).
import * as fsSync from 'node:fs';
import * as path from 'node:path';
import { accountHome, currentUid } from './shared/account';
import { errnoOf, stateError, type StateError } from './shared/errors';
import { excerptValue, hasControlCharacter } from './shared/text';

/** The environment variable that chooses the state directory (it is not a config key). */
export const STATE_DIR_ENV = 'RELEASE_GOVERNOR_STATE_DIR';

/** What `resolveStateDir` takes; every option may be left out. */
export interface ResolveStateDirOptions {
  /** Wins over everything else; relative paths resolve against `cwd`. */
  stateDir?: string | undefined;
  /** Default: `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Default: `process.cwd()`. */
  cwd?: string | undefined;
  /** How messages name the `stateDir` option (default `--state-dir`); see resolveStoreLocation's `names`. */
  source?: string | undefined;
}

/** The source of a state directory that no option or variable named. */
export const DEFAULT_STATE_DIR_SOURCE = 'the default ($HOME/.booty/state)';

/** What to set when booty cannot place the state directory by itself. */
const SET_STATE_DIR = `set ${STATE_DIR_ENV}=/absolute/path (or pass --state-dir /absolute/path)`;

/**
 * The state directory, as an absolute path: the `stateDir` option, else
 * `RELEASE_GOVERNOR_STATE_DIR`, else `<home>/.booty/state`. One rule for the option and the
 * variable: `~` and `~/x` expand to the home directory, `~user` is refused, NUL is refused.
 * Never the current directory. Creates nothing.
 *
 * @param options - `stateDir` (wins over everything; relative to `cwd`), `env` (default
 *   `process.env`: `RELEASE_GOVERNOR_STATE_DIR` and `HOME`), `cwd` (default `process.cwd()`)
 * @throws {@link StateError} STATE_INVALID_INPUT, with `details.reason`: an empty option,
 *   `bad-path` (`~user`, a NUL byte), `relative-path` (a relative path in the variable),
 *   `no-home` (no usable home directory), `home-missing` (the home does not exist)
 */
export function resolveStateDir(options: ResolveStateDirOptions = {}): string {
  return resolveStateDirWith(options, accountHome);
}

/** `resolveStateDir` with the password-database lookup injectable (tests). Internal. */
export function resolveStateDirWith(options: ResolveStateDirOptions, passwdHome: () => string | undefined): string {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = () => homeDirectory(env, passwdHome);
  if (options.stateDir !== undefined)
    return interpretPath(options.stateDir, options.source ?? '--state-dir', home, cwd);
  const fromEnv = env[STATE_DIR_ENV];
  // An empty variable counts as unset (`RELEASE_GOVERNOR_STATE_DIR= booty ...`), as for config overrides.
  if (fromEnv !== undefined && fromEnv !== '') return interpretPath(fromEnv, STATE_DIR_ENV, home, cwd);
  return path.join(home(), '.booty', 'state');
}

/**
 * The one rule for a state-directory path, from the option or the variable.
 * Relative paths differ by source, on purpose: a path typed on a command line is read against
 * the directory it was typed in, as `cp` or `tar` read theirs; a relative path in the variable
 * is refused, because the variable is inherited by services, hooks and cron jobs that start in
 * different directories, and each would then keep a ledger of its own (exactly-once gone).
 */
function interpretPath(value: string, source: string, home: () => string, cwd: string): string {
  if (value === '') throw badPath(value, source, 'is empty; it must name the state directory', 'empty');
  if (value.includes('\0')) throw badPath(value, source, 'contains a NUL byte', 'bad-path');
  if (value === '~' || value.startsWith('~/')) return path.resolve(home(), `.${value.slice(1)}`);
  if (value.startsWith('~'))
    throw badPath(value, source, 'starts with ~user, which booty does not expand (only ~ and ~/ are)', 'bad-path');
  if (path.isAbsolute(value)) return path.resolve(value);
  if (source === STATE_DIR_ENV) {
    const why = 'since processes started in other directories would each get a state directory of their own';
    throw badPath(
      value,
      source,
      `is a relative path; the variable must be absolute (or ~/...), ${why}`,
      'relative-path',
    );
  }
  return path.resolve(cwd, value);
}

function badPath(
  value: string,
  source: string,
  what: string,
  reason: 'empty' | 'bad-path' | 'relative-path',
): StateError {
  const shown = excerptValue(value);
  // Only a plain path is repeated in a shell step; anything else gets a placeholder.
  const relative = /^[\w.@+-][\w./@+-]{0,79}$/.test(value) ? value.replace(/^\.\//, '') : 'DIR';
  const example =
    reason === 'relative-path'
      ? `set ${STATE_DIR_ENV}="$PWD/${relative}" (an absolute path)`
      : source === STATE_DIR_ENV
        ? `set ${STATE_DIR_ENV} to an absolute path (or ~/...), or unset it`
        : `give ${source} a directory: an absolute path, ~/..., or a path relative to the current directory`;
  return stateError('STATE_INVALID_INPUT', {
    path: hasControlCharacter(value) ? shown : value,
    reason,
    happened: `${source} ${shown} ${what}`,
    changed: 'Nothing was created or changed',
    fix:
      reason === 'relative-path'
        ? `Fix: ${example}, or pass --state-dir ${excerptValue(value)} (read against the current directory)`
        : `Fix: ${example}`,
    details: { field: source === STATE_DIR_ENV ? STATE_DIR_ENV : 'stateDir' },
  });
}

/**
 * The home directory for `~` and the default: $HOME when it is an absolute path, else the
 * account's home from the password database when that is absolute (bash does the same for `~`),
 * else a refusal. It must exist: booty creates `.booty/state` under a home, never the home itself.
 */
function homeDirectory(env: NodeJS.ProcessEnv, passwdHome: () => string | undefined): string {
  const fromEnv = env['HOME'];
  let home: string;
  let origin: string;
  if (fromEnv !== undefined && fromEnv !== '' && path.isAbsolute(fromEnv) && !fromEnv.includes('\0')) {
    home = fromEnv;
    origin = 'from HOME';
  } else {
    const whyNot =
      fromEnv === undefined
        ? 'HOME is not set'
        : fromEnv === ''
          ? 'HOME is empty'
          : `HOME is ${excerptValue(fromEnv)}, not an absolute path`;
    const uid = currentUid();
    const account = uid === undefined ? 'this account' : `uid ${uid}`;
    const fromPasswd = passwdHome();
    if (fromPasswd === undefined || fromPasswd === '' || !path.isAbsolute(fromPasswd)) {
      throw stateError('STATE_INVALID_INPUT', {
        path: fromEnv ?? '(HOME unset)',
        reason: 'no-home',
        happened:
          `${whyNot}, and ${account} has no absolute home directory in the password database, so there is no default place ` +
          'for the state directory (booty never uses the current directory: each directory would get a ledger of its own)',
        changed: 'Nothing was created or changed',
        fix: `Fix: ${SET_STATE_DIR}, or set HOME to an absolute path`,
        details: { field: 'HOME' },
      });
    }
    home = fromPasswd;
    origin = `from the password database entry of ${account}, as ${whyNot}`;
  }
  let problem: string | null;
  try {
    problem = fsSync.statSync(home).isDirectory() ? null : 'is not a directory';
  } catch (error) {
    const code = errnoOf(error);
    // Anything but "not there" (EACCES on a parent, say) is reported where the directory is used.
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return path.resolve(home);
    problem = 'does not exist';
  }
  if (problem !== null) {
    throw stateError('STATE_INVALID_INPUT', {
      path: home,
      reason: 'home-missing',
      happened: `The home directory ${home} (${origin}) ${problem}; booty creates its state directory under a home, never the home itself`,
      changed: 'Nothing was created or changed',
      fix: `Fix: ${SET_STATE_DIR}, or set HOME to an existing directory`,
      details: { field: 'HOME' },
    });
  }
  return path.resolve(home);
}
