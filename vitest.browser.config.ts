import { defineConfig } from 'vitest/config';

/** `npm run test:browser`: the headless Chromium suites (Debian's chromium + playwright-core), kept out of `npm test`. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
