// tools/deploy/commits.mjs: every commit since the convention began follows the form nx release
// reads. Run against this repository's own history (so `npm test` keeps it), and against scratch
// repositories for each way a message can be wrong.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { git } from './support/git-fixture';
import { childEnv, describeRun, repoRoot, run } from './support/run';

jest.setTimeout(60_000);

const script = path.join(repoRoot, 'tools', 'deploy', 'commits.mjs');
const cleanup: string[] = [];

afterAll(async () => {
  await Promise.all(cleanup.map((dir) => rm(dir, { recursive: true, force: true })));
});

function check(repo: string, extraEnv: Record<string, string> = {}, ...args: string[]) {
  return run(process.execPath, [script, '--repo', repo, ...args], { cwd: repo, env: childEnv(extraEnv) });
}

let commits = 0;

/** Commits `message` verbatim (no git clean-up of blank lines), adding a file of its own. */
async function commit(repo: string, message: string): Promise<string> {
  commits += 1;
  await writeFile(path.join(repo, `change-${commits}.txt`), `${message}\n`);
  const messageFile = path.join(repo, '..', `${path.basename(repo)}.msg`);
  await writeFile(messageFile, message);
  await git(repo, 'add', '.');
  await git(repo, 'commit', '--quiet', '--cleanup=verbatim', '-F', messageFile);
  await rm(messageFile);
  return git(repo, 'rev-parse', 'HEAD');
}

/** A repository whose first commit, like this one's early history, does not follow the convention. */
async function scratch(): Promise<{ repo: string; base: string }> {
  const repo = await mkdtemp(path.join(tmpdir(), 'booty-commits-'));
  cleanup.push(repo);
  await git(repo, 'init', '--quiet', '--initial-branch=main');
  const base = await commit(repo, 'Initial import, before the convention');
  return { repo, base };
}

