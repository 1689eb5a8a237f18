import { defineConfig } from 'vitest/config';

// One config for the whole workspace. Unit tests live beside the code (src/**/*.test.ts),
// live-server tests under test/e2e, fuzz tests under test/fuzz.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'bench/src/**/*.test.ts', 'bench/test/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores in CI: servers started by e2e tests use worker threads of their own.
    maxWorkers: 2,
  },
});
