import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/out-tsc/**', 'tools/registry/storage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Node's globals, for the plain .js/.mjs/.cjs scripts (TypeScript files get them from @types/node).
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Prettier lays code out at 120 columns but leaves long strings, comments and patterns
      // whole; these two keep every file readable in one sitting and every line on one screen.
      // (`max-len` moves to @stylistic/eslint-plugin in ESLint 11.)
      'max-lines': ['error', { max: 400 }],
      'max-len': ['error', { code: 140, ignoreUrls: false }],
    },
  },
  {
    // Tests poke at untyped payloads and broken inputs on purpose.
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs', '**/bin/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
