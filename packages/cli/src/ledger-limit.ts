// A ledger over its count limit, as the operator's commands show it (`governor status`, `state
// check`, `state prune`): one wording, with the fix. Being over the limit is not damage: entries
// younger than the redelivery window are kept whatever the count, so nothing is claimed twice,
// and the ledger shrinks back as they leave the window. Only the file store has a count limit.
import type { Writable } from 'node:stream';
import type { CountLimit } from '@booty/release-state';
import { joinText, styleFor, text, writeLine } from './output';

/** True when `limit` says the ledger holds more entries than its count limit. */
export function isOverLimit(limit: CountLimit | null): limit is CountLimit {
  return limit !== null && limit.exceeded;
}

/** Two lines when the ledger (`entries` healthy entries) is over its count limit: what it means, then the fix. */
export function writeOverLimit(
  stream: Writable,
  env: NodeJS.ProcessEnv,
  limit: CountLimit | null,
  entries: number,
): void {
  if (!isOverLimit(limit)) return;
  const { maxDeliveries, windowDays, inWindow } = limit;
  const state = joinText(
    [
      text`${entries} entries against a limit of ${maxDeliveries}: the ${inWindow} younger than the`,
      text`${windowDays}-day redelivery window are kept whatever the count (GitHub can still redeliver them,`,
      text`so none is claimed twice).`,
    ],
    ' ',
  );
  const fix = joinText(
    [
      text`after a burst, nothing: older entries are pruned down to ${maxDeliveries} as they leave the window`,
      text`(hourly, or now with \`booty state prune\`). If this is your usual volume, allow about 4 KiB of disk`,
      text`per entry, or move to PostgreSQL, which has no count limit: \`booty state copy --to postgres://…\`.`,
    ],
    ' ',
  );
  writeLine(stream, text`${styleFor(stream, env).yellow('over the count limit')}: ${state}`);
  writeLine(stream, text`  fix: ${fix}`);
}
