/**
 * The authorizer's refusals and its reading of the `Authorization` header: every refusal is one `Unauthorized` (401)
 * with its reason in a security event, never in the answer.
 */
import type { TokenVerificationError } from '../domain/verify-access-token.js';
import { securityEvent } from '../observability/log.js';
import type { ApiKeyRefusedError } from './api-key-path.js';

/** The one message API Gateway turns into a 401. Any other error would become a 500. */
const UNAUTHORIZED = 'Unauthorized';
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
/**
 * One token of visible ASCII (RFC 6750 §2.1 `b64token`), so tabs, trailing spaces and a second credential stay refused.
 * The authorizer tests it where a token's format is not otherwise checked strictly (S18), see `authenticate`.
 */
export const isVisibleAscii = (token: string): boolean => VISIBLE_ASCII.test(token);
/** The verifier's 8 KB token limit plus the scheme and a generous run of separating spaces. */
const MAX_HEADER_CHARS = 8192 + 'Bearer '.length + 64;

export type DenyReason =
  | TokenVerificationError['reason']
  | ApiKeyRefusedError['reason']
  | 'malformed_api_key'
  | 'certificate_mismatch'
  | 'missing_token'
  | 'malformed_header'
  | 'unsupported_event'
  | 'internal';

export function deny(reason: DenyReason, cause?: unknown): Error {
  // Through securityEvent either way, so AuthorizerDeny is counted also when keys are unavailable; those two
  // reasons fail closed loudly (S19): every caller is being refused until keys load again.
  const loud = reason === 'keys_unavailable' || reason === 'api_keys_unavailable' || reason === 'internal';
  const error =
    loud && cause instanceof Error
      ? `${cause.name}: ${(cause.cause as Error | undefined)?.message ?? cause.message}`
      : undefined;
  securityEvent('authorizer_deny', { reason, error }, loud ? 'error' : 'info');
  return new Error(UNAUTHORIZED);
}

/** Reads `Authorization` whatever its case; two differently-cased copies are ambiguous and refused. */
export function headerValue(headers: Record<string, string | undefined> | null | undefined): string | undefined {
  if (!headers) return undefined;
  let value: string | undefined;
  let found = false;
  for (const name of Object.keys(headers)) {
    if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue;
    if (found) throw deny('malformed_header');
    found = true;
    value = headers[name];
  }
  return value;
}

/** `bearer` in any case: each letter's code with the ASCII case bit set (only `B`/`b` give `b`, and so on). */
const isBearerScheme = (header: string) =>
  (header.charCodeAt(0) | 0x20) === 0x62 /* b */ &&
  (header.charCodeAt(1) | 0x20) === 0x65 /* e */ &&
  (header.charCodeAt(2) | 0x20) === 0x61 /* a */ &&
  (header.charCodeAt(3) | 0x20) === 0x72 /* r */ &&
  (header.charCodeAt(4) | 0x20) === 0x65 /* e */ &&
  (header.charCodeAt(5) | 0x20) === 0x72; /* r */

/**
 * The token of `Bearer`, one or more spaces, token (RFC 6750 §2.1: `"Bearer" 1*SP b64token`; the scheme is
 * case-insensitive, RFC 9110 §11.1). The token's characters are not checked here: see `isVisibleAscii`.
 */
export function bearerToken(header: unknown): string {
  if (typeof header !== 'string' || header === '') throw deny('missing_token');
  if (header.length > MAX_HEADER_CHARS) throw deny('too_large');
  if (!isBearerScheme(header) || header.charCodeAt(6) !== 0x20) throw deny('malformed_header');
  let start = 7;
  while (header.charCodeAt(start) === 0x20) start++;
  return header.slice(start);
}
