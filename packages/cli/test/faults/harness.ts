// Builds a fault case on disk, runs it, and fingerprints the tree before and after.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import examples from '@octokit/webhooks-examples';
import { openReleaseStore } from '@booty/release-state';
import { runProcess, type RunResult } from '../booty';
import { ENABLED_YML, type Entry, type FaultCase, type PayloadMutation } from './cases';

export const BIN = path.resolve(__dirname, '../../bin/booty.js');
export const PAYLOAD_WORKER = path.join(__dirname, 'payload-worker.cjs');

/** A run that takes longer than this is a hang: the child is killed and the case fails. */
export const HANG_MS = 10_000;

export const NOBODY = 65534;
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function works(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/** Root can bind-mount read-only inside a private mount namespace (nothing leaks to the host). */
export const canMountPrivately =
  isRoot &&
  works('unshare', [
    '-m',
    '--propagation',
    'private',
    'sh',
    '-c',
    'd=$(mktemp -d) && mount --bind "$d" "$d" && mount -o remount,bind,ro "$d" && umount "$d" && rmdir "$d"',
  ]);

/** Root can run a child as `nobody`, for which permission bits apply. */
export const canDropPrivileges =
  isRoot && works('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'true']);

const DROP = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'];
/** For a non-root run: a user namespace without a uid map, where the caller is the overflow user nobody. */
const AS_OVERFLOW_NOBODY = ['unshare', '--user'];
const canUnshareUser = !isRoot && works(AS_OVERFLOW_NOBODY[0] as string, [...AS_OVERFLOW_NOBODY.slice(1), 'true']);
const READ_ONLY_BIND = [
  'unshare',
  '-m',
  '--propagation',
  'private',
  'sh',
  '-c',
  'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"',
  'sh',
];

/** How the read-only and permission cases are made on this machine (reported in test names). */
export const techniques = {
  readOnly: canMountPrivately
    ? 'read-only bind mount in a private mount namespace (EROFS)'
    : !isRoot
      ? 'mode 0500 (EACCES)'
      : canDropPrivileges
        ? 'mode 0500, booty run as nobody via setpriv (EACCES)'
        : 'unavailable: root without unshare or setpriv',
  unprivileged: !isRoot ? 'this user' : canDropPrivileges ? 'nobody via setpriv' : 'unavailable: root without setpriv',
  home: isRoot
    ? canDropPrivileges
      ? 'nobody via setpriv'
      : 'unavailable: root without setpriv'
    : canUnshareUser
      ? 'nobody via unshare --user'
      : 'unavailable: no unshare --user',
  foreignOwner: isRoot ? `chown ${NOBODY}` : 'a root-owned system directory',
};

export interface Built {
  root: string;
  ws: string;
  state: string;
  /** Expands {root}, {ws} and {state}. */
  expand(text: string): string;
  /** Argument prefix (setpriv / unshare) and the arguments common to every booty run. */
  prefix: string[];
  /** The booty script to run: bin/booty.js of the checkout, or a copy anyone can read (runs as nobody). */
  bin: string;
  stateDirArg: string | null;
  env: NodeJS.ProcessEnv;
  cwd: string;
  payloadFile: string | null;
}

async function writeEntry(file: string, entry: Entry, expand: (text: string) => string): Promise<void> {
  await fsp.rm(file, { recursive: true, force: true });
  await fsp.mkdir(path.dirname(file), { recursive: true });
  if (typeof entry === 'string') await fsp.writeFile(file, entry);
  else if ('bytes' in entry) await fsp.writeFile(file, entry.bytes());
  else if ('symlink' in entry) await fsp.symlink(expand(entry.symlink), file);
  else if ('dir' in entry) {
    await fsp.mkdir(file, { mode: 0o700 });
    if (entry.mode !== undefined) await fsp.chmod(file, entry.mode);
  } else if ('fifo' in entry) {
    const made = spawnSync('mkfifo', [file], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`mkfifo ${file} failed: ${made.stderr}`);
  } else {
    await fsp.writeFile(file, entry.text);
    await fsp.chmod(file, entry.mode);
  }
}

async function chownTree(dir: string, uid: number): Promise<void> {
  await fsp.lchown(dir, uid, uid);
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(full, uid);
    else await fsp.lchown(full, uid, uid);
  }
}

/** A directory owned by someone else that is not group/world-writable (for a non-root run). */
async function foreignSystemDir(): Promise<string> {
  for (const candidate of ['/', '/usr', '/etc']) {
    const stats = await fsp.stat(candidate).catch(() => null);
    if (stats && stats.uid !== process.getuid?.() && (stats.mode & 0o022) === 0) return candidate;
  }
  throw new Error('no directory owned by another user was found for the foreign-owner case');
}

/** The recorded GitHub delivery every payload case starts from. */
export function recordedPayload(): Record<string, unknown> {
  const group = examples.find((candidate) => candidate.name === 'workflow_run');
  const completed = group?.examples.find((example) => (example as { action?: string }).action === 'completed');
  if (!completed) throw new Error('@octokit/webhooks-examples has no completed workflow_run delivery');
  return structuredClone(completed) as unknown as Record<string, unknown>;
}

export function payloadText(mutation: PayloadMutation): string {
  let body: unknown = recordedPayload();
  if ('whole' in mutation) body = mutation.whole;
  for (const [dotted, value] of Object.entries(mutation.set ?? {})) {
    const keys = dotted.split('.');
    let parent = body as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
    const last = keys[keys.length - 1] as string;
    if (value === undefined) delete parent[last];
    else parent[last] = value;
  }
  const text = JSON.stringify(body);
  return mutation.rawExtra === undefined ? text : `{${mutation.rawExtra},${text.slice(1)}`;
}

/** The environment booty runs in: nothing inherited from RELEASE_GOVERNOR_*, a private HOME (or the case's: null unsets it). */
function caseEnv(home: string | null, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('RELEASE_GOVERNOR_') && !['NO_COLOR', 'FORCE_COLOR', 'BOOTY_DEBUG', 'HOME'].includes(key))
      env[key] = value;
  }
  return { ...env, ...(home === null ? {} : { HOME: home }), ...extra };
}

