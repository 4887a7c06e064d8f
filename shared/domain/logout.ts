import { securityEvent } from '../observability/log.js';
import { nowSeconds, type Clock } from '../ports/clock.js';
import type { RefreshTokenStore } from '../ports/refresh-token-store.js';
import { REFRESH_TOKEN_PATTERN, sha256Hex } from './secrets.js';

export interface LogoutDeps {
  clock: Clock;
  refreshTokens: RefreshTokenStore;
}

/** Revokes the family of the presented token. Unknown or malformed tokens are ignored: logout always succeeds. */
export async function logOut(deps: LogoutDeps, raw: string | undefined): Promise<void> {
  if (!raw || !REFRESH_TOKEN_PATTERN.test(raw)) return;
  const record = await deps.refreshTokens.get(sha256Hex(raw));
  if (!record) return;
  await deps.refreshTokens.revokeFamily(record.familyId, nowSeconds(deps.clock));
  securityEvent('logout', { userId: record.userId, familyId: record.familyId });
}

/** Revokes every refresh-token family of the user (S27). */
export async function logOutEverywhere(deps: LogoutDeps, userId: string): Promise<number> {
  const revoked = await deps.refreshTokens.revokeAllForUser(userId, nowSeconds(deps.clock));
  securityEvent('logout_all', { userId, revoked });
  return revoked;
}
