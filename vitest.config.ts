import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // argon2 and the network tests are CPU-bound on a 2-core machine: give slow runs room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // PostgreSQL test files share one database: each file uses its own schema-free tables, so
    // files run one at a time to keep migrations and cross-instance tests deterministic.
    fileParallelism: false,
  },
});
