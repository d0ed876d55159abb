import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // a TMPDIR of the run's own, which must be empty at the end (test/support/tmpdir.ts)
    // and the Redis at 127.0.0.1:6379, which is not ours, must hold no new liq:* key (test/support/foreign-redis.ts)
    globalSetup: ['test/support/tmpdir.ts', 'test/support/foreign-redis.ts'],
    // Integration tests start private redis-server processes and real daemons; give them room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each file starts its own private Redis on a free port, so files can run side by side.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
