// What `booty` loads at start: the built-ins only some commands need (scripts/bundle.mjs loads
// them on first use) stay unloaded on the paths that never use them. A structural check, not a
// timing: the figures are in `npm run bench`.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { booty, cleanEnv, expectNoStackTrace, tempDir, workspace } from './booty';

const CONFIG = ['schema_version: 1', 'test_command: npm test', 'release_governor:', '  enabled: true', ''].join('\n');

/** The built-in modules loaded by the end of `booty args...` (process.moduleLoadList). */
async function loadedBy(args: string[]): Promise<string[]> {
  const dir = tempDir('booty-startup-');
  const preload = path.join(dir, 'preload.cjs');
  const out = path.join(dir, 'modules.json');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.moduleLoadList)));\n`,
  );
  const result = await booty(args, { env: cleanEnv({ NODE_OPTIONS: `--require ${preload}` }) });
  expect(result.status).toBe(0);
  expectNoStackTrace(result);
  return (JSON.parse(readFileSync(out, 'utf8')) as string[])
    .filter((entry) => entry.startsWith('NativeModule '))
    .map((entry) => entry.slice('NativeModule '.length));
}

describe('start-up loads only what the command uses', () => {
  const ws = workspace({ '.booty.yml': CONFIG });

  it('governor status (store exists) loads neither crypto nor child_process', async () => {
    const stateDir = path.join(tempDir('booty-state-'), 'state');
    // The first run creates the store; the second is the everyday one.
    await loadedBy(['governor', 'status', '--workspace', ws, '--state-dir', stateDir]);
    const modules = await loadedBy(['governor', 'status', '--workspace', ws, '--state-dir', stateDir]);
    expect(modules.filter((name) => ['crypto', 'child_process'].includes(name))).toEqual([]);
  });

  it('config validate and --version load neither crypto nor child_process', async () => {
    for (const args of [['config', 'validate', '--workspace', ws], ['--version']]) {
      const modules = await loadedBy(args);
      expect({ args, loaded: modules.filter((name) => ['crypto', 'child_process'].includes(name)) }).toEqual({
        args,
        loaded: [],
      });
    }
  });

  it('the stand-ins load the real module when used: verifier run spawns its commands', async () => {
    const verifierWs = workspace({ '.booty.yml': 'schema_version: 1\ntest_command: node -e "process.exit(0)"\n' });
    const modules = await loadedBy(['verifier', 'run', '--workspace', verifierWs]);
    expect(modules).toContain('child_process');
  });
});
