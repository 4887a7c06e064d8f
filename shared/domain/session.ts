import { randomUUID } from 'node:crypto';
import { nowSeconds, type Clock } from '../ports/clock.js';
import type { AtomicPart } from '../ports/atomic-part.js';
import type { RefreshTokenRecord, RefreshTokenStore } from '../ports/refresh-token-store.js';
import type { User } from '../ports/user-store.js';
import type { AccessTokenIssuer } from './access-token.js';
import { newOpaqueToken, sha256Hex } from './secrets.js';

export interface SessionOptions {
  idleTtlSeconds: number;
  absoluteTtlSeconds: number;
}

export interface SessionDeps {
  clock: Clock;
  refreshTokens: RefreshTokenStore;
  issuer: AccessTokenIssuer;
  session: SessionOptions;
}

/** What every successful sign-in or refresh hands back to the HTTP layer. */
export interface SessionTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  /** Seconds the refresh token stays usable (cookie Max-Age). */
  refreshExpiresIn: number;
}

/** A refresh token record for `familyId`; its idle expiry never outlives the family. */
export function newRefreshToken(
  base: { userId: string; familyId: string; familyExpiresAt: number; amr?: string[]; authTime?: number },
  now: number,
  idleTtlSeconds: number,
): { raw: string; record: RefreshTokenRecord } {
  const raw = newOpaqueToken('rt');
  return {
    raw,
    record: {
      tokenHash: sha256Hex(raw),
      userId: base.userId,
      familyId: base.familyId,
      familyExpiresAt: base.familyExpiresAt,
      status: 'active',
      issuedAt: now,
      expiresAt: Math.min(now + idleTtlSeconds, base.familyExpiresAt),
      ...(base.amr ? { amr: base.amr } : {}),
      ...(base.authTime !== undefined ? { authTime: base.authTime } : {}),
    },
  };
}

/**
 * Starts a new refresh-token family for `user` (S8: every sign-in gets a fresh family; whatever refresh
 * cookie the browser carried is ignored) and issues the first access token. Sign-in methods do not call this:
 * they end in `completeSignIn` (shared/domain/sign-in), which does.
 */
export async function startSession(
  deps: SessionDeps,
  user: Pick<User, 'id' | 'email' | 'roles'> & { emailVerified?: boolean },
  /** How this sign-in authenticated (RFC 8176): `['pwd']`, `['otp']` (email link or code), `['fed']` (social). */
  amr?: string[],
  /** When the sign-in happened (epoch seconds); defaults to now. */
  authTime?: number,
  /** Other stores' writes that must commit with the session or not at all (one transaction). */
  parts?: readonly AtomicPart[],
): Promise<SessionTokens & { familyId: string }> {
  const now = nowSeconds(deps.clock);
  const familyId = randomUUID();
  const familyExpiresAt = now + deps.session.absoluteTtlSeconds;
  const auth_time = authTime ?? now;
  const first = newRefreshToken(
    { userId: user.id, familyId, familyExpiresAt, amr, authTime: auth_time },
    now,
    deps.session.idleTtlSeconds,
  );
  const [, access] = await Promise.all([
    deps.refreshTokens.createFamily(
      { familyId, userId: user.id, createdAt: now, expiresAt: familyExpiresAt },
      first.record,
      parts,
    ),
    deps.issuer.issue({
      id: user.id,
      email: user.email,
      roles: user.roles,
      amr,
      emailVerified: user.emailVerified === true,
      authTime: auth_time,
    }),
  ]);
  return { ...access, refreshToken: first.raw, refreshExpiresIn: first.record.expiresAt - now, familyId };
}
