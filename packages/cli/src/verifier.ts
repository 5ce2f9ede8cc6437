import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import type { Writable } from 'node:stream';

/** One shell command of the verification, in the order `.booty.yml` defines them. */
export interface VerifierStep {
  name: 'setup_command' | 'install_command' | 'test_command';
  command: string | null;
  /** Seconds before the step's whole process group is killed; null for no limit. */
  timeoutSeconds: number | null;
}

export interface StepResult {
  name: VerifierStep['name'];
  status: 'passed' | 'failed' | 'timed-out' | 'skipped';
  exitCode: number;
  durationMs: number;
}

/** `timeout(1)`'s convention, so CI logs read the same. */
export const TIMEOUT_EXIT = 124;
/** Time between SIGTERM and SIGKILL when a step overruns or booty is interrupted. */
const KILL_GRACE_MS = 5_000;

/**
 * Runs one step through the shell in its own process group, so a timeout (or Ctrl-C) reaches
 * every process it started, not just the shell. Output is inherited: it streams as it comes.
 */
export function runStep(step: VerifierStep & { command: string }, cwd: string, env: NodeJS.ProcessEnv, log: Writable): Promise<StepResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(step.command, { cwd, env, shell: true, detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // the group is already gone
      }
    };
    const terminate = () => {
      killGroup('SIGTERM');
      killTimer ??= setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    };
    const timer =
      step.timeoutSeconds === null
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            log.write(`booty: ${step.name} timed out after ${step.timeoutSeconds} s; stopping its process group\n`);
            terminate();
          }, step.timeoutSeconds * 1000);
    const onSignal = (signal: NodeJS.Signals) => {
      log.write(`booty: ${signal} received; stopping ${step.name}\n`);
      terminate();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const finish = (exitCode: number, status: StepResult['status']) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve({ name: step.name, status, exitCode, durationMs: Date.now() - started });
    };
    child.on('error', (error) => {
      log.write(`booty: could not start ${step.name}: ${error.message}\n`);
      finish(127, 'failed');
    });
    child.on('exit', (code, signal) => {
      // The shell has exited; make sure nothing it left behind outlives the step.
      killGroup('SIGKILL');
      clearTimeout(killTimer);
      if (timedOut) return finish(TIMEOUT_EXIT, 'timed-out');
      const exitCode = code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0);
      finish(exitCode, exitCode === 0 ? 'passed' : 'failed');
    });
  });
}

/** Runs the steps in order and stops at the first that fails. */
export async function runSteps(steps: readonly VerifierStep[], cwd: string, env: NodeJS.ProcessEnv, log: Writable): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of steps) {
    if (step.command === null) {
      log.write(`booty: ${step.name} not set; skipped\n`);
      results.push({ name: step.name, status: 'skipped', exitCode: 0, durationMs: 0 });
      continue;
    }
    log.write(`booty: ${step.name}: ${step.command}\n`);
    const result = await runStep({ ...step, command: step.command }, cwd, env, log);
    results.push(result);
    if (result.status !== 'passed') break;
  }
  return results;
}
