import { defineConfig } from 'vitest/config';

// `npm run soak`: the whole robustness and security suite, CI's subset (*.test.ts) plus the long runs
// (*.soak.ts: load, the UI with 100 warm functions, disk full, and dockerd restarted when
// LAMBENCH_SOAK_DOCKERD=1), printed as one table. The script builds first, for the UI check.
export default defineConfig({
  test: {
    include: ['test/robustness/**/*.test.ts', 'test/robustness/**/*.soak.ts'],
    globalSetup: ['test/robustness/soak-setup.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
