import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';

// The built package (dist/) in fresh Node processes: what a consumer gets.

const worker = path.join(__dirname, 'fixtures', 'load.cjs');
const dist = path.join(__dirname, '..', 'dist', 'index.js');
const workspaceRoot = path.join(__dirname, '..', '..', '..');

// A guard so that a regression shows up as a failed test instead of a stuck run; no test
// depends on how fast anything is.
const GUARD_MS = 120_000;

interface Outcome {
  ok?: boolean;
  code?: string;
  name?: string;
  state?: string;
  path?: string | null;
  issues?: { message: string; line: number | null }[];
  modules?: { yaml: boolean; ajv: boolean; validators: boolean };
  polluted?: boolean;
}

function run(
  args: string[],
  options: SpawnSyncOptions = {},
): { status: number | null; signal: NodeJS.Signals | null; outcome: Outcome; stderr: string } {
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: GUARD_MS, ...options });
  const stdout = String(result.stdout ?? '');
  const line = stdout.trim().split('\n').pop() ?? '';
  let outcome: Outcome;
  try {
    outcome = JSON.parse(line) as Outcome;
  } catch {
    outcome = {};
  }
  return { status: result.status, signal: result.signal, outcome, stderr: String(result.stderr ?? '') };
}

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'booty-config-proc-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/**
 * A copy of the worker that any user can run: the worker beside a one-file bundle of dist/ (yaml
 * and the generated validators inlined) under a 0755 directory in `parent`, laid out as the worker expects.
 */
