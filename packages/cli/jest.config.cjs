/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: '@booty/cli',
  rootDir: __dirname,
};
