// Unit tests: beside the code, pure or using only local real processes and temp files.
// (*.int.test.ts start real clusters and run under vitest.integration.config.ts.)
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{agent,scheduler,shared,cli}/src/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: [...configDefaults.exclude, '**/*.int.test.ts'],
    testTimeout: 20_000,
  },
});
