// Jest's global set-up for the e2e project: the directory its spec files share (shared-run.ts).
// Nothing is started here: the first spec file that needs the registry starts it.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { alive } from '../../../../packages/release-state/test/support/server-processes';
import { RUN_DIR_VARIABLE } from './shared-run';

const PREFIX = 'booty-e2e-run-';
/** In each run's directory: the pid of the jest that made it. */
const OWNER_FILE = 'jest.pid';

export default async function globalSetup(): Promise<void> {
  await removeInterruptedRuns();
  const dir = await mkdtemp(path.join(tmpdir(), PREFIX));
  await writeFile(path.join(dir, OWNER_FILE), String(process.pid));
  // Inherited by the jest workers, which are started after this.
  process.env[RUN_DIR_VARIABLE] = dir;
}

/**
 * An interrupted run (Ctrl-C, a killed jest) skips the global teardown and leaves its directory
 * (a few MB of installs); its registry stops by itself (--exit-with-parent). The next run removes
 * such directories once the jest that made them is gone.
 */
async function removeInterruptedRuns(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(tmpdir(), name);
    const owner = Number(await readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => ''));
    if (owner > 0 && !alive(owner)) await rm(dir, { recursive: true, force: true });
  }
}
