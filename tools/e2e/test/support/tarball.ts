// What a published tarball holds: built code, its types, README, LICENSE, its CHANGELOG, and the
// few extra files a package declares (the CLI's bin, the third-party notices of what it bundles
// and the source maps of its two minified files; config's JSON Schema; release-state's
// read-file/package.json, which points resolvers without `exports` at that entry). The entry points the
// manifest names (main, types, bin) must be in it.
export const EXTRA_FILES: Record<string, string[]> = {
  '@booty/cli': ['bin/booty.js', 'dist/THIRD-PARTY-NOTICES.txt', 'dist/booty.bundle.js.map', 'dist/postgres.js.map'],
  '@booty/config': ['schema.json'],
  '@booty/release-state': ['read-file/package.json'],
};

export interface PackedManifest {
  name: string;
  main?: string;
  types?: string;
  bin?: string | Record<string, string>;
}

const ALWAYS = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];
const ALLOWED = [/^dist\/.+\.js$/, /^dist\/.+\.d\.ts$/];
const NEVER = [/\.spec\./, /\.test\./, /\.tsbuildinfo$/, /(^|\/)__/, /\.map$/];

const normalize = (file: string) => file.replace(/^\.\//, '');

/** Problems with a package's file list; empty when it is right. */
export function tarballProblems(manifest: PackedManifest, files: readonly string[]): string[] {
  const { name } = manifest;
  const extra = EXTRA_FILES[name] ?? [];
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  const entryPoints = [manifest.main ?? 'index.js', ...(manifest.types ? [manifest.types] : []), ...bins].map(
    normalize,
  );
  const problems: string[] = [];
  if (!manifest.types) problems.push(`${name}: package.json names no types`);
  for (const required of new Set([...ALWAYS, ...entryPoints, ...extra])) {
    if (!files.includes(required)) problems.push(`${name}: missing ${required}`);
  }
  for (const file of files) {
    if (extra.includes(file)) continue;
    const allowed = ALWAYS.includes(file) || ALLOWED.some((pattern) => pattern.test(file));
    if (!allowed || NEVER.some((pattern) => pattern.test(file))) problems.push(`${name}: should not ship ${file}`);
  }
  return problems;
}
