import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['vitest/**/*.test.mjs'],
    // Starting the server (embedded stores, the document index) takes a few seconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
