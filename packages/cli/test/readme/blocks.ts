// The README's blocks, and which of them the readme*.spec.ts files run: a new block must be added to
// RUN (and run) or to NOT_RUN (with the reason).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const readme = readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');

export interface Block {
  language: string;
  text: string;
  /** Its first line in the README, for messages. */
  line: number;
}

export const blocks: Block[] = [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map((match) => ({
  language: match[1] ?? '',
  text: match[2] ?? '',
  line: readme.slice(0, match.index).split('\n').length,
}));

/** Every block a readme*.spec.ts runs, by its language and first command: a new block must be added. */
export const RUN: [string, string][] = [
  ['console', '$ booty config validate\n'],
  ['console', '$ RELEASE_GOVERNOR_COOLDOWN_MINUTES=abc booty config validate'],
  ['json', '{ "ok": true, "path"'],
  ['console', '$ RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR=4'],
  ['console', '$ RELEASE_GOVERNOR_COOLDOWN_MINUTES=45 booty governor status'],
  ['console', '$ booty verifier run'],
  ['console', '$ booty state check'],
  ['console', '$ booty state reset release'],
  ['console', '$ booty state claims --repo'],
  ['console', '$ booty state claims --standing expired'],
  ['console', '$ booty state show --repo octo-org/web'],
  ['sh', 'booty state claims --repo octo-org/web'],
  ['sh', 'booty state check '],
  ['sh', 'booty config show '],
  ['js', "import { runCli } from '@booty/cli';"],
  ['console', '$ booty state copy --to postgres://booty@db.internal/booty'],
  ['sh', 'booty state copy --to postgres://booty@db.internal/booty'],
  ['console', '$ booty state claim forget octo-org/web'],
];

/** The block whose text starts with `start` (its first command). */
export function block(language: string, start: string): Block {
  const found = blocks.find((candidate) => candidate.language === language && candidate.text.startsWith(start));
  if (!found) throw new Error(`the README has no ${language} block starting with ${JSON.stringify(start)}`);
  return found;
}

/** The blocks no readme*.spec.ts runs, and why. */
export const NOT_RUN: { language: string; start: string; why: string }[] = [
  {
    language: 'sh',
    start: 'npm install --save-dev @booty/cli',
    why: 'installs from the registry: tools/e2e/test/registry/cli.spec.ts runs this block as written against a local one',
  },
  {
    language: 'json',
    start: '{ "compilerOptions"',
    why: 'a tsconfig.json change: tools/e2e/test/registry/tsc-init.spec.ts applies it',
  },
  {
    language: 'console',
    start: '  deliveries recorded:      30000 (over the count limit',
    why: 'lines of `booty governor status` over 30,000 claims: test/ledger-limit.spec.ts finds each in the real output',
  },
];
