import type { AtomicPart } from './atomic-part.js';

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until the window that refused this attempt ends. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /**
   * Consumes one attempt from `key`'s fixed window atomically (no read-then-write) and says whether it
   * was within `limit`.
   */
  consume(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision>;
  /** Forgets the attempts of `key` in the current window (e.g. after a successful sign-in). */
  reset(key: string, windowSeconds: number): Promise<void>;
  /** `reset` as a part of another store's transaction (it always holds). */
  resetPart(key: string, windowSeconds: number): AtomicPart;
}
