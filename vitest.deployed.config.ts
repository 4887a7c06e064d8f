import { defineConfig } from 'vitest/config';

/**
 * `npm run test:deployed` (S82): the bundles `cdk synth` wrote to `cdk.out`, each run as Lambda runs it, driven
 * through the template's own routes (README, "Rehearsal of the deployed bundles").
 * Not part of `npm test`: it needs a synthesized cloud assembly.
 */
export default defineConfig({
  test: {
    include: ['test/deployed/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts', 'test/deployed/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Each rehearsal runs ~20 function processes of its own; two files at a time fill both cores.
    maxWorkers: 2,
  },
});
