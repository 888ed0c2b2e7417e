import { defineConfig } from 'vitest/config';

// docker-down stops and restarts the machine's dockerd, so it runs on its own, after everything else.
const dockerDown = 'test/e2e/docker-down.e2e.ts';
const onlyDockerDown = process.env.LAMBENCH_E2E === 'docker-down';

export default defineConfig({
  test: {
    include: onlyDockerDown ? [dockerDown] : ['test/e2e/**/*.e2e.ts'],
    exclude: onlyDockerDown ? [] : [dockerDown, '**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
