#!/usr/bin/env node
// Commit messages in the form `nx release` reads (Conventional Commits), checked for every commit
// since the convention began: the "Verify" workflow runs this, and so does `npm test`
// (tools/e2e/test/release.spec.ts). A commit that does not follow it would be left out of the
// changelog and the version bump without a word, so it fails the check, named, with the fix.
//
//   node tools/deploy/commits.mjs [--since REV] [--to REV] [--repo DIR]
//
// The rule (the root README, "Releasing", says the same):
//   type(scope): summary            first line, at most 100 characters, then a blank line
//   type   feat | fix | perf | refactor | docs | test | build | ci | chore
//   scope  a package (config, release-state, governor, cli), a tools/ directory (e2e, bench,
//          deploy, registry) or repo; several are separated by commas: fix(config,cli): ...
//   type(scope)!: summary + a `BREAKING CHANGE: ...` footer, both or neither, for a breaking change
// Also accepted: git's own `Revert "..."` commits and nx release's `chore(release): v<version>`.
// Merge commits are not checked: their parents are.
//
// Exit status: 0 every commit follows the rule; 1 some do not (each is listed); 2 the history
// cannot be checked (not a repository, a shallow clone, an unknown revision).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { annotateError } from './github-actions.mjs';

const ownRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The last commit before the convention: it and its ancestors are the 0.1.0 work, which each
 * package's CHANGELOG.md describes in its 0.1.0 entry (nx release reads nothing from them).
 */
export const CONVENTION_SINCE = '262cda12c9034b2d3e85afd62e208874cb02a12f';

/**
 * Commits that reached main without following the rule and cannot be reworded there: full SHA ->
 * what the commit changed, in words (nx release leaves them out of the changelog). Empty so far.
 */
export const ACCEPTED = {};

export const TYPES = ['feat', 'fix', 'perf', 'refactor', 'docs', 'test', 'build', 'ci', 'chore'];
const MAX_HEADER = 100;
const EXAMPLE = 'fix(cli): exit 2 on an empty --workspace';

/** Scopes: the packages' short names, the tools/ directories, and repo (for the whole repository). */
export function scopes(root = ownRoot) {
  const dirs = (parent) => {
    const dir = join(root, parent);
    return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()) : [];
  };
  const packages = dirs('packages')
    .map((entry) => join(root, 'packages', entry.name, 'package.json'))
    .filter((manifest) => existsSync(manifest))
    .map((manifest) => JSON.parse(readFileSync(manifest, 'utf8')).name.replace(/^@[^/]+\//, ''));
  const tools = dirs('tools').map((entry) => entry.name);
  return [...new Set([...packages, ...tools, 'repo'])];
}

/** nx release's own commit (nx.json release.git.commitMessage, `chore(release): v{version}`) as a pattern. */
function releaseCommitPattern(root = ownRoot) {
  const release = JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')).release;
  const template = release?.git?.commitMessage ?? 'chore(release): publish {version}';
  const [before, after = ''] = template.split('{version}');
  const literal = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${literal(before)}\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?${literal(after)}$`);
}

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** What is wrong with one commit message, or null when it follows the rule. */
export function messageProblem(message, rules = { scopes: scopes(), release: releaseCommitPattern() }) {
  const lines = message.replace(/\r\n?/g, '\n').split('\n');
  const header = lines[0] ?? '';
  if (rules.release.test(header)) return null;
  if (/^Revert ".+"$/.test(header) && /^This reverts commit [0-9a-f]{40}\.?$/m.test(message)) return null;
  if (/^(fixup|squash|amend)! /.test(header)) {
    return (
      'it is a fixup commit: squash it into the commit it fixes before it reaches main ' +
      '(git rebase -i --autosquash)'
    );
  }
  const match = /^(?<type>[^\s():!]+)(?:\((?<scope>[^()]*)\))?(?<bang>!)?: (?<summary>.*)$/.exec(header);
  if (!match?.groups) return `the first line must be \`type(scope): summary\`, e.g. \`${EXAMPLE}\``;
  const { type, scope, bang, summary } = match.groups;
  if (!TYPES.includes(type)) return `type "${type}" is not one of ${TYPES.join(', ')}`;
  if (scope === undefined) {
    return `it has no scope: \`${type}(<scope>): ...\` with a scope from ${rules.scopes.join(', ')}`;
  }
  const unknown = scope
    .split(',')
    .map((part) => part.trim())
    .filter((part) => !rules.scopes.includes(part));
  if (unknown.length > 0) return `scope "${unknown.join('", "')}" is not one of ${rules.scopes.join(', ')}`;
  if (summary.trim() === '') return 'the summary after `: ` is empty';
  if (UNSAFE.test(header)) return 'the first line has control or bidirectional-text characters: write it in plain text';
  if (header.length > MAX_HEADER) {
    return `the first line is ${header.length} characters; keep it to ${MAX_HEADER} (say more in the body)`;
  }
  if (lines.length > 1 && lines[1].trim() !== '') {
    return 'the second line must be blank (git would join it to the first line)';
  }
  const footer = /^BREAKING[ -]CHANGE: \S/m.test(lines.slice(1).join('\n'));
  if (bang && !footer) {
    return '`!` marks a breaking change: add a `BREAKING CHANGE: <what breaks and what to do>` footer';
  }
  if (!bang && footer) {
    return `a \`BREAKING CHANGE:\` footer needs \`!\` in the first line too: \`${type}(${scope})!: ...\``;
  }
  return null;
}

class CheckError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CheckError';
  }
}

