/**
 * The bounds of what the authorizer checks, in a module of their own so that its bundle carries these
 * three and not every setting's (`bounds.ts` spreads them into the full table).
 */
/** A tuple rather than an object: the authorizer's bundle budget counts every property name. */
export type Bound = readonly [defaultValue: number, min: number, max: number];

export const DAY = 24 * 3600;

export const VERIFIER_BOUNDS = {
  CLOCK_TOLERANCE_SECONDS: [30, 0, 60],
  JWKS_COOLDOWN_SECONDS: [30, 1, 3600],
  JWKS_CACHE_SECONDS: [600, 1, DAY],
} as const satisfies Record<string, Bound>;
