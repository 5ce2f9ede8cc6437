// This workspace deployed to the run's local registry by tools/deploy/publish.mjs, once per run
// for every spec file that installs from it: a first run that publishes every package, then a
// second that only skips. Its results are asserted by registry/deploy.spec.ts.
import * as path from 'node:path';
import { usingLocalRegistry, type RegistryUse } from './registry';
import { describeRun, repoRoot, run, type RunResult } from './run';
import { oncePerRun, scratchDir } from './shared-run';

export const publishScript = path.join(repoRoot, 'tools', 'deploy', 'publish.mjs');

export interface Deploy {
  head: string;
  first: RunResult;
  /** Only when the first succeeded. */
  second?: RunResult;
}

/** The run's deploy; a failed one is returned, not thrown, for the deploy spec to show. */
export function deployOnce(): Promise<Deploy> {
  return oncePerRun('deploy', async () => {
    const registry = await usingLocalRegistry();
    const head = (await run('git', ['rev-parse', 'HEAD'], { cwd: repoRoot })).stdout.trim();
    // --allow-dirty: a developer runs this test on uncommitted work; the refusal itself is tested
    // in deploy-script.spec.ts.
    const first = await registry.sh(process.execPath, [publishScript, '--allow-dirty'], repoRoot, { DEPLOY_SHA: head });
    if (first.code !== 0) return { head, first };
    const second = await registry.sh(process.execPath, [publishScript, '--allow-dirty'], repoRoot, {
      DEPLOY_SHA: head.slice(0, 12),
    });
    return { head, first, second };
  });
}

/** The first deploy's result; throws with its output when it failed, as nothing can be installed then. */
export function deployed(deploy: Deploy | undefined): RunResult {
  const first = deploy?.first;
  if (!first || first.code !== 0) {
    throw new Error(
      'the deploy to the local registry failed, so nothing can be installed from it:\n' +
        (first ? describeRun(first) : 'it did not run'),
    );
  }
  return first;
}

/** What a spec file that installs from the registry uses, once its beforeAll has run. */
export interface DeploySite {
  registry: RegistryUse;
  deploy: Deploy;
  /** The spec file's own scratch directory. */
  work: string;
  /** registry.sh, usable before the hook has run. */
  sh: RegistryUse['sh'];
}

/**
 * Registers the beforeAll of a spec file that installs from the registry: it waits for the run's
 * deploy (made by the first spec file that asks) and makes the file's scratch directory. The
 * returned object's fields are there from that hook on.
 */
export function usingDeploy(label: string): DeploySite {
  const site = { sh: (command, args, cwd, extra) => site.registry.sh(command, args, cwd, extra) } as DeploySite;
  beforeAll(async () => {
    site.registry = await usingLocalRegistry();
    site.deploy = await deployOnce();
    site.work = await scratchDir(label);
  }, 420_000);
  return site;
}
