// ESLint (flat config): type-aware rules that catch async bugs, and the rule
// that keeps the scheduling core pure (no I/O, no clocks, no transports).
import tseslint from 'typescript-eslint';

const IO_MODULES = [
  'node:*', 'fs', 'fs/*', 'child_process', 'net', 'http', 'https', 'os', 'path', 'process', 'worker_threads', 'dgram', 'dns', 'events', 'timers', 'crypto',
  '@grpc/*', '@nats-io/*', 'better-sqlite3', 'systeminformation', 'pino', 'yaml', 'commander',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'shared/src/proto/generated/**', '.muster/**', 'coverage/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-debugger': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['scheduler/src/core/**/*.ts'],
    ignores: ['scheduler/src/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: IO_MODULES, message: 'scheduler/src/core is pure: no I/O, transports, clocks or process state (DESIGN §5).' }] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'core is pure' }, { name: 'setTimeout', message: 'core is pure' }, { name: 'setInterval', message: 'core is pure' }, { name: 'fetch', message: 'core is pure' }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'core is pure: take `now` as an argument' }, { object: 'Math', property: 'random', message: 'core is deterministic' }, { object: 'performance', property: 'now', message: 'core is pure' }],
    },
  },
);
