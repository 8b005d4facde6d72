/**
 * The Electron suite's own Vitest configuration (`npm run test:electron` runs it through
 * test/electron/run.mjs): its files are named *.electron.ts, so the main configuration
 * (test/**\/*.test.ts, `npm test`) never picks them up. One app at a time.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/electron/**/*.electron.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
