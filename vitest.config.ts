import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Conformance tests start real peers on free loopback ports; run files in parallel
    // processes but keep the machine's two cores from being oversubscribed.
    pool: 'forks',
    maxWorkers: 2,
  },
});
