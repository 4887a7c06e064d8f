/**
 * Second factors: the credentials of an account beyond its first factor, and the short-lived challenge
 * that sits between a first factor and the session. Single use and counters are conditional writes in the adapters.
 */
import type { AtomicPart } from './atomic-part.js';

/** A TOTP authenticator. The secret is only ever held sealed (AES-256-GCM, shared/domain/mfa/secret-box.ts). */
export interface TotpFactor {
  id: string;
  type: 'totp';
  /** `v1.<kid>.<iv>.<ciphertext>.<tag>`: never the secret in clear (S60). */
  sealedSecret: string;
  /** False until its first correct code (S60: a pending factor protects nothing and is not asked for). */
  confirmed: boolean;
  createdAt: number; // epoch seconds
  lastUsedAt?: number;
  /** The last RFC 6238 step accepted: that code, and every older one, is refused from then on. */
  lastStep?: number;
}

/** Everything second-factor of one account, read in one call (the sign-in funnel asks on every sign-in). */
export interface MfaCredentials {
  userId: string;
  factors: TotpFactor[];
  /** SHA-256 (hex) of each unused recovery code; the codes themselves are shown once and never stored (S62). */
  recoveryCodeHashes: string[];
}

export interface MfaStore {
  get(userId: string): Promise<MfaCredentials | undefined>;
  addTotp(userId: string, factor: TotpFactor): Promise<void>;
  /**
   * The first correct code: the factor becomes confirmed at `step` and the recovery set is replaced, in one
   * conditional write (only while still pending). False when it lost (already confirmed, gone).
   */
  confirmTotp(
    userId: string,
    factorId: string,
    step: number,
    now: number,
    recoveryCodeHashes: string[],
  ): Promise<boolean>;
  /** Records an accepted code: only if the factor is confirmed and `step` is newer than its last one (S60). */
  useTotpStep(userId: string, factorId: string, step: number, now: number): Promise<boolean>;
  /** Removes one recovery code hash if it is still there: of N concurrent uses exactly one gets true (S62). */
  useRecoveryCode(userId: string, codeHash: string): Promise<boolean>;
  /** `useTotpStep` as a part of the session's transaction (fails as `invalid_code`: replayed or gone). */
  useTotpStepPart(userId: string, factorId: string, step: number, now: number): AtomicPart;
  /** `useRecoveryCode` as a part of the session's transaction (fails as `invalid_code`: already used). */
  useRecoveryCodePart(userId: string, codeHash: string): AtomicPart;
  /** The old set dies with this write (S62). */
  replaceRecoveryCodes(userId: string, codeHashes: string[]): Promise<void>;
  /** False when there is no such factor. */
  removeFactor(userId: string, factorId: string): Promise<boolean>;
  /** Every factor and recovery code (admin reset); false when there was nothing. */
  removeAll(userId: string): Promise<boolean>;
}

/** `sign_in`: between a first factor and the session. `enrol`: MFA_POLICY=required, only the enrolment routes take it. */
export type MfaChallengePurpose = 'sign_in' | 'enrol';

export interface MfaChallenge {
  /** SHA-256 of the raw `mfaToken`, hex; the raw token is never stored. */
  tokenHash: string;
  userId: string;
  purpose: MfaChallengePurpose;
  /** The first factor this challenge continues (RFC 8176 `amr` value): the session gets it plus `mfa` (S66). */
  firstFactor: string;
  attempts: number;
  createdAt: number;
  /** Epoch seconds, ≤ 5 minutes after `createdAt`; also the TTL attribute. */
  expiresAt: number;
  /**
   * What the funnel read when it issued the challenge, so that verifying needs no second read of either: the
   * account (for the session's claims) and its second factors (sealed; codes checked against them, then their
   * conditional writes in the session's transaction decide). Absent on challenges issued before it existed.
   */
  snapshot?: {
    user: { email: string; emailVerified?: boolean; roles: string[] };
    credentials: MfaCredentials;
  };
}

export type ReserveAttemptResult =
  { kind: 'reserved'; challenge: MfaChallenge } | { kind: 'exhausted' } | { kind: 'invalid' };

export interface MfaChallengeStore {
  /** Stores a new challenge, together with `parts` (all or nothing, like a session's). */
  create(challenge: MfaChallenge, parts?: readonly AtomicPart[]): Promise<void>;
  /**
   * One attempt, reserved atomically before any code is checked (S61): `exhausted` at `maxAttempts`, `invalid` when
   * unknown, used or expired at `now`.
   */
  reserveAttempt(tokenHash: string, maxAttempts: number, now: number): Promise<ReserveAttemptResult>;
  /** Single use (S66): exactly one of N concurrent consumers gets true. */
  consume(tokenHash: string, now: number): Promise<boolean>;
  /** `consume` as a part of the session's transaction (fails as `invalid_token`). */
  consumePart(tokenHash: string, now: number): AtomicPart;
}
