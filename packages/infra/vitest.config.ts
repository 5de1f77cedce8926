import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One worker, one module graph: the synthesized test app is built once and shared by the
    // stack test files (aws-cdk-lib takes seconds to load; the machine is shared).
    fileParallelism: false,
    isolate: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
