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
 * Whether a token holds only ASCII and none of `+ / =`, the characters Node's base64url decoder takes besides the
 * base64url alphabet (`A–Z a–z 0–9 - _`). Native scans, not a regular expression or a loop over the characters: this
 * runs on every request. Every other ASCII character (space, `!`, `%`, controls, …) is one that decoder skips, which
 * `decodeSegment` sees as bytes missing (S18).
 */
export const isAsciiWithoutBase64Extras = (token: string): boolean =>
  Buffer.byteLength(token, 'utf8') === token.length &&
  token.indexOf('+') === -1 &&
  token.indexOf('/') === -1 &&
  token.indexOf('=') === -1;

/** Each base64url character's 6-bit value, by character code (0 for any other ASCII character). */
const SEXTET = new Uint8Array(128);
for (let i = 0; i < 64; i++) {
  SEXTET['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(i)] = i;
}

/**
 * Whether `text[start, end)`, *of the base64url alphabet*, is the canonical unpadded spelling of its bytes, in O(1):
 * its length is not 1 more than a multiple of 4 (no byte count gives that), and its last character sets none of the
 * bits that fall past the last byte — 4 of them after 2 characters of a group (one byte), 2 after 3 (two bytes).
 * Otherwise up to 16 strings decode to one signature (S14, S18).
 */
export function isCanonicalSegment(text: string, start = 0, end = text.length): boolean {
  const rest = (end - start) % 4;
  if (rest === 1 || end <= start) return false;
  if (rest === 0) return true;
  return (SEXTET[text.charCodeAt(end - 1)] & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * The bytes of `text[start, end)` when it is non-empty canonical unpadded base64url, else undefined. The caller has
 * checked the whole text with `isAsciiWithoutBase64Extras`; a character outside the alphabet is then one Node's decoder
 * skips, so fewer bytes come out than the length promises and the segment is refused. test/unit/jws-header.test.ts
 * holds this against the alphabet's definition for every ASCII character in every position, so a Node whose decoder
 * behaved otherwise would fail there.
 */
export function decodeSegment(text: string, start: number, end: number): Buffer | undefined {
  if (!isCanonicalSegment(text, start, end)) return undefined;
  const bytes = Buffer.from(text.slice(start, end), 'base64url');
  return bytes.length === ((end - start) * 3) >> 2 ? bytes : undefined;
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

/**
 * The outcome of `checkHeader` for the last few header segments that passed, oldest dropped first. Looked up by
 * comparing the token's header segment with each kept one (at most 16, nearly always one): no hashing.
 */
export class HeaderCache {
  private readonly segments: string[] = [];
  private readonly outcomes: CheckedHeader[] = [];

  constructor(private readonly algorithms: readonly string[]) {}

  /** The outcome for a token whose header segment (`token[0, dot)`) passed before; it is canonical base64url too. */
  get(token: string, dot: number): CheckedHeader | undefined {
    const { segments } = this;
    if (segments.length === 0) return undefined;
    // A slice is a view (no copy); comparing it with a kept segment is a length check, then a memory compare.
    const segment = token.slice(0, dot);
    for (let i = segments.length - 1; i >= 0; i--) if (segments[i] === segment) return this.outcomes[i];
    return undefined;
  }

  /** Checks a canonical segment's decoded bytes; keeps the outcome when it passed. */
  check(segment: string, bytes: Buffer): CheckedHeader | VerifyFailure {
    const outcome = checkHeader(bytes, this.algorithms);
    if (typeof outcome !== 'string' && segment.length <= MAX_HEADER_CHARS) {
      if (this.segments.length >= MAX_HEADERS) {
        this.segments.shift();
        this.outcomes.shift();
      }
      this.segments.push(segment);
      this.outcomes.push(outcome);
    }
    return outcome;
  }
}
