import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // LanceDB's Rust logger (env_logger): its k-means warnings on small test indexes were
      // half of the test output; errors still show.
      LANCEDB_LOG: 'error',
      // The embedded record store's worker thread, run from the TypeScript sources.
      CHATBOT_TS_WORKER_LOADER: 'tsx/esm/api',
    },
  },
});
