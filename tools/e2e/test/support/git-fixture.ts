// A tiny git repository shaped like this workspace (npm workspaces under packages/), for testing
// the deploy script's refusals without building or publishing the real packages.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { childEnv, describeRun, run } from './run';

export const gitEnv = childEnv({
  GIT_AUTHOR_NAME: 'e2e',
  GIT_AUTHOR_EMAIL: 'e2e@example.invalid',
  GIT_COMMITTER_NAME: 'e2e',
  GIT_COMMITTER_EMAIL: 'e2e@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
});

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await run('git', args, { cwd, env: gitEnv });
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}\n${describeRun(result)}`);
  return result.stdout.trim();
}

/** A repository with one built package, @booty/e2e-fixture@<version>, committed on main. */
export async function fixtureRepo(version = '1.0.0'): Promise<{ root: string; head: string }> {
  const root = await mkdtemp(path.join(tmpdir(), 'booty-deploy-fixture-'));
  const pkg = path.join(root, 'packages', 'fixture');
  await mkdir(path.join(pkg, 'dist'), { recursive: true });
  await writeFile(
    path.join(root, 'package.json'),
    JSON.stringify({ name: 'fixture-root', private: true, workspaces: ['packages/*'] }, null, 2),
  );
  await writeFile(path.join(root, '.gitignore'), 'node_modules/\n');
  await writeFile(
    path.join(pkg, 'package.json'),
    JSON.stringify(
      { name: '@booty/e2e-fixture', version, license: 'MIT', main: './dist/index.js', files: ['dist'] },
      null,
      2,
    ),
  );
  await writeFile(path.join(pkg, 'dist', 'index.js'), 'module.exports = 1;\n');
  await writeFile(path.join(pkg, 'README.md'), '# fixture\n');
  await git(root, 'init', '--quiet', '--initial-branch=main');
  await git(root, 'add', '.');
  await git(root, 'commit', '--quiet', '-m', 'fixture');
  return { root, head: await git(root, 'rev-parse', 'HEAD') };
}
