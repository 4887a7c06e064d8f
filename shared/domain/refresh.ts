import { AuthError, ConditionFailedError } from '../errors.js';
import { securityEvent } from '../log.js';
import type { RefreshTokenRecord, UserStore } from '../ports.js';
import { newRefreshToken, nowSeconds, type SessionDeps, type SessionTokens } from './session.js';
import { REFRESH_TOKEN_PATTERN, sha256Hex } from './secrets.js';

export interface RefreshDeps extends SessionDeps {
  users: UserStore;
  /** Seconds after a rotation during which the immediate predecessor may be presented again (0 = never). */
  reuseGraceSeconds: number;
}

const invalidToken = () => new AuthError('invalid_token', 'The refresh token is invalid or expired.');

/**
 * Rotates a refresh token: the presented token dies and a successor is issued in one atomic write (S22, S25).
 * Presenting a rotated token again is reuse: the whole family is revoked (S23). Expiry is checked here,
 * at read time, because DynamoDB TTL deletes lazily (S26).
 */
export async function rotateRefreshToken(deps: RefreshDeps, raw: string | undefined): Promise<SessionTokens> {
  if (!raw || !REFRESH_TOKEN_PATTERN.test(raw)) throw invalidToken();
  const presented = await deps.refreshTokens.get(sha256Hex(raw));
  if (!presented) throw invalidToken();
  return presented.status === 'rotated' ? handleRotated(deps, presented) : rotateActive(deps, presented);
}

async function rotateActive(deps: RefreshDeps, presented: RefreshTokenRecord): Promise<SessionTokens> {
  const now = nowSeconds(deps.clock);
  if (presented.expiresAt <= now || presented.familyExpiresAt <= now) throw invalidToken();
  const successor = newRefreshToken(presented, now, deps.session.idleTtlSeconds);
  try {
    const [, tokens] = await Promise.all([
      deps.refreshTokens.rotate(presented, successor.record, now),
      issueFor(deps, presented),
    ]);
    return { ...tokens, refreshToken: successor.raw, refreshExpiresIn: successor.record.expiresAt - now };
  } catch (e) {
    if (!(e instanceof ConditionFailedError)) throw e;
    // Lost the write: either the family was revoked/expired, or a concurrent request rotated the token first.
    const again = await deps.refreshTokens.get(presented.tokenHash);
    if (again?.status === 'rotated') return handleRotated(deps, again);
    throw invalidToken();
  }
}

async function handleRotated(deps: RefreshDeps, presented: RefreshTokenRecord): Promise<SessionTokens> {
  const now = nowSeconds(deps.clock);
  const graceStart = now - deps.reuseGraceSeconds;
  if (deps.reuseGraceSeconds > 0 && presented.rotatedAt !== undefined && presented.rotatedAt >= graceStart) {
    // S24: only the immediate predecessor of a still-active token, only inside the window; the store checks both.
    const sibling = newRefreshToken(presented, now, deps.session.idleTtlSeconds);
    try {
      const [, tokens] = await Promise.all([
        deps.refreshTokens.rotateWithinGrace(presented, sibling.record, graceStart),
        issueFor(deps, presented),
      ]);
      securityEvent('refresh_grace', { familyId: presented.familyId, userId: presented.userId });
      return { ...tokens, refreshToken: sibling.raw, refreshExpiresIn: sibling.record.expiresAt - now };
    } catch (e) {
      if (!(e instanceof ConditionFailedError)) throw e;
    }
  }
  await deps.refreshTokens.revokeFamily(presented.familyId, now);
  securityEvent('refresh_reuse', { familyId: presented.familyId, userId: presented.userId });
  throw new AuthError('token_reused', 'This refresh token was already used; the session has been ended for safety.');
}

async function issueFor(deps: RefreshDeps, presented: RefreshTokenRecord) {
  const user = await deps.users.findById(presented.userId);
  // A disabled account keeps no session: its refresh fails, and `disableUser` revokes its families too.
  if (!user || user.disabled) throw invalidToken();
  // Roles, email and its verification are read fresh on every refresh, so changes reach the next access token;
  // amr and auth_time describe the sign-in that started the family, so they are carried from it.
  return deps.issuer.issue({
    id: user.id,
    email: user.email,
    roles: user.roles,
    emailVerified: user.emailVerified,
    amr: presented.amr,
    authTime: presented.authTime,
  });
}
