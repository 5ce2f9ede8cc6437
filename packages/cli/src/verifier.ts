import { commandControlCharacter } from '@booty/config';
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { text, writeLine } from './output';
import { onStopSignal, signalExit, type StopSignal } from './signals';

/** One shell command of the verification, in the order `.booty.yml` defines them. */
export interface VerifierStep {
  name: 'setup_command' | 'install_command' | 'test_command';
  command: string | null;
  /** Seconds before the step's whole process group is killed; null for no limit. */
  timeoutSeconds: number | null;
}

export interface StepResult {
  name: VerifierStep['name'];
  status: 'passed' | 'failed' | 'timed-out' | 'skipped' | 'interrupted';
  exitCode: number;
  /** For 'interrupted': the signal that stopped booty (and so the step). */
  signal?: StopSignal;
  durationMs: number;
}

/** `timeout(1)`'s convention, so CI logs read the same. */
export const TIMEOUT_EXIT = 124;
/** Time between SIGTERM and SIGKILL when a step overruns or booty is interrupted. */
const KILL_GRACE_MS = 5_000;
/** Node fires a longer timer at once (TimeoutOverflowWarning); a longer limit is capped instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The first step whose command holds a control character (tab and line feed aside), if any: a
 * NUL makes spawn throw, and the others make a log lie. The schema refuses such commands with
 * the same rule (`commandControlCharacter`); this keeps the verifier from ever starting one.
 */
export function unrunnableStep(steps: readonly VerifierStep[]): VerifierStep | undefined {
  return steps.find((step) => step.command !== null && commandControlCharacter(step.command) !== null);
}

// One message for a step that never started, whether spawn threw or the child reported an error.
function couldNotStart(log: Writable, step: VerifierStep, error: unknown): void {
  writeLine(log, text`booty: could not start ${step.name}: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * Runs one step through the shell in its own process group, so a timeout (or Ctrl-C) reaches
 * every process it started, not just the shell. Output is inherited: it streams as it comes.
 */
export function runStep(
  step: VerifierStep & { command: string },
  cwd: string,
  env: NodeJS.ProcessEnv,
  log: Writable,
): Promise<StepResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(step.command, { cwd, env, shell: true, detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (error) {
      // spawn throws for arguments it cannot pass on (a NUL in an environment value).
      couldNotStart(log, step, error);
      resolve({ name: step.name, status: 'failed', exitCode: 127, durationMs: Date.now() - started });
      return;
    }
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
        : setTimeout(
            () => {
              timedOut = true;
              writeLine(
                log,
                text`booty: ${step.name} timed out after ${step.timeoutSeconds} s; stopping its process group`,
              );
              terminate();
            },
            Math.min(step.timeoutSeconds * 1000, MAX_TIMER_MS),
          );
    // booty was told to stop: the group gets SIGTERM (SIGKILL after the grace period, or at
    // once on a second signal), and the step ends as interrupted once the shell is gone.
    let interrupted: StopSignal | undefined;
    const stopListening = onStopSignal((signal) => {
      if (interrupted === undefined) {
        interrupted = signal;
        terminate();
      } else {
        killGroup('SIGKILL');
      }
    });
    const finish = (result: Omit<StepResult, 'name' | 'durationMs'>) => {
      clearTimeout(timer);
      stopListening();
      resolve({ name: step.name, ...result, durationMs: Date.now() - started });
    };
    child.on('error', (error) => {
      couldNotStart(log, step, error);
      finish({ status: 'failed', exitCode: 127 });
    });
    child.on('exit', (code, signal) => {
      // The shell has exited; make sure nothing it left behind outlives the step.
      killGroup('SIGKILL');
      clearTimeout(killTimer);
      if (interrupted !== undefined)
        return finish({ status: 'interrupted', exitCode: signalExit(interrupted), signal: interrupted });
      if (timedOut) return finish({ status: 'timed-out', exitCode: TIMEOUT_EXIT });
      const exitCode = code ?? (signal ? signalExit(signal) : 128);
      finish({ status: exitCode === 0 ? 'passed' : 'failed', exitCode });
    });
  });
}

/** Runs the steps in order and stops at the first that fails. */
export async function runSteps(
  steps: readonly VerifierStep[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  log: Writable,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of steps) {
    if (step.command === null) {
      writeLine(log, text`booty: ${step.name} not set; skipped`);
      results.push({ name: step.name, status: 'skipped', exitCode: 0, durationMs: 0 });
      continue;
    }
    writeLine(log, text`booty: ${step.name}: ${step.command}`);
    const result = await runStep({ ...step, command: step.command }, cwd, env, log);
    results.push(result);
    if (result.status !== 'passed') break;
  }
  return results;
}