/**
 * bin/booty.js and the bundle it loads, copied once into a mode-0755 directory, for runs as
 * nobody: the checkout may sit in a directory nobody cannot enter (a clone in `mktemp -d`, or in
 * /root), so such a run must read nothing from it.
 */
let anyoneBin: Promise<string> | undefined;
function binForAnyone(): Promise<string> {
  anyoneBin ??= (async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'booty-anyone-'));
    await fsp.chmod(dir, 0o755);
    const packageDir = path.resolve(__dirname, '../..');
    for (const sub of ['bin', 'dist']) await fsp.mkdir(path.join(dir, sub), { mode: 0o755 });
    const files = [
      'bin/booty.js',
      'package.json',
      ...(await fsp.readdir(path.join(packageDir, 'dist')))
        .filter((name) => /^(booty|postgres)\b.*\.js$/.test(name))
        .map((name) => `dist/${name}`),
    ];
    for (const file of files) {
      await fsp.copyFile(path.join(packageDir, file), path.join(dir, file));
      await fsp.chmod(path.join(dir, file), 0o644);
    }
    return path.join(dir, 'bin', 'booty.js');
  })();
  return anyoneBin;
}
afterAll(async () => {
  if (anyoneBin !== undefined)
    await fsp.rm(path.dirname(path.dirname(await anyoneBin)), { recursive: true, force: true });
});

