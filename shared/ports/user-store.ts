import type { AtomicPart } from './atomic-part.js';
import type { OAuthIdentity } from './oauth-identity.js';

export interface User {
  id: string;
  /** Canonical form (see `canonicalizeEmail`). */
  email: string;
  passwordHash?: string;
  roles: string[];
  emailVerified: boolean;
  createdAt: number;
  /** A disabled account cannot sign in or refresh. */
  disabled?: boolean;
}

export interface UserStore {
  /** Creates the user; throws `ConditionFailedError` when the email is already taken (enforced by a conditional write). */
  create(user: User): Promise<void>;
  findByEmail(email: string): Promise<User | undefined>;
  findById(id: string): Promise<User | undefined>;
  /** Holds while the account exists and is not disabled, as a part of the session's transaction (`account_disabled`). */
  enabledPart(userId: string): AtomicPart;
  /**
   * Holds while the account is enabled and still has exactly this password hash (a proof of the address by someone
   * else removes it, S52), as a part of the session's transaction (`invalid_credentials`).
   */
  passwordHeldPart(userId: string, passwordHash: string): AtomicPart;
  updatePasswordHash(userId: string, passwordHash: string): Promise<void>;
  /** Replaces the user's roles; returns the updated user, or undefined when there is no such user. */
  setRoles(userId: string, roles: string[]): Promise<User | undefined>;
  /** Disables or re-enables the account; returns the updated user, or undefined when there is no such user. */
  setDisabled(userId: string, disabled: boolean): Promise<User | undefined>;
  /** The user an external identity (issuer, subject) is linked to (S38: never looked up by email alone). */
  findByIdentity(identity: OAuthIdentity): Promise<User | undefined>;
  /**
   * Creates the user and links `identity` to it in one transaction; throws `ConditionFailedError` when the email
   * or the identity is already taken.
   */
  createWithIdentity(user: User, identity: OAuthIdentity): Promise<void>;
  /** Links `identity` to an existing user; throws `ConditionFailedError` when it is linked already or the user is gone. */
  linkIdentity(userId: string, identity: OAuthIdentity): Promise<void>;
  /** Sets `emailVerified`; throws `ConditionFailedError` for an unknown user. Idempotent. */
  markEmailVerified(userId: string): Promise<void>;
  /**
   * The first proof of an unverified address by a sign-in (S52), in one conditional write: sets `emailVerified`
   * and removes the password hash, only while the address is still unverified. Returns the updated user when this
   * call made the proof; undefined when the address was already verified (by an earlier or concurrent proof) or
   * the user does not exist, and then changes nothing.
   */
  claimAddress(userId: string): Promise<User | undefined>;
}
