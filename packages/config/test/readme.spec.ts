import { spawnSync } from 'node:child_process';
import { promises as fs, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SERVICE_BLOCKS, SERVICE_NAMES } from '../src/blocks';
import { configEnvVariables } from '../src/env-overrides';
import { loadBootyConfig } from '../src/load';

// The package README is part of the product: its example must run and its tables must match the code.

const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const nodeModules = path.join(__dirname, '..', '..', '..', 'node_modules');

/** The `index`-th ```js example, as written. */
function example(index: number): string {
  const found = [...readme.matchAll(/```js\n([\s\S]*?)```/g)][index]?.[1];
  if (found === undefined) throw new Error(`README has no js example number ${index + 1}`);
  return found;
}

describe('README', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'booty-config-readme-'));
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  function runExample(index = 0): { status: number | null; stdout: string; stderr: string } {
    writeFileSync(path.join(dir, 'example.cjs'), example(index));
    const result = spawnSync(process.execPath, ['example.cjs'], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', NODE_PATH: nodeModules },
      timeout: 60_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('example runs: a valid file', async () => {
    await fs.writeFile(
      path.join(dir, '.booty.yml'),
      'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n',
    );
    expect(runExample()).toEqual({
      status: 0,
      stdout: `${path.join(dir, '.booty.yml')}: Governor enabled\n`,
      stderr: '',
    });
  });

  it('example runs: no file', () => {
    expect(runExample()).toEqual({ status: 0, stdout: 'no .booty.yml: Governor no-config\n', stderr: '' });
  });

  it('example runs: a file with a typo', async () => {
    await fs.writeFile(
      path.join(dir, '.booty.yml'),
      'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabeld: true\n',
    );
    expect(runExample()).toEqual({
      status: 2,
      stdout: '',
      stderr:
        `${path.join(dir, '.booty.yml')}:4:3  release_governor.enabeld  ` +
        'unknown key `enabeld` in release_governor; did you mean `enabled`?\n',
    });
  });

  it('example runs: prints for a typo what the README shows (its file path aside)', async () => {
    const shown = /For a file with a typo this prints, for example:\n\n```text\n([\s\S]*?)```/.exec(readme)?.[1];
    const lines = ['schema_version: 1', 'test_command: npm test', 'timeout_seconds: 300', '', '# the Governor'];
    await fs.writeFile(path.join(dir, '.booty.yml'), [...lines, 'release_governor:', '  enabeld: true', ''].join('\n'));
    const result = runExample();
    const asShown = { ...result, stderr: result.stderr.replace(dir, '/repo') };
    expect(asShown).toEqual({ status: 2, stdout: '', stderr: shown });
  });

  it('a service reads its own block, and another broken block is a warning', async () => {
    const text =
      'schema_version: 1\ntest_command: npm test\nmemory:\n  retention_days: 30\nsecurity:\n  fail_severity: extreme\n';
    await fs.writeFile(path.join(dir, '.booty.yml'), text);
    const warning =
      'warning: the security block is not valid (1 problem); Memory goes on without it, but Security refuses this ' +
      'file until it is fixed; run `booty config validate` to see every problem';
    expect(readme).toContain(`\`\`\`text\n${warning}\n\`\`\``);
    expect(runExample(1)).toEqual({
      status: 0,
      stdout: 'Memory keeps 30 days (.booty.yml:4:3)\n',
      stderr: `${warning}\n`,
    });
  });

  it('a service reads its own block: off when the file does not write it', async () => {
    await fs.writeFile(path.join(dir, '.booty.yml'), 'schema_version: 1\ntest_command: npm test\n');
    expect(runExample(1)).toEqual({
      status: 0,
      stdout: `Memory is off: ${path.join(dir, '.booty.yml')} has no memory block\n`,
      stderr: '',
    });
  });

  it('a service parses content from the GitHub contents API, as the README says', () => {
    expect(readme).toContain('prints `true critical .booty.yml:4:3`');
    expect(runExample(2)).toEqual({ status: 0, stdout: 'true critical .booty.yml:4:3\n', stderr: '' });
  });

  it('explainBootyConfig prints what the README shows', async () => {
    await fs.writeFile(
      path.join(dir, '.booty.yml'),
      'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n',
    );
    const shown = /prints, for a file with `test_command: npm test`[^\n]*\n\n```text\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(runExample(3)).toEqual({ status: 0, stdout: shown, stderr: '' });
  });

  it('lists every variable with its key and what it accepts', () => {
    for (const { variable, block, key, accepts } of configEnvVariables) {
      expect(readme).toContain(`| \`${variable}\` | \`${block}.${key}\` | ${accepts} |`);
    }
  });

  it('lists every key of every service block with its default and its variable', () => {
    for (const name of SERVICE_NAMES) {
      const section = readme.slice(
        readme.indexOf(`#### \`${name}\`\n`),
        readme.indexOf('\n#', readme.indexOf(`#### \`${name}\`\n`) + 5),
      );
      for (const [key, node] of Object.entries(SERVICE_BLOCKS[name].schema.properties)) {
        const row = section.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
        const variable = configEnvVariables.find((v) => v.block === name && v.key === key)?.variable;
        expect({
          name,
          key,
          row: row?.endsWith(
            `| \`${JSON.stringify(node.default)}\` |${variable === undefined ? ' ' : ` \`${variable}\` `}|`,
          ),
        }).toEqual({ name, key, row: true });
      }
    }
  });

  it('has the table of deliberate differences from the Python loader', () => {
    expect(readme).toContain('| input | Python loader | booty | why |');
    for (const input of [
      '`enabled: on`',
      '`retention_days: "90"`',
      '`schema_version: "1"`, `schema_version: 2`',
      'the same key twice',
      '`MEMORY_RETENTION_DAYS=abc`',
      '`release_governor: {}`',
    ]) {
      expect(readme).toContain(`| ${input}`);
    }
  });

  it('lists every error and warning code', () => {
    const codes = [
      'CONFIG_READ',
      'CONFIG_TOO_LARGE',
      'CONFIG_ENCODING',
      'CONFIG_YAML',
      'CONFIG_VERSION',
      'CONFIG_SCHEMA',
      'CONFIG_ENV',
    ];
    const warnings = [
      'CONFIG_ENV_UNKNOWN',
      'CONFIG_ENV_IGNORED',
      'CONFIG_KEY_UNKNOWN',
      'CONFIG_KEY_IGNORED',
      'CONFIG_BLOCK_INVALID',
    ];
    for (const code of [...codes, ...warnings]) expect(readme).toContain(`| \`${code}\` |`);
  });

  it('shows the yaml-language-server comment that uses the shipped schema', () => {
    expect(readme).toContain('# yaml-language-server: $schema=./node_modules/@booty/config/schema.json');
  });

  it('its .booty.yml example is a valid file, without a warning', async () => {
    const [file] = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] as string);
    await fs.writeFile(path.join(dir, '.booty.yml'), file ?? '');
    const loaded = await loadBootyConfig(dir, { env: {} });
    const seen = { test: loaded.config?.test_command, warnings: loaded.warnings };
    expect(seen).toEqual({ test: 'npm test', warnings: [] });
  });
});
