import { domainToASCII } from 'node:url';
import { AuthError } from './errors.js';

const LOCAL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+$/u;

/**
 * Canonical form of an email address, used for lookup and uniqueness: trimmed, NFKC-normalised,
 * lower-cased, domain converted to ASCII (IDNA). Control characters (CR/LF header injection) and
 * non-ASCII local parts are refused, so a Unicode look-alike can never collide with another account.
 * @example canonicalizeEmail(' Alice@EXAMPLE.com ') // 'alice@example.com'
 */
export function canonicalizeEmail(input: string): string {
  const s = input.trim().normalize('NFKC').toLowerCase();
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\s]/u.test(s)) throw invalidEmail();
  const at = s.lastIndexOf('@');
  if (at < 1 || at === s.length - 1 || s.length > 254) throw invalidEmail();
  const local = s.slice(0, at);
  const domain = domainToASCII(s.slice(at + 1));
  if (!domain || !LOCAL.test(local) || local.length > 64 || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) {
    throw invalidEmail();
  }
  return `${local}@${domain}`;
}

const invalidEmail = () => new AuthError('invalid_request', 'email: must be a valid email address');
