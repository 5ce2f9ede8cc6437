// What the deploy tells people: a line on stdout per step, and on GitHub Actions a table in the
// step summary. Apart from the steps so that every line goes one way and the summary, a
// convenience, can never fail a deploy.
import { appendFileSync } from 'node:fs';

/** One line of the deploy's log, on stdout. */
export function say(line) {
  process.stdout.write(`${line}\n`);
}

/** Appends `lines` to the GitHub Actions step summary, when there is one. */
export function summary(lines) {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${lines.join('\n')}\n`);
  } catch {
    // The summary is a convenience; the log already has every line.
  }
}
