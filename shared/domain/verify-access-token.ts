import { createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { PublicKeySource } from '../ports/key-ring.js';
import { isLowS } from './ecdsa.js';
import { decodeSegment, HeaderCache, isAsciiWithoutBase64Extras, parseJsonObject } from './jws-header.js';

export interface VerifyOptions {
  issuer: string;
  audience: string;
  /**
   * The algorithms a key may declare to be accepted at all (never taken from the token). Each token is then
   * verified with the algorithm its key declares (S56): `kid` → key → `alg`, the header's `alg` must match it.
   * @default SUPPORTED_ALGORITHMS — every algorithm a ring may publish, so a changed `SIGNING_ALG` locks nobody out
   */
  algorithms?: readonly string[];
  clockToleranceSeconds: number;
  /** Clock override for tests (epoch ms). */
  now?: () => number;
}

export interface AccessTokenClaims {
  sub: string;
  email: string;
  /** `email_verified`; false unless the token says `true` (S53). */
  emailVerified: boolean;
  roles: string[];
  scope: string;
  jti: string;
  exp: number;
  iat: number;
  /** RFC 8176 `amr`; empty when absent. */
  amr: string[];
  /** `auth_time`, when present. */
  authTime?: number;
  /** A machine client's own token (RFC 9068 §2.2: `sub` = `client_id`): the client id. */
  clientId?: string;
  /**
   * `cnf.x5t#S256` of a certificate-bound token (RFC 8705 §3.1): the base64url SHA-256 of the client certificate
   * the token may only be used with.
   */
  certificateThumbprint?: string;
}

export type VerifyFailure =
  | 'malformed'
  | 'too_large'
  | 'forbidden_header'
  | 'unknown_kid'
  | 'bad_signature'
  | 'expired'
  | 'claim_invalid'
  | 'keys_unavailable';

export class TokenVerificationError extends Error {
  override readonly name = 'TokenVerificationError';
  constructor(
    readonly reason: VerifyFailure,
    options?: { cause?: unknown },
  ) {
    super(`access token rejected: ${reason}`, options);
  }
}

const MAX_TOKEN_BYTES = 8192;

/**
 * What each supported JWS algorithm (RFC 7518 §3, RFC 8037) demands of the key and the signature. The key
 * must be of exactly this type (an ES256 token never verifies against an RSA key, nor HS256 against anything:
 * no HMAC algorithm is here), and an ECDSA or Ed25519 signature must be exactly 64 bytes: raw r‖s, never DER (S14).
 */
interface AlgorithmSpec {
  /** Digest for `crypto.verify`; null for EdDSA, which hashes internally. */
  digest: string | null;
  keyType: 'ec' | 'rsa' | 'ed25519';
  namedCurve?: string;
  signatureBytes?: number;
  minModulusBits?: number;
}
const ALGORITHMS: Readonly<Record<string, AlgorithmSpec>> = {
  ES256: { digest: 'sha256', keyType: 'ec', namedCurve: 'prime256v1', signatureBytes: 64 },
  RS256: { digest: 'sha256', keyType: 'rsa', minModulusBits: 2048 },
  EdDSA: { digest: null, keyType: 'ed25519', signatureBytes: 64 },
};

/** Every algorithm a key ring may hold (`SIGNING_ALG`'s values). No `none`, no HMAC: nothing symmetric is here. */
export const SUPPORTED_ALGORITHMS: readonly string[] = Object.freeze(Object.keys(ALGORITHMS));

/**
 * The algorithm a published key is for: its `alg` member, or — for a key published without one — the only
 * algorithm we support for its key type and curve. Never a configured default (S56).
 */
function declaredAlgorithm(jwk: JWK): string | undefined {
  if (jwk.alg !== undefined) return jwk.alg;
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'RSA') return 'RS256';
  return undefined;
}

type Claims = Record<string, unknown>;

/** A key imported for verification: the algorithm it declares, what that demands, `crypto.verify`'s key argument. */
interface ImportedKey {
  alg: string;
  spec: AlgorithmSpec;
  verifyKey: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' };
}

/** The strings of a claim that should be a list of them; anything else in it is dropped (never a privilege). */
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/**
 * The certificate a token is bound to (RFC 8705 §3.1). A `cnf` we cannot enforce (another confirmation method such
 * as DPoP's `jkt`, or a malformed thumbprint) refuses the token: honouring it without its proof would unbind it.
 */
