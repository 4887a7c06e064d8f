import type { AtomicPart } from './atomic-part.js';
import type { MfaCredentials } from './mfa-store.js';
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

export interface SignInCopyStore {
  /**
   * One read of the address's email item: undefined for an unknown address; `copy` absent when the item has none
   * (an account made before copies existed), which `refresh` then writes.
   */
  read(email: string): Promise<{ userId: string; copy?: SignInCopy } | undefined>;
  /** Reads the account, its factors and passkeys and writes them as the address's copy; undefined when gone. */
  refresh(email: string, userId: string): Promise<SignInCopy | undefined>;
}
