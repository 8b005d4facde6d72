import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll waits for what the screen or the terminal will show: up to 10 s, not 1 s (a
    // loaded CI machine can take longer than a second to pass an event through; a poll
    // that succeeds returns at once, so only a failing one waits the whole time).
    expect: { poll: { timeout: 10_000 } },
    fileParallelism: true,
    maxWorkers: 2,
  },
});
