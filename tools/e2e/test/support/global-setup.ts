// Jest's global set-up for the e2e project: the directory its spec files share (shared-run.ts).
// Nothing is started here: the first spec file that needs the registry starts it.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RUN_DIR_VARIABLE } from './shared-run';

export default async function globalSetup(): Promise<void> {
  // Inherited by the jest workers, which are started after this.
  process.env[RUN_DIR_VARIABLE] = await mkdtemp(path.join(tmpdir(), 'booty-e2e-run-'));
}