function certificateBinding(cnf: unknown): string | undefined {
  if (cnf === undefined) return undefined;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) throw new TokenVerificationError('claim_invalid');
  const members = Object.keys(cnf);
  const x5t = (cnf as Record<string, unknown>)['x5t#S256'];
  if (members.length !== 1 || typeof x5t !== 'string' || !THUMBPRINT.test(x5t))
    throw new TokenVerificationError('claim_invalid');
  return x5t;
}

/**
 * Verifies an access token the way RFC 8725 asks: compact JWS only, algorithm pinned, key looked up by
 * `kid` in our own ring only, `typ: at+jwt` (RFC 9068), exact `iss` and `aud`, `exp` required, small
 * leeway, no `crit` extension understood. Throws `TokenVerificationError`; its `reason` is for logs only,
 * callers answer a bare 401.
 *
 * Why not a JWT library here: this is the hot path of every protected request. jose verifies through
 * WebCrypto (async, ~3× the cost of the signature itself on Node 20); this class parses the three segments
 * itself and calls `node:crypto`'s one-shot `verify` with a cached `KeyObject`, so a warm verification costs
 * the signature check plus a few microseconds, and the authorizer bundle carries no JOSE library. Every
 * check jose made is kept (test/security/jwt-attacks.test.ts is the specification), and one it did not make: each
 * segment must be canonical base64url, so a signature has one spelling (jws-header.ts).
 *
 * What a warm call spends beside the signature (test/README.md, case 1): the header's checks once per header
 * segment (jws-header.ts keeps the outcome; every token of one key has the same header), then per token the
 * payload's decoding, `JSON.parse` and a count of its member names (S18), the claim checks, and one key lookup in
 * the source. No token, claim set or verification result is ever kept.
 * @example const claims = await verifier.verify(token);
 */
export class AccessTokenVerifier {
  /**
   * Imported keys, keyed on the JWK object the source returned. Keyed this way (and weakly) so that a key
   * the source stops returning — dropped from the ring, or withdrawn after a compromise — stops verifying
   * as soon as the source's own cache lets go of it, instead of living as long as the container.
   * Sources return the same object while they cache a key (JwksKeySource, StaticKeySource do), so this hits.
   */
  private readonly imported = new WeakMap<JWK, ImportedKey>();

  private readonly algorithms: readonly string[];
  /** Header segments that passed their checks (jws-header.ts): one per signing key, so nearly always a hit. */
  private readonly headers: HeaderCache;

  constructor(
    private readonly source: PublicKeySource,
    private readonly options: VerifyOptions,
  ) {
    this.algorithms = options.algorithms ?? SUPPORTED_ALGORITHMS;
    this.headers = new HeaderCache(this.algorithms);
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    if (token.length > MAX_TOKEN_BYTES) throw new TokenVerificationError('too_large');
    // Exactly three non-empty segments: refuses JWE (5), JSON serialisation, stripped signatures.
    const dot1 = token.indexOf('.');
    const dot2 = token.indexOf('.', dot1 + 1);
    if (dot1 < 1 || dot2 < 0 || token.indexOf('.', dot2 + 1) !== -1 || !isAsciiWithoutBase64Extras(token))
      throw new TokenVerificationError('malformed');
    // Each segment canonical base64url (S14, S18): only its alphabet, a length some bytes have, no spare bits set.
    const payloadBytes = decodeSegment(token, dot1 + 1, dot2);
    const signature = decodeSegment(token, dot2 + 1, token.length);
    if (payloadBytes === undefined || signature === undefined) throw new TokenVerificationError('malformed');
    // A known header was checked, canonical form included, when it was first seen.
    let header = this.headers.get(token, dot1);
    if (header === undefined) {
      const headerBytes = decodeSegment(token, 0, dot1);
      if (headerBytes === undefined) throw new TokenVerificationError('malformed');
      const checked = this.headers.check(token.slice(0, dot1), headerBytes);
      if (typeof checked === 'string') throw new TokenVerificationError(checked);
      header = checked;
    }
    const { alg } = header;

    let jwk: JWK | undefined;
    try {
      // Asked every time: the source owns caching and expiry (a map lookup while its cache is fresh, with no await when
      // the source can say so at once).
      jwk = this.source.freshKey?.(header.kid) ?? (await this.source.getKey(header.kid));
    } catch (cause) {
      throw new TokenVerificationError('keys_unavailable', { cause });
    }
    if (!jwk) throw new TokenVerificationError('unknown_kid');
    const key = this.imported.get(jwk) ?? this.importKey(jwk);
    // The key decides the algorithm, not the token nor the configuration (S56): kid → key → alg. A key published
    // for ES256 never verifies an RS256 or EdDSA token, and the header must name exactly the key's algorithm.
    if (key.alg !== alg) throw new TokenVerificationError('unknown_kid');
    const { spec } = key;

    if (spec.signatureBytes !== undefined && signature.length !== spec.signatureBytes)
      throw new TokenVerificationError('bad_signature');
    let valid: boolean;
    try {
      // The token is ASCII, so its UTF-8 bytes are its characters: the signing input as sent.
      valid = verifySignature(spec.digest, Buffer.from(token.slice(0, dot2)), key.verifyKey, signature);
    } catch (cause) {
      throw new TokenVerificationError('bad_signature', { cause });
    }
    if (!valid) throw new TokenVerificationError('bad_signature');
    // The high-S twin (r, n − s) of a valid ECDSA signature also verifies; only the low-S form we issue is
    // canonical, so a token has exactly one accepted string (S14).
    if (alg === 'ES256' && !isLowS(signature)) throw new TokenVerificationError('bad_signature');

    // Type confusion (S17): an ID token or any other JWT signed by a key we trust is not an access token.
    if (!header.accessTokenTyp) throw new TokenVerificationError('claim_invalid');
    const payload = parseJsonObject(payloadBytes);
    if (payload === undefined) throw new TokenVerificationError('malformed');
    return this.claims(payload);
  }

