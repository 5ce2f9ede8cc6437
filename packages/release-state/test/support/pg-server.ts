// A throwaway PostgreSQL server for tests and benchmarks, no Docker: Debian's server binaries
// (/usr/lib/postgresql/*/bin, or `pg_config --bindir`), `initdb` into a temp directory, password
// (scram) authentication, listening on 127.0.0.1 and a free port, unix sockets inside the temp
// directory. As root the server runs as the `postgres` user (it refuses root); the data lives
// under os.tmpdir() with 0755 parents so that user can reach it wherever the clone is.
// stop() (and a process exit hook) kills every server process and removes the directory.
//
// Use: `const server = await startPgServer(); server.url({ schema: 't1' }); await server.stop();`
// and `describeWithPg(name, fn)` for suites: with CI=true missing binaries FAIL the run; without
// CI the suite reports loudly that it did not run (never silently).
//
// This is the one entrance for callers (specs, the CLI's tests, the benchmarks): it also exports
// what pg-binaries.ts (is a server installed) and server-processes.ts (running its binaries) offer.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requirePgBin } from './pg-binaries';
import { alive, asServerAccount, freePort, ownByServerAccount } from './server-processes';

export { describeIfInstalled, describeWithPg, findPgBin, pgMissing } from './pg-binaries';
export { alive, asServerAccount, freePort, ownByServerAccount } from './server-processes';

export const PG_ADMIN = 'booty_admin';
/** A password with characters that need escaping, so redaction is tested for real. */
export const PG_PASSWORD = 'S3cret-pw_Zq9!x';

export interface PgServer {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  /** The PEM of the server's self-signed certificate (CN localhost, SAN 127.0.0.1), when openssl was found. */
  readonly certificate: string | null;
  /** postgres://booty_admin:PASSWORD@127.0.0.1:PORT/postgres with the given URL parameters. */
  url(params?: Record<string, string>, auth?: { user?: string; password?: string | null; database?: string }): string;
  /** Runs SQL through psql as the admin user (for test setup); returns stdout. */
  psql(sql: string): string;
  /** SIGKILLs the postmaster and every child: a crash, as abrupt as it gets. */
  killAll(): void;
  /** Starts the server again on the same data directory and port (crash recovery runs). */
  restart(): Promise<void>;
  /** Stops the server (immediate) and removes the directory; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** fsync on (benchmarks); tests run with fsync off, which a process crash cannot hurt. */
  durable?: boolean;
  /** More addresses to listen on besides 127.0.0.1 (they must exist when the server starts). */
  listen?: string[];
  /** Client networks (CIDR) allowed in, with password auth, besides loopback. */
  allow?: string[];
}

const live = new Set<PgServerImpl>();
process.once('exit', () => {
  for (const server of live) server.killAndRemoveSync();
});

export async function startPgServer(options: StartOptions = {}): Promise<PgServer> {
  const server = new PgServerImpl(requirePgBin(), options);
  live.add(server);
  try {
    await server.init();
    await server.restart();
  } catch (error) {
    server.killAndRemoveSync();
    live.delete(server);
    throw error;
  }
  return server;
}

class PgServerImpl implements PgServer {
  readonly host = '127.0.0.1';
  port = 0;
  readonly dir: string;
  certificate: string | null = null;
  private readonly data: string;
  private readonly sockets: string;
  private readonly log: string;
  private child: ChildProcess | null = null;

