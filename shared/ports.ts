/**
 * Ports: what the domain needs from the outside world, named by intent.
 * Adapters live in `shared/adapters/*`; the domain never imports an SDK.
 */
import type { JWK } from 'jose';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

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

/**
 * `active` (may be rotated), `rotated` (has a successor), `superseded` (a grace re-presentation of its predecessor
 * replaced it before it was used, S57).
 */
export type RefreshTokenStatus = 'active' | 'rotated' | 'superseded';

export interface RefreshTokenRecord {
  /** SHA-256 of the raw token, hex. The raw token is never stored. */
  tokenHash: string;
  userId: string;
  familyId: string;
  status: RefreshTokenStatus;
  issuedAt: number; // epoch seconds
  /** Idle expiry, epoch seconds; also the DynamoDB TTL attribute. */
  expiresAt: number;
  /** Absolute expiry of the family, epoch seconds. */
  familyExpiresAt: number;
  rotatedAt?: number;
  successorHash?: string;
  /** Set when superseded (S57): when, and the rotated token whose live successor this was. */
  supersededAt?: number;
  predecessorHash?: string;
  /**
   * How the sign-in that started this family authenticated (RFC 8176 `amr` values: `pwd`, `otp`, `fed`), carried to
   * every access token the family issues.
   */
  amr?: string[];
  /** When that sign-in happened (epoch seconds): the `auth_time` of every access token the family issues. */
  authTime?: number;
}

export interface RefreshFamily {
  familyId: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  revokedAt?: number;
}

export interface RefreshTokenStore {
  /** Starts a new family with its first token (one transaction). */
  createFamily(family: RefreshFamily, first: RefreshTokenRecord): Promise<void>;
  get(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /**
   * Atomically: the presented token flips active → rotated (pointing at the successor), the successor is
   * created, and the family must not be revoked. Either all of it happens or nothing does; a lost race
   * throws `ConditionFailedError`.
   */
  rotate(presented: RefreshTokenRecord, successor: RefreshTokenRecord, nowSeconds: number): Promise<void>;
  /**
   * Grace path (S24, S57): replaces the presented (already rotated) token's successor with `successor`, atomically —
   * the successor it points at (`presented.successorHash`, as read) must still be active and becomes `superseded`,
   * the presented token then points at `successor`, which is created. So a family never has two live tokens.
   * Only while the presented token is the immediate predecessor of a still-active token, inside the window, and its
   * pointer is still the one read; a concurrent re-presentation that moved it first makes this throw
   * `ConditionFailedError` (read again and retry).
   */
  rotateWithinGrace(
    presented: RefreshTokenRecord,
    successor: RefreshTokenRecord,
    graceStartSeconds: number,
  ): Promise<void>;
  revokeFamily(familyId: string, nowSeconds: number): Promise<void>;
  /** True when the family exists and is not revoked. */
  isFamilyActive(familyId: string): Promise<boolean>;
  /** Revokes every family of the user. Returns how many were revoked. */
  revokeAllForUser(userId: string, nowSeconds: number): Promise<number>;
}

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
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when `hash` was made with weaker parameters than the current ones. */
  needsRehash(hash: string): boolean;
}

export type KeyStatus = 'next' | 'current' | 'previous';

export interface RingKey {
  kid: string;
  alg: string;
  status: KeyStatus;
  createdAt: string;
  publicJwk: JWK;
  privateJwk: JWK;
}

export interface KeyRingDocument {
  version: 1;
  keys: RingKey[];
}

/** The private ring, for signers only. */
export interface KeyRing {
  load(): Promise<KeyRingDocument>;
}

/** Public keys, for verifiers: looked up by `kid` only, never from the token. */
export interface PublicKeySource {
  /** Returns the public JWK for `kid`, or undefined when it is not in our ring (after at most one rate-limited refetch). */
  getKey(kid: string): Promise<JWK | undefined>;
}

