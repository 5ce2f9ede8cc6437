// Whether `npm publish` is asked for provenance (a signed statement of where a tarball was built):
// only where npm can produce it. Apart from the publish because the answer, and why, is decided
// once per deploy and shown in its log before anything is published.
import { readFileSync } from 'node:fs';
import { onActions } from '../github-actions.mjs';
import { DeployError } from './errors.mjs';

/** `mode` is auto, always or never; auto is on for GitHub Actions with an id-token, npmjs.org, a public repository. */
export function wantProvenance(mode, registry) {
  if (mode === 'never') return { on: false, why: 'disabled (--provenance never)' };
  if (mode === 'always') return { on: true, why: 'requested (--provenance always)' };
  if (mode !== 'auto') {
    throw new DeployError('DEPLOY_USAGE', `--provenance is "${mode}": expected auto, always or never.`, {
      exitCode: 2,
    });
  }
  if (!onActions) return { on: false, why: 'not on GitHub Actions' };
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL) {
    return { on: false, why: 'no id-token (the job needs permissions: id-token: write)' };
  }
  if (new URL(registry).host !== 'registry.npmjs.org') {
    return { on: false, why: `${registry} is not the public npm registry` };
  }
  try {
    const event = JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH ?? '', 'utf8'));
    if (event.repository?.private !== false) return { on: false, why: 'the repository is not public' };
  } catch {
    return { on: false, why: 'the event payload (GITHUB_EVENT_PATH) is unreadable' };
  }
  return { on: true, why: 'GitHub Actions OIDC, public npm registry' };
}
