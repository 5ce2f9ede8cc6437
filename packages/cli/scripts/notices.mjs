// Third-party notices for what the CLI bundles. The bundle and dist/postgres.js inline other
// packages' code (yaml, clipanion, pg, ...); their MIT, ISC and BSD licences require the copyright
// and permission notice to travel with every copy, so the build writes dist/THIRD-PARTY-NOTICES.txt
// from the packages themselves: which packages, from esbuild's metafile (only what really went
// into an output file); their licence texts, from each package's own licence files (or, for a
// package that ships none, the licence section of its README). Nothing in it is typed by hand, and
// a package whose licence is not known to allow this, or whose licence text cannot be found,
// fails the build.
//
//   import { writeNoticesOrFail } from './notices.mjs'                  (scripts/bundle.mjs)
//   node scripts/notices.mjs --metafile META.json [--metafile ...] --out FILE [--dir PACKAGE_DIR]
//
// The metafiles are also kept, merged, as dist/esbuild-meta.json (esbuild's bundle analyzer reads
// it; test/notices.spec.ts checks the notices against it).
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** SPDX identifiers whose terms allow shipping the code inside our bundle with its notice. */
const ALLOWED_LICENSES = new Set(['MIT', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0', '0BSD', 'BlueOak-1.0.0']);

export const NOTICES_FILE = 'dist/THIRD-PARTY-NOTICES.txt';
export const METAFILE_FILE = 'dist/esbuild-meta.json';

const LICENCE_FILE = /^(licen[cs]e|copying|notice)([.-].*)?$/i;
const README_FILE = /^readme(\.(md|markdown|txt))?$/i;
const RULE = '='.repeat(80);

/** A notice that cannot be written: the message names the package, what is wrong and the fix. */
export class NoticesError extends Error {
  constructor(message) {
    super(message);
    this.name = 'NoticesError';
  }
}

/** Text from a package's files, made safe for a plain-text file: LF line ends, no control characters. */
function clean(text) {
  // eslint-disable-next-line no-control-regex
  const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
  return text.replace(/\r\n?/g, '\n').replace(unsafe, '').replace(/\s+$/, '');
}

function readManifest(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch (error) {
    const file = join(dir, 'package.json');
    throw new NoticesError(`cannot read ${file} (${error.message}). Fix: npm ci, then build again.`);
  }
}

/** The directory of an input file's package: below the last node_modules, else the nearest package.json. */
function packageDirOf(file) {
  const parts = file.split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at >= 0 && at + 1 < parts.length) {
    const length = parts[at + 1].startsWith('@') ? 2 : 1;
    return { dir: parts.slice(0, at + 1 + length).join(sep), thirdParty: true };
  }
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new NoticesError(`${file} is in no package (no package.json above it). Fix: check the bundle's inputs.`);
    }
    dir = parent;
  }
  return { dir, thirdParty: false };
}

/** Every package with code in an output file, from esbuild's metafiles, keyed by directory. */
export function bundledPackages(packageDir, metafiles) {
  const found = new Map();
  for (const metafile of metafiles) {
    for (const [output, { inputs }] of Object.entries(metafile.outputs ?? {})) {
      for (const input of Object.keys(inputs ?? {})) {
        // Virtual modules (<stdin>, plugin namespaces such as lazy-builtin:node:crypto) are ours.
        if (input.startsWith('<') || /^[\w-]+:/.test(input)) continue;
        const { dir, thirdParty } = packageDirOf(resolve(packageDir, input));
        if (dir === resolve(packageDir)) continue;
        const entry = found.get(dir) ?? { dir, thirdParty, outputs: new Set() };
        entry.outputs.add(output);
        found.set(dir, entry);
      }
    }
  }
  return [...found.values()].map((entry) => {
    const manifest = readManifest(entry.dir);
    return { ...entry, name: manifest.name, version: manifest.version, license: manifest.license, manifest };
  });
}

