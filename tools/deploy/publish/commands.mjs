// Running the tools the deploy relies on (git, npm) and collecting what they say. Apart from the
// steps so that a tool that is not installed is one refusal (DEPLOY_TOOL_MISSING), said once.
import { spawnSync } from 'node:child_process';
import { DeployError } from './errors.mjs';

/** Runs `command` to the end, its output as text; refuses when it cannot be started at all. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) {
    throw new DeployError(
      'DEPLOY_TOOL_MISSING',
      `cannot run ${command}: ${result.error.message}. Fix: install ${command} and put it on PATH.`,
    );
  }
  return result;
}

/** Runs git in the repository `root`. */
export function git(root, args) {
  return run('git', ['-C', root, ...args]);
}
