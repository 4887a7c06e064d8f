import { defineConfig } from 'vitest/config';

/** `npm run test:browser`: real headless Chromium (Debian's /usr/bin/chromium via playwright-core) against the local runner. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // What the code under test writes to process.stdout/stderr goes through vitest's console (see `silent`).
    setupFiles: ['test/helpers/quiet-process-output.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    maxWorkers: 1,
    // Console output (the test backends' function log lines too) only for a failing test, as in vitest.config.ts.
    silent: 'passed-only',
  },
});
