import { randomUUID } from 'node:crypto';
import { securityEvent } from '../../observability/log.js';
import type { Clock } from '../../ports/clock.js';
import type { OAuthIdentity } from '../../ports/oauth-identity.js';
import type { User, UserStore } from '../../ports/user-store.js';

export interface CreateAccountDeps {
  clock: Clock;
  users: UserStore;
  /** DEFAULT_ROLES: what every new account starts with. Bootstrap roles are the funnel's, never granted here. */
  defaultRoles: string[];
}

/** What a sign-in method knows about an account that does not exist yet. */
export interface NewAccount {
  /** Canonical address (see `canonicalizeEmail`). */
  email: string;
  /** argon2id hash of the password chosen at sign-up; absent for passwordless accounts (email link, social). */
  passwordHash?: string;
  /** The external identity to link in the same write (social sign-up, S38). */
  identity?: OAuthIdentity;
}

/**
 * The one place an account is made, for every way of signing up: password sign-up, sign-up by email link, social
 * sign-up. Uniqueness of the address (and of the identity) is a conditional write: a taken one throws
 * `ConditionFailedError`, and each caller decides what that means for it. `emailVerified` is what the sign-up
 * itself proved (a redeemed link, a provider-verified email), never what the client claims.
 * @example const user = await createAccount(deps, { email, passwordHash }, { emailVerified: false, method: 'pwd' });
 */
export async function createAccount(
  deps: CreateAccountDeps,
  account: NewAccount,
  options: { emailVerified: boolean; method: string; provider?: string },
): Promise<User> {
  const user: User = {
    id: randomUUID(),
    email: account.email,
    roles: [...deps.defaultRoles],
    emailVerified: options.emailVerified,
    createdAt: deps.clock.now(),
    ...(account.passwordHash !== undefined ? { passwordHash: account.passwordHash } : {}),
  };
  if (account.identity) await deps.users.createWithIdentity(user, account.identity);
  else await deps.users.create(user);
  securityEvent('signup', { userId: user.id, method: options.method, provider: options.provider });
  return user;
}