describe('commit messages', () => {
  it("this repository's history since the convention began follows it", async () => {
    const result = await run(process.execPath, [script], { env: childEnv() });
    expect(describeRun(result)).toMatch(/^exit 0\n/);
    expect(result.stdout).toMatch(/^commit messages: \d+ commits since [0-9a-f]{12} follow the convention/);
  });

  it('accepts scopes, several scopes, a breaking change, a release commit, a revert; skips merges', async () => {
    const { repo, base } = await scratch();
    await commit(repo, 'feat(config): read every service block\n\nWhy, in plain words.\n');
    await commit(repo, 'fix(config,cli): one message for an empty path');
    await commit(repo, 'feat(release-state)!: drop the v0 ledger\n\nBREAKING CHANGE: run booty state copy first.\n');
    const reverted = await commit(repo, 'perf(governor): skip the second read');
    await commit(repo, `Revert "perf(governor): skip the second read"\n\nThis reverts commit ${reverted}.\n`);
    await git(repo, 'checkout', '--quiet', '-b', 'side');
    await commit(repo, 'docs(repo): the releasing section');
    await git(repo, 'checkout', '--quiet', 'main');
    await commit(repo, 'ci(deploy): trusted publishing');
    await git(repo, 'merge', '--quiet', '--no-ff', '-m', "Merge branch 'side'", 'side');
    await commit(repo, 'chore(release): v0.2.0');
    const result = await check(repo, {}, '--since', base);
    expect(describeRun(result)).toMatch(/^exit 0\n/);
    expect(result.stdout).toContain(`commit messages: 8 commits since ${base.slice(0, 12)} follow the convention`);
  });

  it.each([
    ['Fix the thing', 'the first line must be `type(scope): summary`'],
    ['feature(config): read it', 'type "feature" is not one of feat, fix, perf'],
    ['feat: read it', 'it has no scope'],
    ['feat(core): read it', 'scope "core" is not one of cli, config, governor, release-state'],
    ['fix(config, nope): two scopes', 'scope "nope" is not one of'],
    ['fixup! feat(config): read it', 'it is a fixup commit'],
    ['feat(config)!: drop v0', '`!` marks a breaking change: add a `BREAKING CHANGE:'],
    [
      'feat(config): drop v0\n\nBREAKING CHANGE: v0 files are refused.',
      'a `BREAKING CHANGE:` footer needs `!` in the first line too: `feat(config)!: ...`',
    ],
    [`fix(cli): ${'x'.repeat(95)}`, 'the first line is 105 characters; keep it to 100'],
    ['fix(cli): exit 2\non an empty path', 'the second line must be blank'],
    ['chore(release): next', 'scope "release" is not one of'],
    ['fix(cli): \u001b[2Jclear screen', 'the first line has control or bidirectional-text characters'],
  ])('refuses %j, naming the commit, what is wrong and the fix (exit 1)', async (message, problem) => {
    const { repo, base } = await scratch();
    await commit(repo, 'feat(config): a good one first');
    const bad = await commit(repo, message);
    const result = await check(repo, {}, '--since', base);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('1 of 2 commits since');
    expect(result.stderr).toContain(`  ${bad.slice(0, 12)} ${JSON.stringify(message.split('\n')[0])}: ${problem}`);
    expect(result.stderr).toContain('Nothing was changed. Fix: reword the last commit with git commit --amend');
    expect(describeRun(result)).not.toContain('    at ');
  });

  it('several bad commits: each is listed, and the fix rewords from the oldest', async () => {
    const { repo, base } = await scratch();
    const first = await commit(repo, 'WIP');
    await commit(repo, 'feat(config): fine');
    const second = await commit(repo, 'more wip');
    const result = await check(repo, {}, '--since', base);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('2 of 3 commits since');
    expect(result.stderr).toContain(`  ${first.slice(0, 12)} "WIP": the first line must be`);
    expect(result.stderr).toContain(`  ${second.slice(0, 12)} "more wip": the first line must be`);
    expect(result.stderr).toContain(`git rebase -i ${first.slice(0, 12)}~1, mark each listed commit "reword"`);
  });

  it('escapes what it quotes, and on GitHub Actions adds an ::error:: annotation per commit', async () => {
    const { repo, base } = await scratch();
    const bad = await commit(repo, 'fix(cli): \u001b[2Jclear screen\u202e');
    const result = await check(repo, { GITHUB_ACTIONS: 'true' }, '--since', base);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^::error title=Commit message ${bad.slice(0, 12)}::`, 'm'));
    expect(result.stderr).not.toContain('\u001b');
    expect(result.stderr).not.toContain('\u202e');
    expect(result.stderr).toContain('\\u001b[2Jclear screen');
  });

  it('a shallow clone cannot be checked: exit 2, saying how to fetch the history', async () => {
    const { repo, base } = await scratch();
    await commit(repo, 'feat(config): one');
    await commit(repo, 'feat(config): two');
    const shallow = await mkdtemp(path.join(tmpdir(), 'booty-commits-shallow-'));
    cleanup.push(shallow);
    await git(tmpdir(), 'clone', '--quiet', '--depth', '1', `file://${repo}`, shallow);
    const result = await check(shallow, {}, '--since', base);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${base} is not in this shallow clone`);
    expect(result.stderr).toContain('fetch-depth: 0');
  });

  it('the convention begins at a commit of this repository, described by the 0.1.0 changelog entries', async () => {
    const since = /CONVENTION_SINCE = '([0-9a-f]{40})'/.exec(readFileSync(script, 'utf8'))?.[1] ?? '';
    expect(await git(repoRoot, 'cat-file', '-t', since)).toBe('commit');
    const packages = ['config', 'release-state', 'governor', 'cli'];
    const changelogs = ['CHANGELOG.md', ...packages.map((name) => `packages/${name}/CHANGELOG.md`)];
    for (const file of changelogs) {
      const text = readFileSync(path.join(repoRoot, file), 'utf8');
      expect({ file, entry: text }).toEqual({ file, entry: expect.stringMatching(/^## 0\.1\.0 \(/m) });
    }
  });
});
