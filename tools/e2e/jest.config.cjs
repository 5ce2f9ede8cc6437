// The workflow checks, the deploy preflight and scripts, and the registry end-to-end tests.
/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'e2e',
  rootDir: __dirname,
  // The directory the spec files share one local registry, one deploy and one install of each
  // package through (test/support/shared-run.ts): started by the first spec file that needs them.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
