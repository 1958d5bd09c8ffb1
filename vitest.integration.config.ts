// Integration tests: each file starts its own nats-server on a random port and
// real scheduler/agent processes (built into dist/ by the global setup).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/integration/**/*.int.test.ts', 'bench/**/*.int.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
