/**
 * Passkeys (WebAuthn credentials) of an account, and the single-use ceremony challenges. Uniqueness of a
 * credential id, the signature counter and single use of a challenge are conditional writes in the adapters.
 */
import type { AtomicPart } from './atomic-part.js';

/** One registered passkey. Only its public key is ever held (S71). */
export interface Passkey {
  /** The credential id, base64url: also the id of the passkey in the API. */
  id: string;
  userId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The last signature counter seen (0 for authenticators that do not count). */
  counter: number;
  transports: string[];
  /** `multiDevice` (synced) or `singleDevice`. */
  deviceType: string;
  backedUp: boolean;
  aaguid: string;
  name: string;
  createdAt: number; // epoch seconds
  lastUsedAt?: number;
}

export type CounterUpdate = 'updated' | 'regressed';

export interface PasskeyStore {
  /** Stores a new passkey; false when the credential id is already known, for any user (S70). */
  add(passkey: Passkey): Promise<boolean>;
  get(credentialId: string): Promise<Passkey | undefined>;
  listByUser(userId: string): Promise<Passkey[]>;
  /**
   * Records a use: the counter moves forward only (S69); a stored and received 0 is allowed (no counter).
   * `regressed` when the received counter is not above the stored one, or the passkey is gone.
   */
  recordUse(credentialId: string, counter: number, now: number): Promise<CounterUpdate>;
  /** The same write, to commit in the session's transaction; fails as `invalid_passkey` where `recordUse` regresses. */
  recordUsePart(credentialId: string, counter: number, now: number): AtomicPart;
  /** False when the user has no passkey with this id. */
  remove(userId: string, credentialId: string): Promise<boolean>;
}

/** `register`: creation options for a signed-in user. `authenticate`: usernameless sign-in. `mfa`: second factor. */
export type PasskeyCeremony = 'register' | 'authenticate' | 'mfa';

export interface PasskeyChallenge {
  /** base64url, ≥ 128 bits (S67). */
  challenge: string;
  ceremony: PasskeyCeremony;
  /** The user the ceremony is for (register, mfa); absent for a usernameless sign-in. */
  userId?: string;
  /** `mfa`: the hash of the `mfaToken` this second factor continues. */
  mfaTokenHash?: string;
  createdAt: number;
  /** Epoch seconds, ≤ 5 minutes after `createdAt`; also the TTL attribute. */
  expiresAt: number;
}

export interface PasskeyChallengeStore {
  create(challenge: PasskeyChallenge): Promise<void>;
  /**
   * Single use (S67): the challenge of this ceremony, spent by this call; of N concurrent consumers exactly one
   * gets it. Undefined when unknown, of another ceremony, already used or expired at `now`.
   */
  consume(challenge: string, ceremony: PasskeyCeremony, now: number): Promise<PasskeyChallenge | undefined>;
}
