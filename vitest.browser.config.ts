import { defineConfig } from 'vitest/config';

/** `npm run test:browser`: real headless Chromium (Debian's /usr/bin/chromium via playwright-core) against the local runner. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
