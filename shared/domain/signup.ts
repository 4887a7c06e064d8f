import { randomUUID } from 'node:crypto';
import { AuthError, ConditionFailedError } from '../errors.js';
import { securityEvent } from '../log.js';
import type { PasswordHasher, User, UserStore } from '../ports.js';
import { canonicalizeEmail } from './email.js';
import { checkNewPassword, type PasswordPolicy } from './password-policy.js';
import { startSession, type SessionDeps, type SessionTokens } from './session.js';

export interface SignUpDeps extends SessionDeps {
  users: UserStore;
  hasher: PasswordHasher;
  passwordPolicy: PasswordPolicy;
  defaultRoles: string[];
}

/** Creates a password account and signs it in. Email uniqueness is a conditional write, not a lookup. */
export async function signUp(deps: SignUpDeps, input: { email: string; password: string }): Promise<SessionTokens> {
  return startSession(deps, await createPasswordAccount(deps, input), ['pwd']);
}

/** Creates a password account (no session). Throws `409 email_taken` when the address has one. */
export async function createPasswordAccount(deps: SignUpDeps, input: { email: string; password: string }): Promise<User> {
  const email = canonicalizeEmail(input.email);
  const password = checkNewPassword(input.password, deps.passwordPolicy);
  const user: User = {
    id: randomUUID(),
    email,
    passwordHash: await deps.hasher.hash(password),
    roles: [...deps.defaultRoles],
    emailVerified: false,
    createdAt: deps.clock.now(),
  };
  try {
    await deps.users.create(user);
  } catch (e) {
    if (e instanceof ConditionFailedError) throw new AuthError('email_taken', 'An account with this email already exists.');
    throw e;
  }
  securityEvent('signup', { userId: user.id });
  return user;
}