  constructor(
    private readonly bin: string,
    private readonly options: StartOptions,
  ) {
    // mkdtemp makes 0700: open it up so the postgres user can traverse it.
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'booty-pg-'));
    fs.chmodSync(this.dir, 0o755);
    this.data = path.join(this.dir, 'data');
    this.sockets = path.join(this.dir, 'sockets');
    this.log = path.join(this.dir, 'server.log');
  }

  private as(file: string, args: string[], server = false): [string, string[]] {
    return asServerAccount(file, args, server);
  }

  private own(target: string): void {
    ownByServerAccount(target);
  }

  async init(): Promise<void> {
    for (const dir of [this.data, this.sockets]) {
      fs.mkdirSync(dir, { mode: 0o700 });
      this.own(dir);
    }
    fs.writeFileSync(this.log, '');
    this.own(this.log);
    const pwfile = path.join(this.dir, 'pwfile');
    fs.writeFileSync(pwfile, `${PG_PASSWORD}\n`, { mode: 0o600 });
    this.own(pwfile);
    const [file, args] = this.as(path.join(this.bin, 'initdb'), [
      '-D',
      this.data,
      '-U',
      PG_ADMIN,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--no-locale',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ]);
    const result = spawnSync(file, args, { encoding: 'utf8' });
    fs.rmSync(pwfile, { force: true });
    if (result.status !== 0) throw new Error(`initdb failed (${result.status}): ${result.stderr.slice(0, 2000)}`);
    for (const network of this.options.allow ?? [])
      fs.appendFileSync(path.join(this.data, 'pg_hba.conf'), `host all all ${network} scram-sha-256\n`);
    this.makeCertificate();
    this.port = await freePort();
  }

  private makeCertificate(): void {
    const cert = path.join(this.data, 'server.crt');
    const key = path.join(this.data, 'server.key');
    if (!selfSignedCertificate(key, cert)) return;
    fs.chmodSync(key, 0o600);
    this.own(key);
    this.own(cert);
    this.certificate = fs.readFileSync(cert, 'utf8');
  }

  async restart(): Promise<void> {
    const settings = [
      '-c',
      `listen_addresses=${[this.host, ...(this.options.listen ?? [])].join(',')}`,
      '-p',
      String(this.port),
      '-k',
      this.sockets,
      '-c',
      `fsync=${this.options.durable === true ? 'on' : 'off'}`,
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=32MB',
      ...(this.certificate === null
        ? []
        : ['-c', 'ssl=on', '-c', 'ssl_cert_file=server.crt', '-c', 'ssl_key_file=server.key']),
    ];
    const [file, args] = this.as(path.join(this.bin, 'postgres'), ['-D', this.data, ...settings], true);
    const logFd = fs.openSync(this.log, 'a');
    const child = spawn(file, args, { stdio: ['ignore', logFd, logFd] });
    fs.closeSync(logFd);
    this.child = child;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = spawnSync(path.join(this.bin, 'pg_isready'), ['-q', '-h', this.host, '-p', String(this.port)]);
      if (ready.status === 0) return;
      const gone = await Promise.race([
        exited,
        new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 50)),
      ]);
      if (gone !== 'waiting' || Date.now() > deadline) {
        throw new Error(
          `PostgreSQL did not start (exit ${String(gone)}): ${fs.readFileSync(this.log, 'utf8').slice(-2000)}`,
        );
      }
    }
  }

  url(
    params: Record<string, string> = {},
    auth: { user?: string; password?: string | null; database?: string } = {},
  ): string {
    const user = encodeURIComponent(auth.user ?? PG_ADMIN);
    const password = auth.password === null ? '' : `:${encodeURIComponent(auth.password ?? PG_PASSWORD)}`;
    const query = new URLSearchParams(params).toString();
    const database = auth.database ?? 'postgres';
    return `postgres://${user}${password}@${this.host}:${this.port}/${database}${query === '' ? '' : `?${query}`}`;
  }

  psql(sql: string): string {
    const result = spawnSync(
      path.join(this.bin, 'psql'),
      [
        '-X',
        '-q',
        '-t',
        '-A',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        this.host,
        '-p',
        String(this.port),
        '-U',
        PG_ADMIN,
        '-d',
        'postgres',
        '-c',
        sql,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, PGPASSWORD: PG_PASSWORD },
      },
    );
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr.slice(0, 1000)}`);
    return result.stdout;
  }

  /** Every server process: the postmaster (from postmaster.pid) and its children. */
  private serverPids(): number[] {
    let postmaster: number | null;
    try {
      postmaster = Number(fs.readFileSync(path.join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      postmaster = this.child?.pid ?? null;
    }
    if (postmaster === null || !Number.isInteger(postmaster) || postmaster <= 0) return [];
    const pids = [postmaster];
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
        if (new RegExp(`^PPid:\\s+${postmaster}$`, 'm').test(status)) pids.push(Number(entry));
      } catch {
        // Exited meanwhile.
      }
    }
    return pids;
  }

  killAll(): void {
    for (const pid of this.serverPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    // Wait until the postmaster is really gone, so a restart can take the port and the data.
    const deadline = Date.now() + 10_000;
    while (
      Date.now() < deadline &&
      this.child !== null &&
      this.child.exitCode === null &&
      this.child.signalCode === null &&
      alive(this.child.pid)
    ) {
      spawnSync('sleep', ['0.02']);
    }
    this.child = null;
  }

  killAndRemoveSync(): void {
    this.killAll();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    if (!live.has(this)) return;
    live.delete(this);
    const [file, args] = this.as(path.join(this.bin, 'pg_ctl'), [
      'stop',
      '-D',
      this.data,
      '-m',
      'immediate',
      '-w',
      '-t',
      '10',
    ]);
    spawnSync(file, args, { encoding: 'utf8' });
    this.killAndRemoveSync();
  }
}

/**
 * A self-signed certificate for localhost and 127.0.0.1, valid for two days, with its key;
 * false when openssl is missing or fails (the TLS tests then say they did not run).
 */
export function selfSignedCertificate(keyFile: string, certFile: string): boolean {
  const subject = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'];
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', ...subject];
  return spawnSync('openssl', [...args, '-keyout', keyFile, '-out', certFile], { encoding: 'utf8' }).status === 0;
}
