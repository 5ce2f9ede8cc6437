// Jest's global teardown for the e2e project: stops the run's registry, reports what was installed
// from it, and removes the directory the spec files shared.
import { rm } from 'node:fs/promises';
import { reportInstalls } from './installs';
import { stopLocalRegistry } from './registry';
import { RUN_DIR_VARIABLE } from './shared-run';

export default async function globalTeardown(): Promise<void> {
  const dir = process.env[RUN_DIR_VARIABLE];
  if (!dir) return;
  await stopLocalRegistry();
  reportInstalls();
  await rm(dir, { recursive: true, force: true });
}
