/**
 * `active` (may be rotated), `rotated` (has a successor), `superseded` (a grace re-presentation of its predecessor
 * replaced it before it was used, S57).
 */
import type { AtomicPart } from './atomic-part.js';

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
  /**
   * Starts a new family with its first token (one transaction), together with `parts` other stores prepared:
   * all commit or none (`AtomicPartFailedError` names the part that did not hold).
   */
  createFamily(family: RefreshFamily, first: RefreshTokenRecord, parts?: readonly AtomicPart[]): Promise<void>;
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
  /** Revokes every family of the user. Returns how many were revoked. */
  revokeAllForUser(userId: string, nowSeconds: number): Promise<number>;
}
