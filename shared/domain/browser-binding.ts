/**
 * Browser binding (S31, S34): a flow started in one browser (an OAuth authorization, an email-link request) is
 * tied to it by a random value kept in a `__Host-` cookie; only the value's SHA-256 is stored with the flow. The
 * one place that makes and checks the value, for every flow that binds a browser.
 */
import { randomBytes } from 'node:crypto';
import { constantTimeEqual, sha256Hex } from './secrets.js';

export interface BrowserBinding {
  /** The raw value for the cookie (256 random bits, base64url). It never reaches a store or a log. */
  value: string;
  /** What the flow stores. */
  hash: string;
}

/**
 * A fresh binding.
 * @example const { value, hash } = newBrowserBinding(); // cookie ← value, transaction ← hash
 */
export function newBrowserBinding(): BrowserBinding {
  const value = randomBytes(32).toString('base64url');
  return { value, hash: sha256Hex(value) };
}

/** True when the cookie the browser sent is the one whose hash the flow stored (constant-time compare). */
export const matchesBrowserBinding = (storedHash: string | undefined, cookie: string | undefined): boolean =>
  !!storedHash && !!cookie && constantTimeEqual(storedHash, sha256Hex(cookie));
