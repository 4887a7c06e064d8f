/**
 * Recovery codes (S62): 10 per set, 60 random bits each (12 base32 characters, above the ≥ 50 bits asked), shown
 * once and stored only as SHA-256. A fast hash is enough here: unlike a password, a 60-bit random code cannot be
 * guessed offline from its hash in useful time, and the online guesses are capped (S61).
 */
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../secrets.js';

export const RECOVERY_CODES_PER_SET = 10;

/** Case, spaces and dashes do not matter when a person types a code back. */
const normalize = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');

export const recoveryCodeHash = (code: string) => sha256Hex(`recovery:${normalize(code)}`);

/** @example const { codes, hashes } = newRecoveryCodes(); // show `codes` once, store `hashes` */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODES_PER_SET }, () => {
    // 8 bytes → 13 base32 characters; the first 12 carry 60 bits.
    const raw = encodeBase32UpperCaseNoPadding(randomBytes(8)).slice(0, 12);
    return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`;
  });
  return { codes, hashes: codes.map(recoveryCodeHash) };
}
