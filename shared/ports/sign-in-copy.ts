import type { AtomicPart } from './atomic-part.js';
import type { MfaCredentials } from './mfa-store.js';
import type { RateLimitDecision } from './rate-limiter.js';
import type { User } from './user-store.js';

/**
 * What a password sign-in decides on — the account, its second factors, whether it has a passkey — copied onto the
 * account's email item, so that the sign-in reads it in the same round trip as its rate limits, with one read for
 * a known and an unknown address alike (S2). The copy is never trusted on its own: `unchangedParts` ride in the
 * session's (or the challenge's) transaction and hold only while every copied item is as it was copied, so a copy
 * made stale by a password change, a disablement, a proof of the address (S52) or a factor added or removed
 * cancels the sign-in's write (`stale`), and the sign-in starts again from the items themselves.
 */
export interface SignInCopy {
  user: User;
  /** The account's second factors as copied; undefined when it had none. */
  credentials?: MfaCredentials;
  /** How many passkeys the account had (a passkey is a second factor too). */
  passkeyCount: number;
  /** Hold while the account, its factors and its passkeys are still as copied; each fails as `stale`. */
  unchangedParts: readonly AtomicPart[];
}

/** One password attempt counted against an address, and what its email item said. */
export interface SignInAttempt {
  decision: RateLimitDecision;
  /**
   * The address's account when the attempt was allowed and it has one: `copy` absent when its email item has none
   * (an account made before copies existed), which `refresh` then writes.
   */
  found?: { userId: string; copy?: SignInCopy };
}

export interface SignInCopyStore {
  /**
   * Counts one attempt against the address's fixed window (atomically: a conditional increment, S4) and reads its
   * copy, in one write to its email item — the same write for a known and an unknown address (S1, S2). Refused
   * past `limit`, and then nothing is read.
   */
  attempt(email: string, limit: number, windowSeconds: number): Promise<SignInAttempt>;
  /** Forgets the address's attempts in the current window (a password reset lifts the lock, S4). */
  resetAttempts(email: string, windowSeconds: number): Promise<void>;
  /** `resetAttempts` as a part of the session's transaction (the right password clears the count). */
  resetAttemptsPart(email: string, windowSeconds: number): AtomicPart;
  /** Reads the account, its factors and passkeys and writes them as the address's copy; undefined when gone. */
  refresh(email: string, userId: string): Promise<SignInCopy | undefined>;
}
