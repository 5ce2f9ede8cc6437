/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: '@booty/release-state',
  rootDir: __dirname,
};
