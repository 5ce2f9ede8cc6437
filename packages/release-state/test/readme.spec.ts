// The README's examples, run as written (ES modules, from inside the repository so that
// `@booty/release-state` resolves as an installed package does), and its file formats compared
// with the files the store writes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { openReleaseStore, redactUrl } from '../src';
import { describeWithPg } from './support/pg-server';
import { usePostgres } from './support/use-postgres';

const packageDir = path.resolve(__dirname, '..');
const repoRoot = path.resolve(packageDir, '..', '..');
const readme = readFileSync(path.join(packageDir, 'README.md'), 'utf8');

/** The fenced blocks of one language, in order. */
const blocks = (language: string) =>
  [...readme.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((match) => match[1] as string);
const [claimExample, postgresExample] = blocks('js');

let scratch: string;
const created: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  created.push(dir);
  return dir;
};

beforeAll(() => {
  mkdirSync(path.join(repoRoot, 'tmp'), { recursive: true });
  scratch = mkdtempSync(path.join(repoRoot, 'tmp', 'release-state-readme-'));
  created.push(scratch);
});

afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

function runExample(code: string, env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const script = path.join(scratch, `example-${created.length}.mjs`);
  writeFileSync(script, code);
  const result = spawnSync(process.execPath, [script], {
    cwd: temp('booty-readme-cwd-'),
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the README', () => {
  it('example: run twice, the first run prints true (it won the claim), the second false', () => {
    const said = 'Run it twice: the first run prints `true` (this process won the claim), the second `false`.';
    expect(readme).toContain(said);
    const home = temp('booty-readme-home-');
    const first = runExample(claimExample ?? '', { HOME: home });
    const second = runExample(claimExample ?? '', { HOME: home });
    expect([first.status, first.stderr, second.status, second.stderr]).toEqual([0, '', 0, '']);
    expect(first.stdout).toMatch(/^true \{/);
    expect(second.stdout).toMatch(/^false \{/);
    // The state the winner wrote, read back by both.
    for (const { stdout } of [first, second]) {
      expect(stdout).toContain(`last_deploy_attempt_sha: '${'a'.repeat(40)}'`);
      expect(stdout).toContain("last_deploy_result: 'pending'");
    }
    expect(readdirSync(path.join(home, '.booty', 'state')).sort()).toEqual(['deliveries', 'release.json']);
  });

  it('release.json, as the README shows it, is what a new store writes', async () => {
    const stateDir = path.join(temp('booty-readme-state-'), 'state');
    const store = await openReleaseStore({ stateDir });
    await store.close();
    const shown = blocks('json').find((block) => block.includes('"production_sha_current"'));
    expect(readFileSync(path.join(stateDir, 'release.json'), 'utf8')).toBe(shown);
  });

  it('a ledger entry, as the README shows it, has the fields of a real one in their order', async () => {
    const stateDir = path.join(temp('booty-readme-state-'), 'state');
    const store = await openReleaseStore({ stateDir });
    const deliveryId = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
    await store.deliveries.claim({ repo: 'octo-org/app', headSha: 'a'.repeat(40), deliveryId });
    await store.close();
    const entries = readdirSync(path.join(stateDir, 'deliveries'));
    const [file] = entries.filter((name) => name.endsWith('.json') && !name.startsWith('.'));
    const real = JSON.parse(readFileSync(path.join(stateDir, 'deliveries', file ?? ''), 'utf8'));
    const shown = JSON.parse(blocks('json').find((block) => block.includes('"deliveryId"')) ?? '{}');
    expect(Object.keys(shown)).toEqual(Object.keys(real));
    const fixed = { format_version: real.format_version, attempt: 1, leaseExpiresAt: null, completedAt: null };
    expect(shown).toMatchObject(fixed);
    expect(`deliveries/${file}`).toBe('deliveries/octo-org%2Fapp%3Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json');
  });
});

describeWithPg('the README on PostgreSQL', () => {
  const pg = usePostgres();

  it('example: the store the variable names, and its location without the password', () => {
    const url = pg.server.url();
    expect(postgresExample).toContain('openReleaseStore(resolveStoreLocation())');
    const env = { HOME: temp('booty-readme-home-'), RELEASE_GOVERNOR_STORE_URL: url };
    const result = runExample(postgresExample ?? '', env);
    expect(result).toEqual({ status: 0, stdout: `postgres ${redactUrl(url)}\n`, stderr: '' });
    expect(result.stdout).not.toContain(new URL(url).password);
  });
});
