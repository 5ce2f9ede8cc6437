// PgBouncer in front of a throwaway server (pg-server.ts), for tests and benchmarks: Debian's
// `pgbouncer` (/usr/sbin/pgbouncer, or on PATH), on 127.0.0.1 and a free port, as the postgres
// user when we are root (it refuses root), dying with this process (`--pdeathsig`) and killed by
// an exit hook too, so a failed or killed run leaves none behind.
//
// Managed PostgreSQL is reached this way, usually in transaction mode. Every setting that decides
// what a client may do keeps its default (no ignore_startup_parameters, no prepared-statement
// support, the default pool sizes and timeouts); the file sets only where to listen, the server
// to forward to, how users log in (SCRAM, as the server) and the pool mode.
//
// Use: `const bouncer = await startPgBouncer(server, 'transaction'); bouncer.url({ schema });
// await bouncer.stop();`, or `usePgBouncer(() => server, mode)` in a suite, inside
// `describeWithPgBouncer(name, fn)` (with CI=true a missing pgbouncer fails the run).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeIfInstalled, pgMissing } from './pg-binaries';
import { PG_ADMIN, PG_PASSWORD, type PgServer } from './pg-server';
import { asServerAccount, freePort, ownByServerAccount } from './server-processes';

export type PoolMode = 'transaction' | 'session';

export interface PgBouncer {
  readonly host: string;
  readonly port: number;
  readonly mode: PoolMode;
  /** The server's URL (see PgServer.url) with this PgBouncer's port. */
  url(params?: Record<string, string>, auth?: { user?: string; password?: string | null; database?: string }): string;
  /** What PgBouncer logged so far (its refusals name the reason). */
  log(): string;
  /** Stops PgBouncer (SIGTERM, then SIGKILL) and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'];
const MISSING =
  'PgBouncer not found (looked for /usr/sbin/pgbouncer and pgbouncer on PATH). Install it: apt-get install pgbouncer';

/** The pgbouncer binary, or null when none is installed. */
export function findPgBouncer(): string | null {
  if (found === undefined) {
    const onPath = (process.env['PATH'] ?? '')
      .split(':')
      .filter(Boolean)
      .map((dir) => path.join(dir, 'pgbouncer'));
    const works = (file: string) => spawnSync(file, ['--version'], { stdio: 'ignore' }).status === 0;
    found = [...CANDIDATES, ...onPath].find(works) ?? null;
  }
  return found;
}
let found: string | null | undefined;

/** `describe` for suites that need a server and PgBouncer: see describeIfInstalled in pg-binaries.ts. */
export function describeWithPgBouncer(name: string, fn: () => void): void {
  describeIfInstalled(name, [pgMissing(), findPgBouncer() === null ? MISSING : null], fn);
}

const live = new Set<PgBouncerImpl>();
process.once('exit', () => {
  for (const bouncer of live) bouncer.killAndRemoveSync();
});

export async function startPgBouncer(server: PgServer, mode: PoolMode): Promise<PgBouncer> {
  const bin = findPgBouncer();
  if (bin === null) throw new Error(MISSING);
  const bouncer = new PgBouncerImpl(server, mode, await freePort());
  live.add(bouncer);
  try {
    await bouncer.start(bin);
  } catch (error) {
    bouncer.killAndRemoveSync();
    live.delete(bouncer);
    throw error;
  }
  return bouncer;
}

/** One PgBouncer in `mode` for the enclosing `describe`, in front of the server `server()` returns. */
export function usePgBouncer(server: () => PgServer, mode: PoolMode): { readonly bouncer: PgBouncer } {
  let bouncer: PgBouncer | undefined;
  beforeAll(async () => {
    bouncer = await startPgBouncer(server(), mode);
  });
  afterAll(async () => {
    await bouncer?.stop();
  });
  return {
    get bouncer() {
      return bouncer as PgBouncer;
    },
  };
}

class PgBouncerImpl implements PgBouncer {
  readonly host = '127.0.0.1';
  private readonly dir: string;
  private readonly logPath: string;
  private child: ChildProcess | null = null;

  constructor(
    private readonly server: PgServer,
    readonly mode: PoolMode,
    readonly port: number,
  ) {
    // mkdtemp makes 0700: open it up so the postgres user can traverse it.
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'booty-pgbouncer-'));
    fs.chmodSync(this.dir, 0o755);
    this.logPath = path.join(this.dir, 'pgbouncer.log');
  }

  async start(bin: string): Promise<void> {
    const users = path.join(this.dir, 'userlist.txt');
    // A plain-text password: PgBouncer checks the client's SCRAM login against it and uses it for
    // its own SCRAM login to the server.
    fs.writeFileSync(users, `"${PG_ADMIN}" "${PG_PASSWORD}"\n`, { mode: 0o600 });
    const ini = path.join(this.dir, 'pgbouncer.ini');
    fs.writeFileSync(
      ini,
      [
        '[databases]',
        `* = host=${this.server.host} port=${this.server.port}`,
        '[pgbouncer]',
        `listen_addr = ${this.host}`,
        `listen_port = ${this.port}`,
        // No unix socket: the default (/tmp/.s.PGSQL.6432) would be shared with anything else.
        'unix_socket_dir =',
        'auth_type = scram-sha-256',
        `auth_file = ${users}`,
        `pool_mode = ${this.mode}`,
        '',
      ].join('\n'),
    );
    for (const file of [users, ini]) ownByServerAccount(file);
    fs.writeFileSync(this.logPath, '');
    ownByServerAccount(this.logPath);

    const [file, args] = asServerAccount(bin, [ini], true);
    const logFd = fs.openSync(this.logPath, 'a');
    const child = spawn(file, args, { stdio: ['ignore', logFd, logFd] });
    fs.closeSync(logFd);
    this.child = child;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 15_000;
    while (!(await accepts(this.host, this.port))) {
      const pause = new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 50));
      const gone = await Promise.race([exited, pause]);
      if (gone !== 'waiting' || Date.now() > deadline) {
        throw new Error(`PgBouncer did not start (exit ${String(gone)}): ${this.log().slice(-2000)}`);
      }
    }
  }

  url(params?: Record<string, string>, auth?: { user?: string; password?: string | null; database?: string }): string {
    const url = new URL(this.server.url(params, auth));
    url.port = String(this.port);
    return url.toString();
  }

  log(): string {
    try {
      return fs.readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  killAndRemoveSync(): void {
    const pid = this.child?.pid;
    if (pid !== undefined && this.child?.exitCode === null && this.child.signalCode === null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    this.child = null;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    if (!live.has(this)) return;
    live.delete(this);
    const child = this.child;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      let timer: NodeJS.Timeout | undefined;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // SIGTERM: PgBouncer's immediate shutdown (SIGINT would wait for clients to leave).
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      clearTimeout(timer);
    }
    this.killAndRemoveSync();
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
