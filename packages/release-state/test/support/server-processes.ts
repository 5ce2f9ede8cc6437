// Running the server binaries (PostgreSQL, its tools, PgBouncer) from a test: as the `postgres`
// account when we are root (they refuse root), dying with this process, and the process and port
// checks their start and stop rely on.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

/** The postgres account when this process is root (the server and PgBouncer refuse to run as root), else null. */
function serverAccount(): { uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  if (account === undefined) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    account = { uid: id('-u'), gid: id('-g') };
  }
  return account;
}
let account: { uid: number; gid: number } | undefined;

/**
 * The command that runs a server binary (the server, its tools, PgBouncer): as the postgres user
 * when we are root. A long-running one (`dieWithUs`) also gets SIGKILL when this process dies
 * (`--pdeathsig`), so a test run that is killed leaves no server behind.
 */
export function asServerAccount(file: string, args: string[], dieWithUs = false): [string, string[]] {
  const deathSignal = dieWithUs && hasSetpriv() ? ['--pdeathsig', 'KILL'] : [];
  const as = serverAccount();
  if (as === null) return deathSignal.length === 0 ? [file, args] : ['setpriv', [...deathSignal, '--', file, ...args]];
  return ['setpriv', [`--reuid=${as.uid}`, `--regid=${as.gid}`, '--init-groups', ...deathSignal, '--', file, ...args]];
}

/** Gives a file or directory to the account server binaries run as (a no-op unless we are root). */
export function ownByServerAccount(target: string): void {
  const as = serverAccount();
  if (as !== null) fs.chownSync(target, as.uid, as.gid);
}

let setprivFound: boolean | undefined;
function hasSetpriv(): boolean {
  setprivFound ??= spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
  return setprivFound;
}

/** True while the process runs (a zombie counts as gone). */
export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped) still answers signal 0.
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
