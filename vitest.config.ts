import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser suites and the rehearsal of the synthesized bundles have their own configs and commands.
    exclude: ['test/browser/**', 'test/deployed/**', 'node_modules/**'],
    // One DynamoDB Local for the whole run; its endpoint reaches the suites through env (DYNAMODB_ENDPOINT).
    globalSetup: ['test/helpers/global-setup.ts'],
    // What the code under test writes to process.stdout/stderr goes through vitest's console (see `silent`).
    setupFiles: ['test/helpers/quiet-process-output.ts'],
    // A flow through the local runner pays each function's cold start (a worker importing its handler) once.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: argon2 and DynamoDB Local are CPU-bound, so keep parallelism modest and results stable.
    maxWorkers: 2,
    // A green run prints no logs: console output (the test backends' function log lines included, see
    // test/helpers/capture-output.ts) is kept with its test and printed only when that test fails.
    silent: 'passed-only',
  },
});
