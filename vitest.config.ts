// Unit tests: beside the code, pure or using only local real processes and temp files.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{agent,scheduler,shared,cli}/src/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
