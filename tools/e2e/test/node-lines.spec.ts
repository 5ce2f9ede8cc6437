// The supported Node.js lines, said in four places that must agree: the binaries npm test runs the
// installed packages with (tools/e2e/node-lines/package.json, the source of truth; the runs
// themselves are in registry/each-node-line.spec.ts), `engines` in every package.json, the workflows' matrix and
// the root README's table.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { declaredNodeLines } from './support/node-lines';
import { repoRoot } from './support/run';

const lines = declaredNodeLines();
const manifests = [
  'package.json',
  ...readdirSync(path.join(repoRoot, 'packages'))
    .map((dir) => path.join('packages', dir, 'package.json'))
    .filter((file) => existsSync(path.join(repoRoot, file))),
  path.join('tools', 'registry', 'package.json'),
];

describe('the supported Node.js lines', () => {
  it('are 20, 22, 24 and 26, each pinned to an exact release', () => {
    expect(lines.map((line) => line.major)).toEqual([20, 22, 24, 26]);
    for (const line of lines) expect(line.version).toMatch(new RegExp(`^${line.major}\\.\\d+\\.\\d+$`));
  });

  it('every package.json declares the same engines.node, whose floor is on the oldest line tested and below its pinned release', () => {
    const engines = manifests.map((file) => ({
      file,
      node: JSON.parse(readFileSync(path.join(repoRoot, file), 'utf8')).engines?.node,
    }));
    const [first] = engines;
    for (const entry of engines) expect(entry).toEqual({ file: entry.file, node: first?.node });
    const floor = /^>=(\d+)\.(\d+)$/.exec(String(first?.node));
    expect(floor).not.toBeNull();
    const [major, minor] = [Number(floor?.[1]), Number(floor?.[2])];
    const oldest = lines[0];
    expect(major).toBe(oldest?.major);
    // util.parseEnv (booty --dotenv) arrived in 20.12.
    expect(minor).toBeGreaterThanOrEqual(12);
    expect(Number(oldest?.version.split('.')[1])).toBeGreaterThanOrEqual(minor);
  });

  it('the verification matrix runs on lines from this list', () => {
    const verify = parse(readFileSync(path.join(repoRoot, '.github', 'workflows', 'verify.yml'), 'utf8'));
    const matrix: number[] = verify.jobs.verify.strategy.matrix.node;
    expect(matrix.filter((major) => !lines.some((line) => line.major === major))).toEqual([]);
  });

  it("the root README's table names each line", () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const start = readme.indexOf('## Node.js lines');
    expect(start).toBeGreaterThanOrEqual(0);
    const end = readme.indexOf('\n## ', start + 1);
    const section = readme.slice(start, end < 0 ? undefined : end);
    const rows = [...section.matchAll(/^\| Node (\d+) \|/gm)].map((match) => Number(match[1]));
    expect(rows).toEqual(lines.map((line) => line.major));
  });
});
