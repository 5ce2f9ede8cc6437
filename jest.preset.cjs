// Shared jest settings for every package: TypeScript through ts-jest, specs beside the code
// (src/**/*.spec.ts) and process-level tests under test/.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Many tests here start real processes or run property checks over real files; on a loaded
  // two-core machine (CI runs every package at once) some take longer than jest's 5 s default.
  // A timeout is a hang guard, never a speed check.
  testTimeout: 60_000,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
};
