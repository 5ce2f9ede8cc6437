// Progress of a long read (a ledger of 100,000 entries takes seconds): one line on stderr,
// rewritten in place, shown only when stderr is a terminal and only once the read has taken
// longer than a second, and erased when it ends. Pipes, files and logs never see it.
import type { Writable } from 'node:stream';
import type { ScanProgress } from '@booty/release-state';
import { SafeText, writeText } from './output';

/** How long a read runs before its progress is shown (BOOTY_PROGRESS_AFTER_MS overrides it). */
const SHOW_AFTER_MS = 1_000;
/** At most this often is the line rewritten. */
const EVERY_MS = 100;

export interface Progress {
  /** Pass to the library's `onProgress`. */
  readonly update: (progress: ScanProgress) => void;
  /** Erases the line, if one was shown. */
  done(): void;
}

/** Progress of reading `what` (e.g. `the ledger`) on `stderr`; a no-op when stderr is not a terminal. */
export function progressOn(stderr: Writable, env: NodeJS.ProcessEnv, what: string): Progress {
  if ((stderr as Writable & { isTTY?: boolean }).isTTY !== true) {
    return { update: () => undefined, done: () => undefined };
  }
  const given = env['BOOTY_PROGRESS_AFTER_MS'] ?? '';
  const after = /^\d{1,6}$/.test(given) ? Number(given) : SHOW_AFTER_MS;
  const started = Date.now();
  let latest: ScanProgress | null = null;
  let shownAt = 0;
  let shownCount = false;
  let width = 0;
  const show = () => {
    const seconds = Math.floor((Date.now() - started) / 1000);
    const number = (n: number) => n.toLocaleString('en-US');
    const count = latest === null ? '' : `: ${number(latest.read)} of ${number(latest.total)} entries`;
    const line = `booty: reading ${what}${count} (${seconds} s)`;
    // Spaces, not an erase sequence: the line clears on any terminal, TERM=dumb included.
    writeText(stderr, new SafeText(`\r${line.padEnd(width)}`));
    width = line.length;
    shownAt = Date.now();
    shownCount = latest !== null;
  };
  const timer = setTimeout(show, after);
  const ticker = setInterval(() => {
    if (width > 0) show();
  }, 1_000);
  timer.unref();
  ticker.unref();
  return {
    update(progress) {
      latest = progress;
      // The first count shows at once; after that, at most every EVERY_MS.
      if (width > 0 && (!shownCount || Date.now() - shownAt >= EVERY_MS)) show();
    },
    done() {
      clearTimeout(timer);
      clearInterval(ticker);
      if (width > 0) writeText(stderr, new SafeText(`\r${' '.repeat(width)}\r`));
      width = 0;
    },
  };
}