/** The SPDX identifiers of a package.json `license` that must all be allowed: "(MIT OR X)" needs one of them. */
function requiredLicenseIds(license) {
  if (typeof license !== 'string' || license.trim() === '') return [];
  const ids = license
    .replace(/[()]/g, ' ')
    .trim()
    .split(/\s+(?:OR|AND|WITH)\s+/);
  if (/\sOR\s/.test(license) && !/\s(AND|WITH)\s/.test(license)) {
    const chosen = ids.find((id) => ALLOWED_LICENSES.has(id));
    return chosen ? [chosen] : ids;
  }
  return ids;
}

function checkLicense(pkg) {
  const ids = requiredLicenseIds(pkg.license);
  const where = join(pkg.dir, 'package.json');
  if (ids.length === 0) {
    throw new NoticesError(
      `${pkg.name}@${pkg.version} (${where}) declares no "license", so it cannot be known to allow bundling. ` +
        'Nothing was written. Fix: keep it out of the bundle, or use a version that declares its licence.',
    );
  }
  const unknown = ids.filter((id) => !ALLOWED_LICENSES.has(id));
  if (unknown.length > 0) {
    throw new NoticesError(
      `${pkg.name}@${pkg.version} (${where}) is licensed "${clean(pkg.license)}"; ${unknown.join(' and ')} ` +
        `${unknown.length > 1 ? 'are' : 'is'} not among the licences known to allow bundling ` +
        `(${[...ALLOWED_LICENSES].join(', ')}). Nothing was written. Fix: keep it out of the bundle, or, once its ` +
        'terms are checked, add the identifier to ALLOWED_LICENSES in packages/cli/scripts/notices.mjs.',
    );
  }
}

