// What the spec files of one jest run share. Each spec file has its own module registry (and, with
// several jest workers, its own process), so what one of them starts or installs is handed to the
// next through a directory: the global set-up makes it and names it in BOOTY_E2E_RUN_DIR, the
// global teardown stops what was started there and removes it. oncePerRun makes a value the first
// time a spec file asks for it (a spec file run alone starts only what it needs), under a lock so
// that concurrent workers wait for it, and keeps it there as JSON for the others. A failure is kept
// too: every spec file that needs the step reports it, none makes it again.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import * as path from 'node:path';
import { alive } from '../../../../packages/release-state/test/support/server-processes';

export const RUN_DIR_VARIABLE = 'BOOTY_E2E_RUN_DIR';

type Kept<T> = { value: T } | { error: string };

/** The run's directory; throws when the global set-up did not run. */
export function runDir(): string {
  const dir = process.env[RUN_DIR_VARIABLE];
  if (!dir) {
    throw new Error(
      `${RUN_DIR_VARIABLE} is not set, so there is no directory to share the local registry and installs in. ` +
        'Fix: run these tests with tools/e2e/jest.config.cjs (npx nx test e2e), whose global set-up makes it.',
    );
  }
  return dir;
}

/** A scratch directory of one spec file's own, removed with the run's directory. */
export function scratchDir(label: string): Promise<string> {
  return mkdtemp(path.join(runDir(), `${label}-`));
}

/** The value kept under `key`, made by `make` once per run whichever spec file asks first. */
export async function oncePerRun<T>(key: string, make: () => Promise<T>): Promise<T> {
  const file = keptFile(key);
  const lock = path.join(runDir(), `${key}.lock`);
  while (!existsSync(file)) {
    if (takeLock(lock)) {
      try {
        keep(
          file,
          await make().then(
            (value): Kept<T> => ({ value }),
            (error: unknown): Kept<T> => ({ error: error instanceof Error ? error.message : String(error) }),
          ),
        );
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    } else {
      ensureOwnerAlive(lock, key);
      // Another spec file is making it: a jest worker of this run, which will keep it here.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const kept = JSON.parse(readFileSync(file, 'utf8')) as Kept<T>;
  if ('error' in kept) throw new Error(kept.error);
  return kept.value;
}

/** What oncePerRun kept under `key`, if it was made and did not fail (for the global teardown). */
export function keptValue<T>(key: string): T | undefined {
  const file = keptFile(key);
  if (!existsSync(file)) return undefined;
  const kept = JSON.parse(readFileSync(file, 'utf8')) as Kept<T>;
  return 'value' in kept ? kept.value : undefined;
}

function keptFile(key: string): string {
  return path.join(runDir(), `${key}.json`);
}

function keep(file: string, kept: Kept<unknown>): void {
  // Renamed into place, so a waiter never reads half a file.
  writeFileSync(`${file}.partial`, `${JSON.stringify(kept)}\n`);
  renameSync(`${file}.partial`, file);
}

function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  writeFileSync(path.join(lock, 'pid'), String(process.pid));
  return true;
}

function ensureOwnerAlive(lock: string, key: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    return; // Just taken, its pid not written yet (or just released).
  }
  if (!pid || alive(pid)) return;
  throw new Error(
    `the process (pid ${pid}) that was making "${key}" for this run ended without finishing it ` +
      `(its lock ${lock} is left). Fix: run the tests again.`,
  );
}
