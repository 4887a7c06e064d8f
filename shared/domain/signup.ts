import { AuthError, ConditionFailedError } from './errors.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { User } from '../ports/user-store.js';
import { canonicalizeEmail } from './email.js';
import { checkNewPassword, type PasswordPolicy } from './password-policy.js';
import type { SignInDeps } from './sign-in/complete-sign-in.js';
import { createAccount } from './sign-in/create-account.js';

export interface SignUpDeps extends SignInDeps {
  hasher: PasswordHasher;
  passwordPolicy: PasswordPolicy;
}

/**
 * Creates a password account (no session; the caller ends in `completeSignIn`). Email uniqueness is a conditional
 * write, not a lookup: a taken address throws `409 email_taken`. The address starts unproven.
 */
export async function createPasswordAccount(
  deps: SignUpDeps,
  input: { email: string; password: string },
): Promise<User> {
  const email = canonicalizeEmail(input.email);
  const password = checkNewPassword(input.password, deps.passwordPolicy);
  const passwordHash = await deps.hasher.hash(password);
  try {
    return await createAccount(deps, { email, passwordHash }, { emailVerified: false, method: 'pwd' });
  } catch (e) {
    if (e instanceof ConditionFailedError)
      throw new AuthError('email_taken', 'An account with this email already exists.');
    throw e;
  }
}
