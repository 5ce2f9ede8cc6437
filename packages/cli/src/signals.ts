// The signals that stop booty (a closed terminal or ssh session, Ctrl-C, `kill`, Ctrl-\). The
// program installs one handler for them (main.ts); a running verifier step registers itself
// here so that its whole process group is stopped before booty exits 128+N.
import { constants as osConstants } from 'node:os';

const STOP_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGQUIT'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The shell's convention for "stopped by signal N": 128+N (SIGINT 130, SIGTERM 143). */
export function signalExit(signal: NodeJS.Signals): number {
  return 128 + (osConstants.signals[signal] ?? 0);
}

type Stopper = (signal: StopSignal) => void;
const stoppers = new Set<Stopper>();

/** While registered, a stop signal goes to `stopper` instead of ending booty at once. */
export function onStopSignal(stopper: Stopper): () => void {
  stoppers.add(stopper);
  return () => stoppers.delete(stopper);
}

/**
 * Installs the handler. With a child running, the child's stopper stops it and the command
 * exits 128+N when it is gone; with none, `idle(signal)` ends booty at once.
 */
export function handleStopSignals(idle: (signal: StopSignal) => void): void {
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (stoppers.size === 0) idle(signal);
      else for (const stopper of [...stoppers]) stopper(signal);
    });
  }
}
