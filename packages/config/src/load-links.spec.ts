import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadBootyConfig, OTHER_CONFIG_NAMES } from './load';

// What a `.booty.yml` symbolic link may lead to (a regular file inside the workspace), and
// what happens when the file is there under another name.

let root: string;
let ws: string;
const VALID = 'schema_version: 1\ntest_command: npm test\n';

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'booty-config-links-'));
  ws = path.join(root, 'ws');
  await fs.mkdir(ws);
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const load = () => loadBootyConfig(ws, { env: {} });

describe('a .booty.yml symbolic link', () => {
  test('to a regular file inside the workspace is followed', async () => {
    await fs.mkdir(path.join(ws, 'config'));
    await fs.writeFile(path.join(ws, 'config', 'booty.yml'), VALID);
    await fs.symlink('config/booty.yml', path.join(ws, '.booty.yml'));
    expect((await load()).config).toMatchObject({ test_command: 'npm test' });
  });

  test('to a secret outside the workspace is refused without reading it', async () => {
    const secret = path.join(root, '.npmrc');
    await fs.writeFile(secret, '//registry.npmjs.org/:_authToken=npm_SECRETTOKEN0123\n');
    await fs.symlink(secret, path.join(ws, '.booty.yml'));
    const error = await load().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_READ' });
    const text = `${(error as Error).message} ${JSON.stringify(error)}`;
    expect(text).not.toContain('SECRETTOKEN');
    expect(text).toContain('outside the workspace');
    expect(text).toContain('nothing of it was read');
  });

  test('through a linked directory that leads outside is refused', async () => {
    await fs.mkdir(path.join(root, 'elsewhere'));
    await fs.writeFile(path.join(root, 'elsewhere', 'x.yml'), VALID);
    await fs.symlink(path.join(root, 'elsewhere'), path.join(ws, 'dir'));
    await fs.symlink('dir/x.yml', path.join(ws, '.booty.yml'));
    await expect(load()).rejects.toMatchObject({
      code: 'CONFIG_READ',
      message: expect.stringContaining('outside the workspace'),
    });
  });

  test('to /proc/self/environ is refused (outside the workspace)', async () => {
    await fs.symlink('/proc/self/environ', path.join(ws, '.booty.yml'));
    const error = await load().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_READ', message: expect.stringContaining('outside the workspace') });
    expect(JSON.stringify(error)).not.toMatch(/PATH=|HOME=/);
  });

  test('to a device is refused as not a regular file', async () => {
    await fs.symlink('/dev/zero', path.join(ws, '.booty.yml'));
    await expect(load()).rejects.toMatchObject({
      code: 'CONFIG_READ',
      message: expect.stringContaining('not a regular file'),
    });
  });

  test('to the workspace directory itself is refused', async () => {
    await fs.symlink('.', path.join(ws, '.booty.yml'));
    await expect(load()).rejects.toMatchObject({
      code: 'CONFIG_READ',
      message: expect.stringContaining('not a regular file'),
    });
  });

  test('when the workspace path itself goes through a link, a link inside it still works', async () => {
    await fs.writeFile(path.join(ws, 'real.yml'), VALID);
    await fs.symlink('real.yml', path.join(ws, '.booty.yml'));
    await fs.symlink(ws, path.join(root, 'ws-link'));
    expect((await loadBootyConfig(path.join(root, 'ws-link'), { env: {} })).config).toMatchObject({
      schema_version: 1,
    });
  });
});

describe('the file under another name', () => {
  test.each(OTHER_CONFIG_NAMES)('only %s present: an error naming it and the rename, nothing read', async (name) => {
    await fs.writeFile(path.join(ws, name), 'SECRET: do-not-show\n');
    const error = await load().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_READ' });
    const message = (error as Error).message;
    expect(message).toContain(`there is no .booty.yml, but there is ${name}`);
    expect(message).toContain(`git mv ${name} .booty.yml`);
    expect(message).not.toContain('do-not-show');
  });

  test('in another case (.Booty.YML) it is named too', async () => {
    await fs.writeFile(path.join(ws, '.Booty.YML'), 'x: 1\n');
    await expect(load()).rejects.toMatchObject({
      code: 'CONFIG_READ',
      message: expect.stringContaining('but there is .Booty.YML'),
    });
  });

  test('a file that merely starts the same (booty.yml.bak) is not taken for it', async () => {
    await fs.writeFile(path.join(ws, 'booty.yml.bak'), 'x: 1\n');
    expect((await load()).path).toBeNull();
  });

  test('beside a .booty.yml, another name is not an error (.booty.yml is the one read)', async () => {
    await fs.writeFile(path.join(ws, '.booty.yml'), VALID);
    await fs.writeFile(path.join(ws, '.booty.yaml'), 'not: read\n');
    expect((await load()).path).toBe(path.join(ws, '.booty.yml'));
  });
});
