// Effective configuration values with their origins, laid out the same way by `config show` and
// `governor status`: one aligned row per key, `KEY  VALUE  ORIGIN`.
import type { EffectiveValue } from '@booty/config';
import { columns } from './columns';
import type { SafeText } from './output';

// A value longer than this (a list of paths) overflows its row instead of widening the column.
const VALUE_WIDTH = 32;

/** The rows, values as JSON (`"npm test"` is a string, unlike the number 4 or `null`). */
export function effectiveValueLines(values: Readonly<Record<string, EffectiveValue>>): SafeText[] {
  const rows = Object.entries(values).map(([key, { value, origin }]) => [key, JSON.stringify(value ?? null), origin]);
  return columns([['KEY', 'VALUE', 'ORIGIN'], ...rows], { indent: '  ', maxWidths: [undefined, VALUE_WIDTH] });
}
