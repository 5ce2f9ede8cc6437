import { spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { releaseGovernorEnvVariables } from '../src/env-overrides';

// The package README is part of the product: its example must run and its tables must match the code.

const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const nodeModules = path.join(__dirname, '..', '..', '..', 'node_modules');

function example(): string {
  const match = /```js\n([\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error('README has no ```js example');
  return match[1];
}

describe('README', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'booty-config-readme-'));
    await fs.writeFile(path.join(dir, 'example.cjs'), example());
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  function runExample(): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, ['example.cjs'], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', NODE_PATH: nodeModules },
      timeout: 60_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('example runs: a valid file', async () => {
    await fs.writeFile(path.join(dir, '.booty.yml'), 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n');
    expect(runExample()).toEqual({ status: 0, stdout: `${path.join(dir, '.booty.yml')}: Governor enabled\n`, stderr: '' });
  });

  it('example runs: no file', () => {
    expect(runExample()).toEqual({ status: 0, stdout: 'no .booty.yml: Governor no-config\n', stderr: '' });
  });

  it('example runs: a file with a typo', async () => {
    await fs.writeFile(path.join(dir, '.booty.yml'), 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabeld: true\n');
    expect(runExample()).toEqual({
      status: 2,
      stdout: '',
      stderr: `${path.join(dir, '.booty.yml')}:4:3  release_governor.enabeld  unknown key \`enabeld\` in release_governor; did you mean \`enabled\`?\n`,
    });
  });

  it('lists every RELEASE_GOVERNOR_* variable with what it accepts', () => {
    for (const { variable, key, accepts } of releaseGovernorEnvVariables) {
      expect(readme).toContain(`| \`${variable}\` | \`${key}\` | ${accepts} |`);
    }
  });

  it('lists every error and warning code', () => {
    for (const code of ['CONFIG_READ', 'CONFIG_TOO_LARGE', 'CONFIG_ENCODING', 'CONFIG_YAML', 'CONFIG_VERSION', 'CONFIG_SCHEMA', 'CONFIG_ENV', 'CONFIG_ENV_UNKNOWN', 'CONFIG_ENV_IGNORED']) {
      expect(readme).toContain(`| \`${code}\` |`);
    }
  });

  it('shows the yaml-language-server comment that uses the shipped schema', () => {
    expect(readme).toContain('# yaml-language-server: $schema=./node_modules/@booty/config/schema.json');
  });
});
