// The workflow checks, the deploy preflight and scripts, and the registry end-to-end test.
/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'e2e',
  rootDir: __dirname,
};