async function workerForAnyone(parent: string): Promise<string> {
  const root = path.join(parent, 'anyone');
  await fs.mkdir(path.join(root, 'test', 'fixtures'), { recursive: true, mode: 0o755 });
  const copy = path.join(root, 'test', 'fixtures', 'load.cjs');
  await fs.copyFile(worker, copy);
  await build({
    entryPoints: [dist],
    outfile: path.join(root, 'dist', 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent',
  });
  for (const entry of [root, path.join(root, 'test'), path.join(root, 'test', 'fixtures'), path.join(root, 'dist')])
    await fs.chmod(entry, 0o755);
  await fs.chmod(copy, 0o644);
  await fs.chmod(path.join(root, 'dist', 'index.js'), 0o644);
  return copy;
}

async function workspaceWith(content: string | Buffer): Promise<string> {
  await fs.writeFile(path.join(dir, '.booty.yml'), content);
  return dir;
}

describe('loading the package', () => {
  it('does not load yaml or ajv at import time', () => {
    const { status, outcome } = run([worker, 'import-only']);
    expect(status).toBe(0);
    expect(outcome.modules).toEqual({ yaml: false, ajv: false, validators: false });
  });

  it('does not load yaml or ajv for a workspace without .booty.yml', () => {
    const { outcome } = run([worker, 'load', dir]);
    const modules = { yaml: false, ajv: false, validators: false };
    expect(outcome).toMatchObject({ ok: true, path: null, state: 'no-config', modules });
  });

  it('loads yaml on the first real file, and no ajv at all: the generated validators need none', async () => {
    const { outcome } = run([
      worker,
      'load',
      await workspaceWith('schema_version: 1\ntest_command: x\nrelease_governor:\n  enabled: true\n'),
    ]);
    const modules = { yaml: true, ajv: false, validators: true };
    expect(outcome).toMatchObject({ ok: true, state: 'enabled', modules });
  });

  it('is installable without ajv: it is only a development dependency', () => {
    const text = readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8');
    const manifest = JSON.parse(text) as Record<string, Record<string, string>>;
    expect(Object.keys(manifest['dependencies'] ?? {})).toEqual(['yaml']);
    expect(Object.keys(manifest['devDependencies'] ?? {})).toContain('ajv');
  });

  it('works from CommonJS require and from an ES module import, with named exports', () => {
    const cjs = run([
      '-e',
      `const m = require(${JSON.stringify(dist)}); console.log(JSON.stringify(Object.keys(m).sort()))`,
    ]);
    const esm = run([
      '--input-type=module',
      '-e',
      `import * as m from ${JSON.stringify(`file://${dist}`)}; ` +
        "console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort()))",
    ]);
    const expected = [
      'ConfigError',
      'OTHER_CONFIG_NAMES',
      'bootyConfigSchema',
      'commandControlCharacter',
      'configEnvVariables',
      'escapeText',
      'excerpt',
      'explainBootyConfig',
      'explainLoadedConfig',
      'hasUnsafeText',
      'isConfigError',
      'loadBootyConfig',
      'loadServiceConfig',
      'parseBootyConfig',
      'parseServiceConfig',
      'releaseGovernorEnvVariables',
      'resolveReleaseGovernor',
    ];
    expect(cjs.outcome).toEqual(expected);
    expect(esm.outcome).toEqual(expected);
  });

  it('exports the schema file as @booty/config/schema.json', () => {
    const { status, outcome } = run(['-e', "console.log(JSON.stringify(require('@booty/config/schema.json').$id))"], {
      cwd: workspaceRoot,
    });
    expect(status).toBe(0);
    expect(outcome).toBe('https://unpkg.com/@booty/config/schema.json');
  });
});

describe('hostile files, each in a fresh process with the default heap', () => {
  it('a megabyte of `{` ends in a ConfigError, not a crash', async () => {
    const { status, signal, outcome } = run([worker, 'load', await workspaceWith('{'.repeat(1024 * 1024))]);
    expect({ status, signal }).toEqual({ status: 0, signal: null });
    expect(outcome).toMatchObject({ ok: false, name: 'ConfigError' });
    expect(['CONFIG_YAML', 'CONFIG_TOO_LARGE']).toContain(outcome.code);
  });

  it('an alias bomb ends in CONFIG_YAML', async () => {
    const lines = ['test_command: x', 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 12; i++)
      lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`);
    const { status, outcome } = run([worker, 'load', await workspaceWith(`${lines.join('\n')}\n`)]);
    expect(status).toBe(0);
    expect(outcome).toMatchObject({ ok: false, code: 'CONFIG_YAML' });
  });

  it('__proto__ keys pollute nothing in the process', async () => {
    const { outcome } = run([
      worker,
      'load',
      await workspaceWith('test_command: x\n__proto__: {polluted: true}\nconstructor: {prototype: {polluted: true}}\n'),
    ]);
    expect(outcome).toMatchObject({ ok: true, polluted: false });
  });

  it('a FIFO named .booty.yml is refused without blocking', async () => {
    const fifo = path.join(dir, '.booty.yml');
    const made = spawnSync('mkfifo', [fifo]);
    expect(made.status).toBe(0);
    const { status, outcome } = run([worker, 'load', dir]);
    expect(status).toBe(0);
    expect(outcome).toMatchObject({ ok: false, code: 'CONFIG_READ' });
    expect(outcome.issues?.[0]?.message).toContain('not a regular file');
  });

  it('an unreadable file is CONFIG_READ with the path and the fix', async () => {
    const file = path.join(await workspaceWith('test_command: x\n'), '.booty.yml');
    await fs.chmod(file, 0o000);
    await fs.chmod(dir, 0o755);
    // root reads anything, so run the loader as an unprivileged user when the tests run as root;
    // that user may not be able to enter the clone (a 0700 parent), so it runs a readable copy.
    const asRoot = process.getuid?.() === 0;
    const asUser = asRoot ? { uid: 65534, gid: 65534 } : {};
    const { status, outcome } = run([asRoot ? await workerForAnyone(dir) : worker, 'load', dir], asUser);
    expect(status).toBe(0);
    expect(outcome).toMatchObject({ ok: false, code: 'CONFIG_READ' });
    expect(outcome.issues?.[0]?.message).toBe(
      'cannot be read: permission denied; make the file readable by this user (`chmod a+r .booty.yml`)',
    );
  });
});
