import { AuthError, ConditionFailedError } from './errors.js';
import { securityEvent } from '../observability/log.js';
import type { RefreshTokenRecord } from '../ports/refresh-token-store.js';
import type { UserStore } from '../ports/user-store.js';
import { nowSeconds } from '../ports/clock.js';
import { newRefreshToken, type SessionDeps, type SessionTokens } from './session.js';
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
  return dispatch(deps, presented);
}

function dispatch(deps: RefreshDeps, presented: RefreshTokenRecord): Promise<SessionTokens> {
  if (presented.status === 'active') return rotateActive(deps, presented);
  if (presented.status === 'rotated') return handleRotated(deps, presented);
  return handleSuperseded(deps, presented);
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
    // Rotated by a concurrent request, or superseded by a grace re-presentation of its predecessor (S57).
    if (again && again.status !== 'active') return dispatch(deps, again);
    throw invalidToken();
  }
}

/**
 * Re-presentations of one token inside the grace window may race; each attempt is a conditional write on the
 * predecessor's successor pointer, so a loser reads the pointer the winner left and tries once more. Each round
 * has a winner, so N concurrent re-presentations need at most N attempts; this bounds a pathological flood.
 */
const GRACE_ATTEMPTS = 16;

/**
 * A rotated token presented again. Inside the grace window (S24) this is a client's own retry: it gets a new
 * successor, and the successor issued before is retired in the same write (S57), so concurrent retries never
 * fork the family into several live sessions. Otherwise it is reuse: the family is revoked (S23).
 */
async function handleRotated(deps: RefreshDeps, presented: RefreshTokenRecord): Promise<SessionTokens> {
  const now = nowSeconds(deps.clock);
  const graceStart = now - deps.reuseGraceSeconds;
  let rotated: RefreshTokenRecord | undefined = presented;
  for (let attempt = 0; deps.reuseGraceSeconds > 0 && attempt < GRACE_ATTEMPTS; attempt++) {
    if (rotated?.status !== 'rotated' || rotated.rotatedAt === undefined || rotated.rotatedAt < graceStart) break;
    // S24: only the immediate predecessor of a still-active token, only inside the window; the store checks both.
    const sibling = newRefreshToken(rotated, now, deps.session.idleTtlSeconds);
    try {
      const [, tokens] = await Promise.all([
        deps.refreshTokens.rotateWithinGrace(rotated, sibling.record, graceStart),
        issueFor(deps, rotated),
      ]);
      securityEvent('refresh_grace', { familyId: rotated.familyId, userId: rotated.userId });
      return { ...tokens, refreshToken: sibling.raw, refreshExpiresIn: sibling.record.expiresAt - now };
    } catch (e) {
      if (!(e instanceof ConditionFailedError)) throw e;
      // A concurrent re-presentation moved the pointer first: retry against the successor it left. An unmoved
      // pointer means its successor is no longer active (used, or the family ended): that is reuse.
      const again = await deps.refreshTokens.get(rotated.tokenHash);
      if (again?.successorHash === rotated.successorHash) break;
      rotated = again;
    }
  }
  return reuse(deps, presented, now);
}

/**
 * A successor retired by a grace re-presentation of its predecessor (S57). A client holding it lost a race with
 * its own retries (the responses may arrive in any order), so inside the same window it stands for that
 * predecessor: served as a grace re-presentation of it. After the window it is reuse, like any retired token.
 */
async function handleSuperseded(deps: RefreshDeps, presented: RefreshTokenRecord): Promise<SessionTokens> {
  const predecessor =
    presented.predecessorHash === undefined ? undefined : await deps.refreshTokens.get(presented.predecessorHash);
  if (predecessor?.status === 'rotated' && predecessor.familyId === presented.familyId)
    return handleRotated(deps, predecessor);
  return reuse(deps, presented, nowSeconds(deps.clock));
}

async function reuse(deps: RefreshDeps, presented: RefreshTokenRecord, now: number): Promise<never> {
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
