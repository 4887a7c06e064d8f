import type { RateLimiter } from '../ports/rate-limiter.js';
import type { SignInAttempt, SignInCopyStore } from '../ports/sign-in-copy.js';
import { sha256Hex } from './secrets.js';

/**
 * An account's count of failed sign-ins (S4), in one place for the login that counts it and the password reset
 * that lifts it: on the account's email item when sign-in copies are kept (one write counts and reads the copy),
 * else in the limiter, keyed on a hash of the address (the ephemeral table never holds emails in clear).
 */
export function accountCounter(
  stores: { copies?: SignInCopyStore; limiter: RateLimiter },
  email: string,
  windowSeconds: number,
) {
  const { copies, limiter } = stores;
  if (copies) {
    return {
      consume: (limit: number): Promise<SignInAttempt> => copies.attempt(email, limit, windowSeconds),
      resetPart: () => copies.resetAttemptsPart(email, windowSeconds),
      reset: () => copies.resetAttempts(email, windowSeconds),
    };
  }
  const key = `login:account:${sha256Hex(email)}`;
  return {
    consume: async (limit: number): Promise<SignInAttempt> => ({
      decision: await limiter.consume(key, limit, windowSeconds),
    }),
    resetPart: () => limiter.resetPart(key, windowSeconds),
    reset: () => limiter.reset(key, windowSeconds),
  };
}
