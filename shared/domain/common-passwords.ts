import { dictionary } from '@zxcvbn-ts/language-common';

let common: Set<string> | undefined;

/**
 * True when the password (or its lower-case form) is in the common-password list shipped by
 * `@zxcvbn-ts/language-common` (~49k entries from breach corpora). No network.
 * The set is built lazily so functions that never check a new password do not pay for it.
 */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  const lower = password.toLowerCase();
  if (common.has(lower)) return true;
  // A common password repeated ("passwordpassword") or padded with one repeated character is no stronger.
  const unit = /^(.+?)\1+$/u.exec(lower)?.[1];
  if (unit !== undefined && (common.has(unit) || [...unit].length <= 3)) return true;
  return false;
}
