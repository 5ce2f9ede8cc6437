// Aligned columns for the operator commands' text output. Every cell is escaped here (outside
// values — keys, delivery ids, paths, outcomes — must never move the cursor or break a row), so
// a command that lays out a table cannot forget it.
import { outside, SafeText } from './output';

export interface ColumnOptions {
  /** Put before every line. */
  indent?: string;
  /**
   * By column: a cell wider than this does not widen its column; it overflows on its own row
   * only, so one long value (a list of paths) does not push a whole table off the screen.
   */
  maxWidths?: readonly (number | undefined)[];
}

/** `rows` as lines, each column padded to its widest cell (the last one is not padded). */
export function columns(rows: readonly (readonly string[])[], options: ColumnOptions = {}): SafeText[] {
  const cells = rows.map((row) => row.map((cell) => outside(cell).value));
  const widths: number[] = [];
  for (const row of cells) {
    row.forEach((cell, index) => {
      const cellWidth = width(cell);
      if (cellWidth <= (options.maxWidths?.[index] ?? Infinity))
        widths[index] = Math.max(widths[index] ?? 0, cellWidth);
    });
  }
  return cells.map((row) => {
    const last = row.length - 1;
    const padded = row.map((cell, index) =>
      index === last ? cell : cell + ' '.repeat(Math.max(0, (widths[index] ?? 0) - width(cell))),
    );
    return new SafeText(`${options.indent ?? ''}${padded.join('  ')}`.trimEnd());
  });
}

/** Characters as a terminal counts them (code points; escaped cells hold no controls). */
function width(text: string): number {
  return Array.from(text).length;
}