/** An external account: the issuer that asserted it and its subject there (S38). */
export interface OAuthIdentity {
  /** The provider's issuer identifier (e.g. `https://accounts.google.com`). */
  issuer: string;
  subject: string;
}

/** One authorization request in flight (S34, S35, S37): created by authorize, consumed once by the callback. */
export interface OAuthTransaction {
  /** SHA-256 of `state`, hex. The raw state lives only in the provider redirect and the callback URL. */
  stateHash: string;
  /** The provider name from the authorize URL; the callback must come back on the same provider's route. */
  provider: string;
  /** The issuer the request went to (mix-up defence). */
  issuer: string;
  /** PKCE verifier; never leaves the server (S35). */
  codeVerifier: string;
  nonce: string;
  redirectTo: string;
  /** SHA-256 of the random value in the browser-binding cookie. */
  bindingHash: string;
  createdAt: number; // epoch seconds
  /** Epoch seconds; also the DynamoDB TTL attribute. */
  expiresAt: number;
}

export interface OAuthTransactionStore {
  /** Stores a new transaction (a colliding state hash throws `ConditionFailedError`). */
  create(tx: OAuthTransaction): Promise<void>;
  /**
   * Removes and returns the transaction in one conditional write, or undefined when it is unknown, already
   * consumed or expired at `nowSeconds`. Of N concurrent consumers, at most one gets it.
   */
  consume(stateHash: string, nowSeconds: number): Promise<OAuthTransaction | undefined>;
}

/** What an email link or code is for. One mechanism serves the three email flows. */
export type EmailTokenPurpose = 'magic_link' | 'verify_email' | 'password_reset';

export interface EmailTokenRecord {
  /** SHA-256 of the raw link token, hex. The raw token is never stored (S29). */
  tokenHash: string;
  purpose: EmailTokenPurpose;
  /** Canonical address the mail went to. */
  email: string;
  /** SHA-256 of `email`: the key of the per-address "latest link" pointer. */
  emailHash: string;
  /** The account, when one existed at request time (a magic link for a new address has none). */
  userId?: string;
  /** Allowlisted origin-checked URL to land on after sign-in. */
  redirectTo?: string;
  /** SHA-256 of the same-browser binding cookie set when the link was requested (S31). */
  bindingHash?: string;
  /** SHA-256 of `tokenHash:code`: the code is salted with its link, never stored in clear. */
  codeHash: string;
  createdAt: number; // epoch seconds
  /** Epoch seconds; also the DynamoDB TTL attribute. Checked at read time (S29). */
  expiresAt: number;
  /** Set once, by the one write that consumed the link. */
  usedAt?: number;
  /** Code attempts reserved so far (the link dies at the cap). */
  attempts?: number;
}

export interface EmailTokenStore {
  /**
   * Stores a new link and makes it the latest one for its address and purpose, in one transaction: older
   * unused links of that address and purpose stop working (their consume condition checks the pointer).
   */
  issue(record: EmailTokenRecord): Promise<void>;
  get(tokenHash: string): Promise<EmailTokenRecord | undefined>;
  /** The latest link for an address and purpose (for the code fallback), expired or not: the domain decides. */
  findLatest(purpose: EmailTokenPurpose, emailHash: string): Promise<EmailTokenRecord | undefined>;
  /**
   * Reserves one code attempt atomically (conditional ADD). False when the link already used `maxAttempts`
   * attempts or does not exist: concurrent guesses can never exceed the cap.
   */
  reserveCodeAttempt(tokenHash: string, maxAttempts: number): Promise<boolean>;
  /**
   * Consumes the link with one conditional write: unused, not expired at `nowSeconds`, still the latest for
   * its address, and at most `maxAttempts` code attempts reserved. Of N concurrent calls exactly one
   * succeeds; the others throw `ConditionFailedError` (S30).
   */
  consume(tokenHash: string, nowSeconds: number, maxAttempts: number): Promise<EmailTokenRecord>;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one mail. Throws when the provider refuses or is unreachable. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
