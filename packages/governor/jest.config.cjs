/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: '@booty/governor',
  rootDir: __dirname,
};
