// Whether a test can have a PostgreSQL server here: where Debian's server binaries are
// (/usr/lib/postgresql/*/bin, or `pg_config --bindir`), and `describe` for suites that need
// software that may be missing. With CI=true missing software FAILS the run; without CI the suite
// reports loudly that it did not run (never silently).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The directory of the server binaries, or null when none is installed. */
export function findPgBin(): string | null {
  const candidates: string[] = [];
  try {
    const versions = fs.readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v));
    versions.sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(path.join('/usr/lib/postgresql', v, 'bin'));
  } catch {
    // Not Debian's layout: try pg_config below.
  }
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (fromConfig.status === 0) candidates.push(fromConfig.stdout.trim());
  return (
    candidates.find((dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'postgres'))) ??
    null
  );
}

const MISSING =
  'PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and `pg_config --bindir`). ' +
  'Install them: apt-get install postgresql';

/** Why a suite that needs a PostgreSQL server cannot run here, or null when it can. */
export function pgMissing(): string | null {
  return findPgBin() === null ? MISSING : null;
}

/** The directory of the server binaries; throws the install advice when there is none. */
export function requirePgBin(): string {
  const bin = findPgBin();
  if (bin === null) throw new Error(MISSING);
  return bin;
}

/**
 * `describe` for suites that need a server. Without binaries: with CI=true the suite fails; else
 * it runs one test that prints a loud notice (so the run shows the suite did not happen).
 */
export function describeWithPg(name: string, fn: () => void): void {
  describeIfInstalled(name, [pgMissing()], fn);
}

/** `describe(name, fn)` when `missing` holds only nulls; else the failing (CI=true) or loud notice. */
export function describeIfInstalled(name: string, missing: Array<string | null>, fn: () => void): void {
  const problems = missing.filter((problem): problem is string => problem !== null);
  if (problems.length === 0) {
    describe(name, fn);
    return;
  }
  describe(name, () => {
    it('needs software that is not installed', () => {
      const what = problems.join('; ');
      if (process.env['CI'] === 'true') throw new Error(`${what}. CI=true: these tests must run.`);
      process.stderr.write(`\n*** NOT RUN: ${name}: ${what} ***\n\n`);
    });
  });
}
