// The READMEs: the root README's commands, run as written, and the packages' READMEs as the
// registry shows them. npm renders a package's README without the repository
// around it, so a relative link breaks there, and a source file it names is not in the tarball:
// a package README links files outside the package absolutely (to GitHub), every such link points
// at a path that exists here (and at a heading that exists, for an anchor), and every paragraph
// that names a file the tarball does not ship links to it or to its folder. The Node.js version a
// README promises is the `engines` floor.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { childEnv, describeRun, repoRoot, run } from './support/run';
import { workspacePackages } from './support/workspace';

const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'packages', 'config', 'package.json'), 'utf8'));
const REPOSITORY = String(manifest.repository.url)
  .replace(/^git\+/, '')
  .replace(/\.git$/, '');
const escaped = REPOSITORY.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const GITHUB_LINK = new RegExp(`^${escaped}/(?:blob|tree)/main/([^#?]*)(?:#(.*))?$`);
/** Paths a package's tarball never holds (its `files` are built code, types and docs). */
const UNSHIPPED = /^(?:src|test|scripts|tools)\//;

/** The paragraphs (and tables, lists) of a README, code blocks left out. */
function paragraphs(markdown: string): string[] {
  return markdown
    .replace(/^```[\s\S]*?^```/gm, '')
    .split(/\n\s*\n/)
    .filter((block) => block.trim() !== '');
}

/** The link definitions of a README (`[label]: url`), by label. */
const definitionsOf = (markdown: string) =>
  new Map(
    [...markdown.matchAll(/^\[([^\]]+)\]:\s*(\S+)\s*$/gm)].map((match) => [match[1] as string, match[2] as string]),
  );

/** The targets of a paragraph's links, inline (`[text](url)`) or by reference (`[text][label]`). */
function linksIn(markdown: string, definitions: Map<string, string>): string[] {
  // Code spans hold text that looks like links (`[A-Za-z][a-z]`); a link's text keeps its brackets.
  const block = markdown.replace(/`[^`\n]*`/g, '');
  const inline = [...block.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] as string);
  const referenced = [...block.matchAll(/\]\[([^\]]+)\]/g)].map(
    (match) => definitions.get(match[1] as string) ?? `[${match[1]}]?`,
  );
  const defined = [...block.matchAll(/^\[[^\]]+\]:\s*(\S+)\s*$/gm)].map((match) => match[1] as string);
  return [...inline, ...referenced, ...defined];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

function anchorsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return [...text.matchAll(/^#{1,6}\s+(.*)$/gm)].map((match) => slug(match[1] as string));
}

/** Where a GitHub link of this repository points, and its problem if it points nowhere. */
function githubTarget(link: string): { repoPath: string; problem?: string } | null {
  const match = GITHUB_LINK.exec(link);
  if (!match) return null;
  const repoPath = decodeURIComponent(match[1] ?? '').replace(/\/$/, '');
  const full = path.join(repoRoot, repoPath);
  if (!existsSync(full)) return { repoPath, problem: `${link}: no ${repoPath} in the repository` };
  const anchor = match[2];
  if (anchor !== undefined && anchor !== 'readme') {
    const readme = full.endsWith('.md') ? full : path.join(full, 'README.md');
    if (!existsSync(readme) || !anchorsOf(readme).includes(anchor)) {
      return { repoPath, problem: `${link}: no heading #${anchor} in ${path.relative(repoRoot, readme)}` };
    }
  }
  return { repoPath };
}

const packages = workspacePackages();

/** `20.12` for `"engines": { "node": ">=20.12" }`. */
const engineFloor = (dir: string) =>
  /^>=(\d+\.\d+)$/.exec(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).engines.node)?.[1];

const named = packages.map((pkg) => [pkg.name, pkg] as const);

describe.each(named)('the README of %s, as the registry shows it', (_name, pkg) => {
  const readme = readFileSync(path.join(pkg.dir, 'README.md'), 'utf8');
  const definitions = definitionsOf(readme);
  const links = (block: string) => linksIn(block, definitions);
  const packagePath = path.relative(repoRoot, pkg.dir);

  it('has no relative link (npm renders it without the repository)', () => {
    const relative = paragraphs(readme)
      .flatMap(links)
      .filter((link) => !/^(https?:|mailto:|#)/.test(link));
    expect(relative).toEqual([]);
  });

  it('links to this repository only at paths and headings that exist', () => {
    const problems = paragraphs(readme)
      .flatMap(links)
      .map(githubTarget)
      .flatMap((target) => (target?.problem ? [target.problem] : []));
    expect(problems).toEqual([]);
  });

  it('links every file it names that the tarball does not ship, or its folder, in the same paragraph', () => {
    const unlinked: string[] = [];
    for (const block of paragraphs(readme)) {
      const linked = links(block).flatMap((link) => githubTarget(link)?.repoPath ?? []);
      for (const [, named] of block.matchAll(/`([^`\s]+)`/g)) {
        if (!named || !UNSHIPPED.test(named)) continue;
        const repoPath = named.startsWith('tools/') ? named : path.posix.join(packagePath, named);
        if (!linked.some((target) => repoPath.replace(/\/$/, '') === target || repoPath.startsWith(`${target}/`))) {
          unlinked.push(`${named} in: ${block.trim().split('\n')[0]}`);
        }
      }
    }
    expect(unlinked).toEqual([]);
  });

  it('promises the Node.js version its engines field says', () => {
    const floor = engineFloor(pkg.dir);
    const promised = [...readme.matchAll(/Node(?:\.js)? (\d+\.\d+)(?:\+| or later)/g)].map((match) => match[1]);
    expect(promised.length).toBeGreaterThan(0);
    expect(new Set(promised)).toEqual(new Set([floor]));
  });
});

describe('the root README', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const definitions = definitionsOf(readme);

  it('links only to files that exist (relative links are fine: it is read on GitHub)', () => {
    const missing = paragraphs(readme)
      .flatMap((block) => linksIn(block, definitions))
      .filter((link) => !/^(https?:|mailto:|#)/.test(link))
      .map((link) => link.replace(/#.*$/, ''))
      .filter((link) => !existsSync(path.join(repoRoot, link)));
    expect(missing).toEqual([]);
  });

  it('promises the Node.js version of the engines field', () => {
    const floor = engineFloor(repoRoot);
    expect(readme).toContain(`engines: { node: ">=${floor}" }`);
    const promised = [...readme.matchAll(/Node(?:\.js)? (\d+\.\d+)(?:\+| or later)/g)].map((match) => match[1]);
    for (const version of promised) expect(version).toBe(floor);
  });
});

describe('the root README, run as written', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const [first = ''] = [...readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((match) => match[1] as string);
  const commands = first
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean);

  // Not run here: `npm ci` (it would reinstall node_modules under the running tests), `npm run
  // build` (npm test has built every package before this project's tests) and `npm test` (this
  // run; .ci/run runs it on a clean clone). The release commands run in release.spec.ts.
  it("its first block: install, build, show this repository's Governor; then every test", () => {
    expect(commands).toEqual(['npm ci && npm run build && npm run booty -- governor status', 'npm test']);
  });

  it("npm run booty -- governor status shows this repository's Governor with the freshly built booty", async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'booty-readme-home-'));
    try {
      const line = commands[0]?.split(' && ').at(-1) ?? '';
      expect(line).toBe('npm run booty -- governor status');
      const result = await run('bash', ['-c', line], { cwd: repoRoot, env: childEnv({ HOME: home }) });
      expect(describeRun(result)).toMatch(/^exit 0\n--- stdout ---\n[\s\S]*\nGovernor: enabled\n/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
