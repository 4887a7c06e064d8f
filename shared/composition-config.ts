/**
 * The part of the composition root every function needs: the memoiser, the clock and the config. Kept apart
 * from `composition.ts` so that a function importing only these never reaches an SDK package: esbuild cannot
 * drop `@aws-sdk/lib-dynamodb` once it is imported (the package does not declare `sideEffects: false`, and its
 * paginators are built at module scope), so the only way to keep it out of a bundle is not to import it.
 */
import { loadConfig, type Config } from './config.js';
import type { Clock } from './ports.js';

/**
 * Lazy, memoised per container. Call sites mark `once(…)` `@__PURE__` so that esbuild can drop a getter (and
 * the adapters it would build) from a function that never calls it.
 */
export const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
};

export const systemClock: Clock = { now: () => Date.now() };

export const getConfig = /* @__PURE__ */ once((): Config => loadConfig(process.env));