  private claims(payload: Claims): AccessTokenClaims {
    const { issuer, audience, clockToleranceSeconds: leeway } = this.options;
    const now = Math.floor((this.options.now?.() ?? Date.now()) / 1000);
    const { iss, aud, sub, exp, iat, nbf, jti } = payload;
    // Exact comparisons (S16): no trailing-slash or case folding.
    if (iss !== issuer) throw new TokenVerificationError('claim_invalid');
    if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience))))
      throw new TokenVerificationError('claim_invalid');
    if (typeof sub !== 'string' || typeof jti !== 'string') throw new TokenVerificationError('claim_invalid');
    // S15: exp is required; nbf and iat may not lie in the future beyond the leeway.
    if (typeof exp !== 'number' || typeof iat !== 'number') throw new TokenVerificationError('claim_invalid');
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + leeway))
      throw new TokenVerificationError('claim_invalid');
    if (iat > now + leeway) throw new TokenVerificationError('claim_invalid');
    if (exp <= now - leeway) throw new TokenVerificationError('expired');
    const binding = certificateBinding(payload.cnf);
    const claims: AccessTokenClaims = {
      sub,
      email: typeof payload.email === 'string' ? payload.email : '',
      emailVerified: payload.email_verified === true,
      roles: strings(payload.roles),
      scope: typeof payload.scope === 'string' ? payload.scope : '',
      jti,
      exp,
      iat,
      amr: strings(payload.amr),
    };
    if (typeof payload.auth_time === 'number') claims.authTime = payload.auth_time;
    // RFC 9068 §2.2: a client acting on its own behalf has `sub` = `client_id`. A user's token names the client
    // it was issued to in `client_id` too, but its `sub` is the user: that is not a machine caller.
    if (payload.client_id === sub) claims.clientId = sub;
    if (binding !== undefined) claims.certificateThumbprint = binding;
    return claims;
  }

  /** Imports a key the source returned, once per JWK object; refuses any key that may not verify (S44, S56). */
  private importKey(jwk: JWK): ImportedKey {
    if (jwk.d !== undefined || jwk.kty === 'oct') throw new TokenVerificationError('unknown_kid');
    const alg = declaredAlgorithm(jwk);
    const spec = alg === undefined ? undefined : ALGORITHMS[alg];
    if (alg === undefined || !spec || !this.algorithms.includes(alg)) throw new TokenVerificationError('unknown_kid');
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch (cause) {
      throw new TokenVerificationError('unknown_kid', { cause });
    }
    const details = key.asymmetricKeyDetails ?? {};
    if (
      key.asymmetricKeyType !== spec.keyType ||
      (spec.namedCurve !== undefined && details.namedCurve !== spec.namedCurve) ||
      (spec.minModulusBits !== undefined && (details.modulusLength ?? 0) < spec.minModulusBits)
    ) {
      throw new TokenVerificationError('unknown_kid');
    }
    // Built once: `crypto.verify`'s key argument, with raw r‖s (never DER) for ECDSA.
    const verifyKey = spec.keyType === 'ec' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
    const imported = { alg, spec, verifyKey };
    this.imported.set(jwk, imported);
    return imported;
  }
}
