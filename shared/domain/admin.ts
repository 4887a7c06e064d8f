import { AuthError } from './errors.js';
import { securityEvent } from '../observability/log.js';
import { nowSeconds, type Clock } from '../ports/clock.js';
import type { RefreshTokenStore } from '../ports/refresh-token-store.js';
import type { User, UserStore } from '../ports/user-store.js';
import type { ApiKeyStore } from '../ports/api-key-store.js';

export interface AdminDeps {
  clock: Clock;
  users: UserStore;
  refreshTokens: RefreshTokenStore;
  /** The owner's API keys end with the account, and with a role they carry (S77). */
  apiKeys: Pick<ApiKeyStore, 'revokeAllOf'>;
}

/** What the admin API shows of an account: never the password hash. */
export interface UserView {
  id: string;
  email: string;
  roles: string[];
  emailVerified: boolean;
  disabled: boolean;
  createdAt: string;
}

const view = (u: User): UserView => ({
  id: u.id,
  email: u.email,
  roles: u.roles,
  emailVerified: u.emailVerified,
  disabled: u.disabled === true,
  createdAt: new Date(u.createdAt).toISOString(),
});

const notFound = () => new AuthError('not_found', 'No user with this id.');

export async function getUser(deps: AdminDeps, userId: string): Promise<UserView> {
  const user = await deps.users.findById(userId);
  if (!user) throw notFound();
  return view(user);
}

/**
 * Replaces the roles of a user. Takes effect at the user's next refresh (roles are read fresh then); an access
 * token already issued keeps its roles until it expires — the documented revocation window.
 */
export async function setUserRoles(
  deps: AdminDeps,
  actorId: string,
  userId: string,
  roles: string[],
): Promise<UserView> {
  const unique = [...new Set(roles)];
  if (actorId === userId && !unique.includes('admin')) {
    // An admin removing their own admin role could leave the deployment without one.
    throw new AuthError('invalid_request', 'roles: an admin cannot remove their own admin role');
  }
  const user = await deps.users.setRoles(userId, unique);
  if (!user) throw notFound();
  securityEvent('role_change', { userId, by: actorId, roles: unique.join(' ') });
  // A key carries its owner's roles from when it was made; one that holds a role just taken away ends now.
  const revokedKeys = await deps.apiKeys.revokeAllOf(userId, nowSeconds(deps.clock), 'roles_changed', (k) =>
    k.roles.some((r) => !unique.includes(r)),
  );
  if (revokedKeys > 0) securityEvent('api_key_revoked', { userId, by: actorId, reason: 'roles_changed', revokedKeys });
  return view(user);
}

/** Ends every session of a user now (refresh tokens); access tokens run out within the revocation window. */
export async function revokeUserSessions(deps: AdminDeps, actorId: string, userId: string): Promise<void> {
  if (!(await deps.users.findById(userId))) throw notFound();
  const revoked = await deps.refreshTokens.revokeAllForUser(userId, nowSeconds(deps.clock));
  securityEvent('sessions_revoked', { userId, by: actorId, revoked });
}

/** Disables an account: it can no longer sign in or refresh, and its sessions are revoked. */
export async function disableUser(deps: AdminDeps, actorId: string, userId: string): Promise<void> {
  if (actorId === userId) throw new AuthError('invalid_request', 'id: an admin cannot disable their own account');
  const user = await deps.users.setDisabled(userId, true);
  if (!user) throw notFound();
  const revoked = await deps.refreshTokens.revokeAllForUser(userId, nowSeconds(deps.clock));
  const revokedKeys = await deps.apiKeys.revokeAllOf(userId, nowSeconds(deps.clock), 'owner_disabled');
  securityEvent('account_disabled', { userId, by: actorId, revoked, revokedKeys });
  if (revokedKeys > 0) securityEvent('api_key_revoked', { userId, by: actorId, reason: 'owner_disabled', revokedKeys });
}
