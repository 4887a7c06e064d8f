/**
 * The part of the composition root every function needs: the memoiser, the clock and the config. Kept apart
 * from `composition.ts` so that a function importing only these never reaches an SDK package: esbuild cannot
 * drop `@aws-sdk/lib-dynamodb` once it is imported (the package does not declare `sideEffects: false`, and its
 * paginators are built at module scope), so the only way to keep it out of a bundle is not to import it.
 */
import { loadConfig, type Config } from '../config/config.js';
import type { Clock } from '../ports/clock.js';

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

/**
 * A port whose adapter is built on first use, not when the composition hands it out. Deps objects are put
 * together at module scope and carry every port their use-cases *might* call; a request path that never calls
 * a port must not need its table or secret variable (a function is granted only what it uses, S81). A missing
 * variable then fails the first call that really needs it, exactly as it would on AWS.
 */
export function lazy<T extends object>(make: () => T): T {
  let real: T | undefined;
  return new Proxy({} as T, {
    get(_target, prop) {
      // Not a thenable: `await`ing a deps object must not build its adapters.
      if (prop === 'then') return undefined;
      real ??= make();
      const value: unknown = Reflect.get(real, prop, real);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(real) : value;
    },
  });
}

export const systemClock: Clock = { now: () => Date.now() };

export const getConfig = /* @__PURE__ */ once((): Config => loadConfig(process.env));
