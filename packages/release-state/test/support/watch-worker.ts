// The parent's side of the child-process worker protocol (fixtures/worker-io.cjs), shared by
// helpers.ts (the file-store workers) and postgres/workers.ts. No side effects on import.
import type { ChildProcess } from 'node:child_process';

export interface WorkerResult<Line = unknown> {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Line[];
  stderr: string;
}

export interface Worker<Line = unknown> {
  child: ChildProcess;
  /** Every JSON line printed so far (after "ready"). */
  lines: Line[];
  ready: Promise<void>;
  go(): void;
  done: Promise<WorkerResult<Line>>;
}

/**
 * The parent's side of the worker line protocol (fixtures/worker-io.cjs) for a spawned worker:
 * "ready" resolves `ready`, every other line is parsed as JSON into `lines`, go() releases the
 * barrier. `ready` also resolves when the child exits, so a worker that dies early never hangs.
 */
export function watchWorker<Line = unknown>(child: ChildProcess): Worker<Line> {
  const lines: Line[] = [];
  let stderr = '';
  let buffer = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line === 'ready') markReady();
      else if (line !== '') lines.push(JSON.parse(line) as Line);
      newline = buffer.indexOf('\n');
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<WorkerResult<Line>>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      markReady();
      resolve({ code, signal, lines, stderr });
    });
  });
  return {
    child,
    lines,
    ready,
    go: () => {
      child.stdin?.write('go\n');
    },
    done,
  };
}
