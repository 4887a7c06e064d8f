import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    // One DynamoDB Local for the whole run; its endpoint reaches the suites through env (DYNAMODB_ENDPOINT).
    globalSetup: ['test/helpers/global-setup.ts'],
    // A flow through the local runner pays each function's cold start (a worker importing its handler) once.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: argon2 and DynamoDB Local are CPU-bound, so keep parallelism modest and results stable.
    maxWorkers: 2,
  },
});