/** The licence section of a Markdown README: from a "License" heading to the next heading of its level or above. */
function readmeLicenceSection(text) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const start = lines.findIndex((line) => /^#{1,6}\s*licen[cs]e\b/i.test(line));
  if (start < 0) return '';
  const level = /^#+/.exec(lines[start])[0].length;
  let end = start + 1;
  while (end < lines.length && !(/^#+\s/.test(lines[end]) && /^#+/.exec(lines[end])[0].length <= level)) end += 1;
  return lines.slice(start, end).join('\n').trim();
}

/** The package's own licence texts: its licence/notice files, else its README's licence section. */
export function licenceTexts(pkg) {
  const files = readdirSync(pkg.dir)
    .filter((name) => LICENCE_FILE.test(name))
    .sort();
  if (files.length > 0) {
    return files.map((file) => ({ from: file, text: clean(readFileSync(join(pkg.dir, file), 'utf8')) }));
  }
  for (const readme of readdirSync(pkg.dir)
    .filter((name) => README_FILE.test(name))
    .sort()) {
    const section = clean(readmeLicenceSection(readFileSync(join(pkg.dir, readme), 'utf8')));
    // A section that is only a badge or "MIT" is not the notice the licence asks for.
    if (/copyright/i.test(section) && section.split('\n').length > 2) {
      return [{ from: `${readme}, licence section`, text: section }];
    }
  }
  throw new NoticesError(
    `${pkg.name}@${pkg.version} (${pkg.dir}) ships no LICENSE, COPYING or NOTICE file and its README has no ` +
      'licence section with a copyright line, so its notice cannot be generated. Nothing was written. ' +
      'Fix: use a version of it that ships its licence, or keep it out of the bundle.',
  );
}

/** Where the package's source lives, as a URL (npm's "owner/repo" and "github:owner/repo" shorthands expanded). */
function sourceOf(manifest) {
  const repository = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
  const value = clean(String(repository ?? manifest.homepage ?? ''));
  if (value === '') return 'not stated in its package.json';
  const shorthand = /^(?:github:)?([\w.-]+\/[\w.-]+)$/.exec(value);
  if (shorthand) return `https://github.com/${shorthand[1]}`;
  return value
    .replace(/^git\+/, '')
    .replace(/^git:\/\//, 'https://')
    .replace(/\.git$/, '');
}

/** The notices text for the packages esbuild bundled; throws NoticesError when one cannot be covered. */
export function renderNotices(packageDir, metafiles) {
  const self = readManifest(packageDir);
  const packages = bundledPackages(packageDir, metafiles);
  const byName = (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version, 'en', { numeric: true });
  const thirdParty = packages.filter((pkg) => pkg.thirdParty).sort(byName);
  const ours = packages.filter((pkg) => !pkg.thirdParty).sort(byName);
  const where = (pkg) => [...pkg.outputs].sort().join(', ');
  for (const pkg of thirdParty) checkLicense(pkg);
  const sections = thirdParty.map((pkg) => {
    const texts = licenceTexts(pkg);
    return [
      RULE,
      `${pkg.name} ${pkg.version}`,
      `License: ${clean(pkg.license)}`,
      `Source: ${sourceOf(pkg.manifest)}`,
      `Bundled into: ${where(pkg)}`,
      ...texts.flatMap(({ from, text }) => ['-'.repeat(80), `(${from})`, '', text]),
      '',
    ].join('\n');
  });
  const header = [
    `Third-party software in ${self.name} ${self.version}`,
    '',
    `The files named below contain code from other packages, listed here with their licences, each`,
    `reproduced from the package's own licence file (or, where a package ships none, from the licence`,
    `section of its README). This file is generated at build time from esbuild's metafile by`,
    `scripts/notices.mjs; do not edit it.`,
    '',
    ours.length > 0
      ? `Also bundled, under this package's own licence (${self.license}, see LICENSE): ` +
        `${ours.map((pkg) => `${pkg.name} ${pkg.version}`).join(', ')}.`
      : '',
    '',
    `${thirdParty.length} third-party packages:`,
    ...thirdParty.map((pkg) => `  ${pkg.name} ${pkg.version} (${clean(pkg.license)}) in ${where(pkg)}`),
    '',
  ];
  return `${[...header, ...sections]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/** Writes the notices and the merged metafile; a temp file and a rename, so never a partial file. */
export function writeNotices({ packageDir, metafiles, outFile = NOTICES_FILE, metafileOut = METAFILE_FILE }) {
  const text = renderNotices(packageDir, metafiles);
  const target = resolve(packageDir, outFile);
  writeFileSync(`${target}.tmp`, text);
  renameSync(`${target}.tmp`, target);
  if (metafileOut) writeFileSync(resolve(packageDir, metafileOut), `${JSON.stringify(metafiles)}\n`);
  return target;
}

/** For the build script: on a NoticesError, say why and stop the build (exit 1) with no stack trace. */
export function writeNoticesOrFail(options) {
  try {
    return writeNotices(options);
  } catch (error) {
    if (!(error instanceof NoticesError)) throw error;
    process.stderr.write(`notices: ${error.message}\n`);
    process.exit(1);
  }
}

function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: { metafile: { type: 'string', multiple: true }, out: { type: 'string' }, dir: { type: 'string' } },
    }));
  } catch (error) {
    process.stderr.write(`notices: ${error.message}\n`);
    process.exit(2);
  }
  if (!values.metafile?.length || !values.out) {
    process.stderr.write(
      'notices: usage: node scripts/notices.mjs --metafile META.json [--metafile ...] --out FILE [--dir PACKAGE_DIR]\n',
    );
    process.exit(2);
  }
  const packageDir = resolve(values.dir ?? fileURLToPath(new URL('..', import.meta.url)));
  const metafiles = values.metafile.flatMap((file) => {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      process.stderr.write(`notices: cannot read the metafile ${file} (${error.message}). Nothing was written.\n`);
      return process.exit(2);
    }
  });
  const written = writeNoticesOrFail({ packageDir, metafiles, outFile: resolve(values.out), metafileOut: null });
  process.stdout.write(`wrote ${relative(process.cwd(), written) || written}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
