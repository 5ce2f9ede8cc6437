// The bundle's source map (dist/booty.bundle.js.map, scripts/bundle.mjs): with source maps on, a
// stack trace through the bundle names the module the code came from, not a column of the
// minified file; with them off (every normal run), the bundle runs through the code cache as
// before and the map is never read.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { cleanEnv, runProcess, tempDir } from './booty';

const dist = path.resolve(__dirname, '..', 'dist');
const start = path.join(dist, 'booty.js');

// An error thrown inside the bundle, in clipanion's code: writing the version to a stdout that
// is not a stream.
const THROW_IN_BUNDLE = `require(${JSON.stringify(start)})
  .runCli(['--version'], { stdout: {}, env: {} })
  .catch((error) => { console.log(error.stack); });`;

async function stackWith(nodeArgs: string[], tmp: string): Promise<string> {
  const result = await runProcess(process.execPath, [...nodeArgs, '-e', THROW_IN_BUNDLE], {
    cwd: tempDir('booty-map-cwd-'),
    env: cleanEnv({ TMPDIR: tmp }),
    timeoutMs: 60_000,
  });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  return result.stdout;
}

const cacheFiles = (tmp: string) => {
  const dir = path.join(tmp, `booty-code-cache-${process.getuid?.()}`);
  return existsSync(dir) ? readdirSync(dir) : [];
};

describe('the source map of the bundle', () => {
  it('lies beside each minified file, named by the comment at its end', () => {
    for (const file of ['booty.bundle.js', 'postgres.js']) {
      const code = readFileSync(path.join(dist, file), 'utf8');
      expect(code.trimEnd().split('\n').at(-1)).toBe(`//# sourceMappingURL=${file}.map`);
      const map = JSON.parse(readFileSync(path.join(dist, `${file}.map`), 'utf8'));
      expect(map).toMatchObject({ version: 3, sources: expect.arrayContaining([expect.any(String)]) });
    }
  });

  it('with --enable-source-maps, a stack trace names the original module and line', async () => {
    const tmp = tempDir('booty-map-tmp-');
    const stack = await stackWith(['--enable-source-maps'], tmp);
    expect(stack).toMatch(/^TypeError: .*stdout\.write is not a function$/m);
    expect(stack).toMatch(/node_modules\/clipanion\/lib\/advanced\/Cli\.js:\d+:\d+\)$/m);
    expect(stack).not.toContain('booty.bundle.js');
    // Loaded by require, not through the code cache: nothing written there.
    expect(cacheFiles(tmp)).toEqual([]);
  });

  it('without it, the bundle runs through the code cache as always, and the trace is of the bundle', async () => {
    const tmp = tempDir('booty-map-tmp-');
    const stack = await stackWith([], tmp);
    expect(stack).toMatch(/booty\.bundle\.js:\d+:\d+\)$/m);
    expect(cacheFiles(tmp)).toEqual([expect.stringMatching(/-none(-[0-9a-f]{8})?\.v8cache$/)]);
  });
});