export async function build(c: FaultCase): Promise<Built> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'booty-fault-'));
  const ws = path.join(root, 'ws');
  const state = path.join(root, 'state');
  const expand = (text: string) => text.replaceAll('{root}', root).replaceAll('{ws}', ws).replaceAll('{state}', state);
  const home = path.join(root, 'home');
  await fsp.mkdir(home);

  if (c.workspace !== null) {
    await fsp.mkdir(ws);
    for (const [name, entry] of Object.entries(c.workspace ?? { '.booty.yml': ENABLED_YML }))
      await writeEntry(path.join(ws, name), entry, expand);
  }

  const setup = c.state ?? {};
  const create = setup.create ?? 'store';
  if (create === 'store') {
    // A store with some history, made by the library itself.
    const store = await openReleaseStore({ stateDir: state });
    await store.updateState((current) => ({
      ...current,
      production_sha_current: 'b'.repeat(40),
      last_deploy_result: 'success',
    }));
    await store.deliveries.claim({ repo: 'octo/app', headSha: 'c'.repeat(40), deliveryId: 'seed-delivery' });
  } else if (create === 'empty-dir') {
    await fsp.mkdir(state, { mode: 0o700 });
  }
  for (const [name, entry] of Object.entries(setup.files ?? {}))
    await writeEntry(path.join(state, name), entry, expand);

  let stateDirArg = c.stateDirArg === undefined ? state : c.stateDirArg === null ? null : expand(c.stateDirArg);
  let prefix: string[] = [];
  let asNobody = false;
  let bin = BIN;
  // A case that sets HOME runs as the account nobody, whose home in the password database
  // (/nonexistent on Debian) does not exist, so booty has no home to fall back on.
  if (c.home !== undefined) {
    if (isRoot && !canDropPrivileges)
      throw new Error(`case "${c.id}" needs setpriv (util-linux) to run booty as nobody`);
    if (!isRoot && !canUnshareUser)
      throw new Error(`case "${c.id}" needs unshare --user (util-linux, user namespaces) to run booty as nobody`);
    if (isRoot) asNobody = true;
    else prefix = [...AS_OVERFLOW_NOBODY];
  }
  if (c.unprivileged) {
    if (isRoot && !canDropPrivileges)
      throw new Error(`case "${c.id}" needs setpriv (util-linux) to run booty as an unprivileged user`);
    asNobody = isRoot;
  }
  if (setup.readOnly) {
    const target = create === 'none' ? root : state;
    if (canMountPrivately) prefix = [...READ_ONLY_BIND, target];
    else if (!isRoot || canDropPrivileges) {
      asNobody = isRoot;
      await fsp.chmod(target, 0o500);
    } else throw new Error(`case "${c.id}" needs unshare or setpriv (util-linux) when run as root`);
  }
  if (asNobody) {
    // Everything belongs to the user booty runs as, so only the case's own fault applies.
    await chownTree(root, NOBODY);
    await fsp.chmod(root, 0o755);
    prefix = [...DROP];
    bin = await binForAnyone();
  }
  if (setup.foreignOwner) {
    if (isRoot) await fsp.lchown(state, NOBODY, NOBODY);
    else stateDirArg = await foreignSystemDir();
  }
  if (setup.mode !== undefined) await fsp.chmod(state, setup.mode);

  let payloadFile: string | null = null;
  if (c.payload) {
    payloadFile = path.join(root, 'payload.json');
    await fsp.writeFile(payloadFile, payloadText(c.payload));
  }

  const env = caseEnv(
    c.home === undefined ? home : c.home === null ? null : expand(c.home),
    Object.fromEntries(Object.entries(c.env ?? {}).map(([key, value]) => [key, expand(value)])),
  );
  return { root, ws, state, expand, prefix, bin, stateDirArg, env, cwd: c.workspace === null ? root : ws, payloadFile };
}

/** Removes a case directory, even one left without write permission (non-root runs). */
export async function remove(root: string): Promise<void> {
  if (!isRoot) {
    const open = async (dir: string): Promise<void> => {
      await fsp.chmod(dir, 0o700).catch(() => undefined);
      for (const entry of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
        if (entry.isDirectory()) await open(path.join(dir, entry.name));
      }
    };
    await open(root);
  }
  await fsp.rm(root, { recursive: true, force: true });
}

/**
 * Type, mode, owner, size, mtime and SHA-256 of every file under `dir` (link targets for links;
 * FIFOs are never opened). Directories are listed with their mode and mtime, so a file that came
 * and went (a temp or lock file) shows too.
 */
export async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  // A non-root run of the permission cases leaves directories this user cannot list or enter:
  // their own entry (mode, mtime) still shows a file that came or went.
  const denied = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EACCES') return null;
    throw error;
  };
  const walk = async (current: string): Promise<void> => {
    for (const name of ((await fsp.readdir(current).catch(denied)) ?? []).sort()) {
      const full = path.join(current, name);
      const rel = path.relative(dir, full);
      const stats = await fsp.lstat(full).catch(denied);
      if (stats === null) {
        out[rel] = 'unreachable';
        continue;
      }
      const meta = `mode=${(stats.mode & 0o7777).toString(8)} uid=${stats.uid} size=${stats.size} mtime=${stats.mtimeMs}`;
      if (stats.isDirectory()) {
        out[`${rel}/`] = `dir ${meta}`;
        await walk(full);
      } else if (stats.isSymbolicLink()) {
        out[rel] = `symlink ${meta} -> ${await fsp.readlink(full)}`;
      } else if (stats.isFile()) {
        // A file this user may not read (a non-root run of the mode-000 case): its metadata still shows a change.
        const bytes = await fsp.readFile(full).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'EACCES') return null;
          throw error;
        });
        out[rel] =
          `file ${meta} sha256=${bytes === null ? 'unreadable' : createHash('sha256').update(bytes).digest('hex')}`;
      } else {
        out[rel] = `other ${meta}`;
      }
    }
  };
  out['./'] = `dir mtime=${(await fsp.lstat(dir)).mtimeMs}`;
  await walk(dir);
  return out;
}

export type { RunResult };

/** Runs `command args...`; a run still going after HANG_MS is killed and rejects (a hang). */
export function run(command: string[], options: { env: NodeJS.ProcessEnv; cwd: string }): Promise<RunResult> {
  const [file, ...args] = command as [string, ...string[]];
  return runProcess(file, args, { ...options, timeoutMs: HANG_MS });
}

/** A stack frame line ("    at fn (file:1:2)") anywhere in the output. */
export const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;
