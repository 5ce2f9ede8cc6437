/** One JSON Pointer segment (`~` and `/` escaped), as ajv writes `instancePath`. */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `/release_governor/cooldown_minutes` to `release_governor.cooldown_minutes`; '' for the root. */
export function pointerToPath(pointer: string): string {
  return pointerSegments(pointer).join('.');
}
