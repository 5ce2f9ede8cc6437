// The workspace's rules, plus the Node globals that the tools' plain .mjs/.cjs scripts use
// (the root config only declares the CommonJS ones). Used by the e2e project's lint target for
// tools/e2e, tools/deploy, tools/api, tools/bench and tools/registry (which also has its own copy).
import root from '../../eslint.config.mjs';

const nodeGlobals = Object.fromEntries(
  ['fetch', 'URL', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Buffer', 'AbortController'].map(
    (name) => [name, 'readonly'],
  ),
);

export default [
  ...root,
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: nodeGlobals },
  },
];
