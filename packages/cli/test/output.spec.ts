// The exit status is true about the output: a reader that went away (EPIPE) changes nothing, any
// other write error (/dev/full, a full disk) exits 1 and says so. And progress: a long read of
// the ledger shows how far it got on a terminal, never in a pipe or a file.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { bootyCommand, bootyInTerminal, cleanEnv, shell, tempDir, workspace } from './booty';
import { storeOfSize } from './state-fixture';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
/** A namespace where this test may mount a tiny tmpfs: as root a mount namespace; otherwise a user namespace too. */
const UNSHARE = isRoot ? ['unshare', '-m', '--propagation', 'private'] : ['unshare', '-r', '-m'];
const canMountTmpfs =
  spawnSync(
    UNSHARE[0] as string,
    [
      ...UNSHARE.slice(1),
      'sh',
      '-c',
      'd=$(mktemp -d) && mount -t tmpfs -o size=8k tmpfs "$d" && umount "$d"; s=$?; rmdir "$d"; exit $s',
    ],
    { stdio: 'ignore' },
  ).status === 0;

describe('output that cannot be written', () => {
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await storeOfSize(400, 'out');
  });
  /** The store's 400 claims as JSON (about 80 KB). */
  const listing = () => bootyCommand(['state', 'claims', '--json', '--limit', '400', '--state-dir', stateDir]);

  test('stdout to /dev/full exits 1 and names the failure on stderr (it used to exit 0)', async () => {
    for (const args of [['state', 'claims', '--json', '--limit', '400'], ['state', 'check'], ['--version']]) {
      const result = await shell(
        `${bootyCommand([...args, ...(args[0] === 'state' ? ['--state-dir', stateDir] : [])])} > /dev/full`,
      );
      expect({ args, status: result.status }).toEqual({ args, status: 1 });
      expect(result.stderr).toContain(
        'booty: could not write to stdout: no space left on the device (ENOSPC); the output is incomplete',
      );
    }
  });

  test('a reader that goes away early is not a failure: the command still exits with its own status', async () => {
    const result = await shell(`${listing()} | head -c 10 > /dev/null; echo "status $\{PIPESTATUS[0]}"`);
    expect(result.stdout).toBe('status 0\n');
    expect(result.stderr).toBe('');
  });

  const onFullDisk = 'on a full disk the JSON is cut, and the exit status says so (a short write is not success)';
  const withTmpfs = canMountTmpfs
    ? test
    : (name: string) =>
        test(`NOT RUN: ${name}`, () =>
          void process.stderr.write(`\n*** NOT RUN: ${name}: no unshare to mount a tmpfs ***\n`));
  withTmpfs(onFullDisk, async () => {
    const dir = tempDir();
    const out = path.join(dir, 'claims.json');
    // An 8 KiB file system holds the first part of the 80 KB listing and no more.
    const script = `mount -t tmpfs -o size=8k tmpfs ${dir} && ${listing()} > ${out}; echo "status $?"; wc -c < ${out}`;
    const result = await shell(`${UNSHARE.join(' ')} sh -c '${script}'`, { timeoutMs: 30_000 });
    const [status, size] = result.stdout.trim().split('\n');
    expect(status).toBe('status 1');
    expect(Number(size)).toBeLessThan(10_000);
    expect(result.stderr).toContain('could not write to stdout: no space left on the device (ENOSPC)');
  });
});

describe('progress of a long read', () => {
  let stateDir: string;
  let ws: string;
  beforeAll(async () => {
    stateDir = await storeOfSize(3000, 'progress');
    ws = workspace({ '.booty.yml': 'schema_version: 1\ntest_command: npm test\nrelease_governor:\n  enabled: true\n' });
  });
  // Shown from the start here (BOOTY_PROGRESS_AFTER_MS=0), as it is after a second of a large ledger.
  const env = () => cleanEnv({ BOOTY_PROGRESS_AFTER_MS: '0', TERM: 'xterm-256color' });

  test.each([
    [['state', 'check'], 'the store'],
    [['state', 'claims'], 'the ledger'],
    [['governor', 'status'], 'the ledger'],
  ])('booty %j on a terminal shows how far it read, then erases the line', async (args, what) => {
    const result = await bootyInTerminal(
      [...args, '--state-dir', '{state}', '--workspace', '{ws}'].map((arg) =>
        arg.replace('{state}', stateDir).replace('{ws}', ws),
      ),
      { env: env() },
    );
    expect(result.stdout).toMatch(new RegExp(`\\rbooty: reading ${what}: [\\d,]+ of 3,000 entries \\(\\d+ s\\)`));
    // Erased: spaces over the line, then the cursor back at its start, before the result.
    expect(result.stdout).toMatch(/\r +\r/);
  });

  test('never in a pipe or a file: stderr carries nothing but what the command says', async () => {
    for (const args of [
      ['state', 'check'],
      ['state', 'claims'],
      ['governor', 'status', '--workspace', ws],
    ]) {
      const result = await shell(`${bootyCommand([...args, '--state-dir', stateDir])} 2>&1 >/dev/null | cat`, {
        env: env(),
      });
      expect({ args, stdout: result.stdout }).toEqual({ args, stdout: '' });
    }
    expect(readFileSync(path.join(stateDir, 'release.json'), 'utf8')).toContain('format_version');
  });
});
