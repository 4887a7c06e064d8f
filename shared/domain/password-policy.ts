import { AuthError } from './errors.js';
import { isCommonPassword } from './common-passwords.js';

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

/**
 * NIST SP 800-63B-4: length only, no composition rules, one Unicode normalisation (NFKC) on every path,
 * no truncation, common passwords refused. Length is counted in code points after normalisation and the
 * maximum is checked before any hashing so an oversized input never reaches argon2.
 * Returns the normalised password: callers hash and verify that, never the raw input.
 */
export function normalizePassword(password: string, policy: PasswordPolicy): string {
  // Cheap guard on raw size before normalisation (NFKC can expand by at most a small factor).
  if (password.length > policy.maxLength * 4) throw tooLong(policy);
  const normalized = password.normalize('NFKC');
  const length = [...normalized].length;
  if (length > policy.maxLength) throw tooLong(policy);
  return normalized;
}

/** Applies the policy for a new password (signup, reset, change). */
export function checkNewPassword(password: string, policy: PasswordPolicy): string {
  const normalized = normalizePassword(password, policy);
  const length = [...normalized].length;
  if (length < policy.minLength) {
    throw new AuthError('weak_password', `password: must be at least ${policy.minLength} characters`);
  }
  if (isCommonPassword(normalized)) {
    throw new AuthError('weak_password', 'password: is too common; choose a longer or less predictable passphrase');
  }
  return normalized;
}

const tooLong = (policy: PasswordPolicy) =>
  new AuthError('weak_password', `password: must be at most ${policy.maxLength} characters`);