function git(repo, args) {
  const result = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error) {
    throw new CheckError(`cannot run git (${result.error.message}). Fix: install git and put it on PATH.`);
  }
  return result;
}

/** A message quoted for a log line: control and bidirectional-text characters as \uXXXX (none can move the cursor). */
function quoted(text) {
  const json = JSON.stringify(text.length > 120 ? `${text.slice(0, 117)}...` : text);
  const unsafe = new RegExp(UNSAFE.source, 'g');
  return json.replace(unsafe, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Checks since..to; returns the number of commits checked and the problems found. */
export function checkHistory({ repo, since, to }) {
  if (git(repo, ['rev-parse', '--is-inside-work-tree']).status !== 0) {
    throw new CheckError(`${repo} is not a git work tree. Fix: run this in a clone of the repository.`);
  }
  const sinceCommit = git(repo, ['rev-parse', '--verify', '--quiet', `${since}^{commit}`]).stdout.trim();
  if (!sinceCommit) {
    const shallow = git(repo, ['rev-parse', '--is-shallow-repository']).stdout.trim() === 'true';
    throw new CheckError(
      shallow
        ? `${since} is not in this shallow clone, so the commits since it cannot be checked. ` +
            'Fix: fetch the whole history (git fetch --unshallow; in a workflow, actions/checkout with fetch-depth: 0).'
        : `${since} names no commit of ${repo}. Fix: pass --since with a commit of this repository.`,
    );
  }
  const toCommit = git(repo, ['rev-parse', '--verify', '--quiet', `${to}^{commit}`]).stdout.trim();
  if (!toCommit) {
    throw new CheckError(`${to} names no commit of ${repo}. Fix: pass --to with a commit of this repository.`);
  }
  if (git(repo, ['merge-base', '--is-ancestor', sinceCommit, toCommit]).status !== 0) {
    throw new CheckError(
      `${sinceCommit.slice(0, 12)} (where the convention begins) is not in the history of ${to}: ` +
        'the history was rewritten, or this is another repository. Fix: check out a branch of this repository.',
    );
  }
  const log = git(repo, ['log', '--no-merges', '--format=%H%x1f%B%x1e', `${sinceCommit}..${toCommit}`]);
  if (log.status !== 0) throw new CheckError(`git log failed: ${log.stderr.trim()}`);
  const commits = log.stdout
    .split('\x1e')
    .map((record) => record.replace(/^\n/, ''))
    .filter(Boolean)
    .map((record) => {
      const [sha = '', message = ''] = record.split('\x1f');
      return { sha, message: message.replace(/\n+$/, '') };
    });
  const rules = { scopes: scopes(), release: releaseCommitPattern() };
  const problems = [];
  for (const { sha, message } of commits) {
    if (Object.hasOwn(ACCEPTED, sha)) continue;
    const problem = messageProblem(message, rules);
    if (problem) problems.push({ sha, header: message.split('\n')[0] ?? '', problem });
  }
  return { since: sinceCommit, head: toCommit, checked: commits.length, problems };
}

function report({ since, head, checked, problems }) {
  const short = (sha) => sha.slice(0, 12);
  if (problems.length === 0) {
    const line = `${checked} commits since ${short(since)} follow the convention (type(scope): summary)`;
    process.stdout.write(`commit messages: ${line}\n`);
    return 0;
  }
  const oldest = problems[problems.length - 1];
  const headOnly = problems.length === 1 && oldest.sha === head;
  const lines = [
    `${problems.length} of ${checked} commits since ${short(since)} do not follow the commit convention that ` +
      'nx release reads (they would be left out of the changelog and the version bump):',
    ...problems.map(({ sha, header, problem }) => `  ${short(sha)} ${quoted(header)}: ${problem}.`),
    `The form: \`type(scope): summary\` (e.g. \`${EXAMPLE}\`), types ${TYPES.join(', ')}; ` +
      `scopes ${scopes().join(', ')}; a breaking change adds \`!\` before the colon and a \`BREAKING CHANGE:\` ` +
      'footer. See README.md, "Releasing".',
    'Nothing was changed. Fix: ' +
      (headOnly
        ? 'reword the last commit with git commit --amend'
        : `reword them before they reach main: git rebase -i ${short(oldest.sha)}~1, ` +
          'mark each listed commit "reword"') +
      ', then git push --force-with-lease. A commit already on main cannot be reworded: add its SHA to ACCEPTED in ' +
      'tools/deploy/commits.mjs with what it changed.',
  ];
  for (const { sha, header, problem } of problems) {
    annotateError(`Commit message ${short(sha)}`, `${quoted(header)}: ${problem}.`);
  }
  process.stderr.write(`commit messages: ${lines.join('\n')}\n`);
  return 1;
}

function main(argv) {
  let values;
  try {
    const options = { since: { type: 'string' }, to: { type: 'string' }, repo: { type: 'string' } };
    ({ values } = parseArgs({ args: argv, options }));
  } catch (error) {
    const usage = 'node tools/deploy/commits.mjs [--since REV] [--to REV] [--repo DIR]';
    throw new CheckError(`${error.message}. Usage: ${usage}`);
  }
  const repo = resolve(values.repo ?? ownRoot);
  return report(checkHistory({ repo, since: values.since ?? CONVENTION_SINCE, to: values.to ?? 'HEAD' }));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CheckError)) throw error;
    annotateError('Commit messages not checked', error.message);
    process.stderr.write(`commit messages: ${error.message}\n`);
    process.exitCode = 2;
  }
}
