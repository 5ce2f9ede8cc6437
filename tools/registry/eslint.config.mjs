// Same rules as the e2e tooling (the workspace's, plus Node globals for plain scripts).
export { default } from '../e2e/eslint.config.mjs';
