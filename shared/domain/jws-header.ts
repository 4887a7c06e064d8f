/**
 * The parts of compact-JWS checking that do not depend on the key: strict base64url segments, and the protected
 * header's checks (S12, S17, S18, RFC 7515 §4.1.11) with a small cache of their outcome per header segment.
 *
 * Why a cache is sound here: a header's outcome is a pure function of its segment string and of the verifier's
 * algorithm list (fixed at construction), and every token one key signs carries the same header segment; so a
 * repeated segment is checked once, and each token still has its signature, key lookup and claims checked in full.
 * Only headers that passed are kept, never a token, a key or a verification result.
 */
import type { VerifyFailure } from './verify-access-token.js';
import { hasDuplicateTopLevelKeys } from './json-duplicates.js';

/**
 * A base64url segment's bytes, or undefined unless the segment is the canonical unpadded base64url of those bytes:
 * only `A–Z a–z 0–9 - _`, no `=`, no spare bits set in its last character. Node's decoder skips what it does not
 * know and takes `+` `/` too, so re-encoding is the check. Canonical means one string per signature: a token whose
 * signature's spare trailing bits are flipped (16 strings for one signature otherwise) is refused (S14, S18).
 */
export function decodeCanonical(segment: string): Buffer | undefined {
  if (segment.length === 0) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

/** What the rest of verification needs from a header that passed. */
export interface CheckedHeader {
  alg: string;
  kid: string;
  /** `typ` is `at+jwt` (RFC 9068); refused only after the signature, as before (S17). */
  accessTokenTyp: boolean;
}

/** Headers that would let a token choose its own key (S12). */
const KEY_BEARING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'];
const KID = /^[A-Za-z0-9_-]{1,128}$/;

/** RFC 9068 §4: `at+jwt`, also written `application/at+jwt` (media types are case-insensitive). */
const isAccessTokenTyp = (typ: unknown) =>
  typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === 'at+jwt';

/** A JSON object from UTF-8 bytes, refusing repeated member names (S18); undefined when it is none. */
export function parseJsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  // One fixed way with duplicate member names (`{"alg":"none","alg":"ES256"}`): refuse, never pick one.
  if (hasDuplicateTopLevelKeys(text, value)) return undefined;
  return value as Record<string, unknown>;
}

/** The header's own checks, in the order their reasons are reported. */
function checkHeader(bytes: Buffer, algorithms: readonly string[]): CheckedHeader | VerifyFailure {
  const header = parseJsonObject(bytes);
  if (header === undefined) return 'malformed';
  if (KEY_BEARING_HEADERS.some((h) => h in header)) return 'forbidden_header';
  const { alg, kid } = header;
  // Refused before any key lookup (no JWKS fetch for `none` or HS256); the key's own `alg` is checked later (S56).
  if (typeof alg !== 'string' || !algorithms.includes(alg)) return 'claim_invalid';
  // We understand no JWS extension, so any `crit` is one we must refuse (RFC 7515 §4.1.11), b64=false included.
  if ('crit' in header) return 'claim_invalid';
  if (typeof kid !== 'string' || !KID.test(kid)) return 'unknown_kid';
  return { alg, kid, accessTokenTyp: isAccessTokenTyp(header.typ) };
}

/** A few signing keys are live at once (current, next, the one before); anything past that is not ours. */
const MAX_HEADERS = 16;
/** Our headers are ~100 characters; a longer one is checked every time rather than kept. */
const MAX_HEADER_CHARS = 512;

/** The outcome of `checkHeader` for the last few header segments that passed, oldest dropped first. */
export class HeaderCache {
  private readonly passed = new Map<string, CheckedHeader>();

  constructor(private readonly algorithms: readonly string[]) {}

  /** A header segment that passed before (it is then known to be canonical base64url too). */
  get(segment: string): CheckedHeader | undefined {
    return this.passed.get(segment);
  }

  /** Checks a canonical segment's decoded bytes; keeps the outcome when it passed. */
  check(segment: string, bytes: Buffer): CheckedHeader | VerifyFailure {
    const outcome = checkHeader(bytes, this.algorithms);
    if (typeof outcome !== 'string' && segment.length <= MAX_HEADER_CHARS) {
      if (this.passed.size >= MAX_HEADERS) this.passed.delete(this.passed.keys().next().value as string);
      this.passed.set(segment, outcome);
    }
    return outcome;
  }
}
