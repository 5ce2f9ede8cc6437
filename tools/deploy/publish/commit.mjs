// The commit a deploy publishes: DEPLOY_SHA must name it, HEAD must be it (and on the branch when
// asked), and the work tree must hold nothing else. Apart from the registry and the packages
// because these checks are about git alone, and they run first: a refusal here publishes nothing.
import { DeployError } from './errors.mjs';
import { git } from './commands.mjs';
import { say } from './output.mjs';

/** DEPLOY_SHA must be there, look like a SHA, name a commit, and that commit must be HEAD. */
export function checkCommit(root, requested, requireAncestor) {
  if (!requested) {
    throw new DeployError(
      'DEPLOY_SHA_MISSING',
      'DEPLOY_SHA is not set: the deploy must name the commit it publishes. Nothing was published. ' +
        'Fix: DEPLOY_SHA=$(git rev-parse HEAD) node tools/deploy/publish.mjs',
      { exitCode: 2 },
    );
  }
  const sha = requested.trim().toLowerCase();
  if (!/^[0-9a-f]{7,40}$/.test(sha)) {
    throw new DeployError(
      'DEPLOY_SHA_INVALID',
      `DEPLOY_SHA is "${requested}": expected 7-40 hex characters (a commit SHA or its prefix). ` +
        'Nothing was published.',
      { exitCode: 2, details: { requested } },
    );
  }
  if (git(root, ['rev-parse', '--git-dir']).status !== 0) {
    throw new DeployError(
      'DEPLOY_NOT_A_REPOSITORY',
      `${root} is not a git work tree: a deploy publishes a commit. Fix: run it in a clone (or pass --root).`,
      { exitCode: 2 },
    );
  }
  const resolved = git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${sha}^{commit}`]);
  if (resolved.status !== 0) {
    const why = resolved.stderr.trim();
    throw new DeployError(
      'DEPLOY_SHA_UNKNOWN',
      `DEPLOY_SHA ${sha} does not name exactly one commit in ${root}${why ? ` (git: ${why})` : ''}. ` +
        'Nothing was published. ' +
        'Fix: fetch full history (actions/checkout fetch-depth: 0) or give more characters of the SHA.',
      { details: { requested: sha, root } },
    );
  }
  const full = resolved.stdout.trim();
  const head = git(root, ['rev-parse', 'HEAD']).stdout.trim();
  if (head !== full) {
    throw new DeployError(
      'DEPLOY_SHA_MISMATCH',
      `HEAD of ${root} is ${head}, but DEPLOY_SHA names ${full}: ` +
        'the checkout is not the commit this deploy was asked for. ' +
        `Nothing was published. Fix: git checkout ${full} (or set DEPLOY_SHA to the commit you mean).`,
      { details: { head, deploySha: full } },
    );
  }
  if (requireAncestor) {
    const onBranch = git(root, ['merge-base', '--is-ancestor', full, requireAncestor]);
    if (onBranch.status !== 0) {
      const why = onBranch.stderr.trim() ? ` (git: ${onBranch.stderr.trim()})` : '';
      throw new DeployError(
        'DEPLOY_SHA_NOT_ON_BRANCH',
        `${full} is not in the history of ${requireAncestor}${why}: ` +
          'only commits that reached it are deployed. Nothing was published.',
        { details: { deploySha: full, ref: requireAncestor } },
      );
    }
  }
  return full;
}

/** The work tree must be clean, so that what is published is the commit; --allow-dirty only warns. */
export function checkClean(root, allowDirty) {
  const status = git(root, ['status', '--porcelain', '--untracked-files=normal']);
  const changed = status.stdout.split('\n').filter(Boolean);
  if (changed.length === 0) return;
  const more = changed.length > 10 ? `\n  … and ${changed.length - 10} more` : '';
  const list = changed.slice(0, 10).join('\n  ') + more;
  if (!allowDirty) {
    throw new DeployError(
      'DEPLOY_DIRTY_TREE',
      `the work tree of ${root} has uncommitted changes, so what would be published is not the commit:\n  ${list}\n` +
        'Nothing was published. Fix: commit or remove them (or pass --allow-dirty for a local trial).',
      { details: { changed } },
    );
  }
  say(`warning: publishing with uncommitted changes (--allow-dirty):\n  ${list}`);
}
