/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: '@booty/cli',
  rootDir: __dirname,
  // Every test here runs the built binary as child processes; on a loaded two-core machine a
  // few of them take longer than jest's 5 s default. booty() has its own hang guard.
  testTimeout: 60_000,
};
