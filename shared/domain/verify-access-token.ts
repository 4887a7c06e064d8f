import { createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { PublicKeySource } from '../ports/key-ring.js';
import { isLowS } from './ecdsa.js';
import { hasDuplicateTopLevelKeys } from './json-duplicates.js';

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
const B64URL = /^[A-Za-z0-9_-]+$/;
/** Headers that would let a token choose its own key (S12). */
const KEY_BEARING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'];
const KID = /^[A-Za-z0-9_-]{1,128}$/;

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

function decodeJson(segment: string): Claims {
  let value: unknown;
  let text: string;
  try {
    text = Buffer.from(segment, 'base64url').toString('utf8');
    value = JSON.parse(text);
  } catch {
    throw new TokenVerificationError('malformed');
  }
  // One fixed way with duplicate member names (`{"alg":"none","alg":"ES256"}`): refuse, never pick one.
  if (hasDuplicateTopLevelKeys(text)) throw new TokenVerificationError('malformed');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TokenVerificationError('malformed');
  return value as Claims;
}

/** RFC 9068 §4: `at+jwt`, also written `application/at+jwt` (media types are case-insensitive). */
const isAccessTokenTyp = (typ: unknown) =>
  typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === 'at+jwt';

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
 * check jose made is kept (test/security/jwt-attacks.test.ts is the specification).
 * @example const claims = await verifier.verify(token);
 */
export class AccessTokenVerifier {
  /**
   * Imported keys, keyed on the JWK object the source returned. Keyed this way (and weakly) so that a key
   * the source stops returning — dropped from the ring, or withdrawn after a compromise — stops verifying
   * as soon as the source's own cache lets go of it, instead of living as long as the container.
   * Sources return the same object while they cache a key (JwksKeySource, StaticKeySource do), so this hits.
   */
  private readonly imported = new WeakMap<JWK, { alg: string; key: KeyObject }>();

  private readonly algorithms: readonly string[];

  constructor(
    private readonly source: PublicKeySource,
    private readonly options: VerifyOptions,
  ) {
    this.algorithms = options.algorithms ?? SUPPORTED_ALGORITHMS;
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    if (token.length > MAX_TOKEN_BYTES) throw new TokenVerificationError('too_large');
    const parts = token.split('.');
    // Exactly three non-empty base64url segments: refuses JWE (5), JSON serialisation, stripped signatures.
    if (parts.length !== 3 || !parts.every((p) => p.length > 0 && B64URL.test(p))) {
      throw new TokenVerificationError('malformed');
    }
    const [headerSegment, payloadSegment, signatureSegment] = parts as [string, string, string];
    const header = decodeJson(headerSegment);
    if (KEY_BEARING_HEADERS.some((h) => h in header)) throw new TokenVerificationError('forbidden_header');
    const alg = header.alg;
    // Refused before any key lookup (no JWKS fetch for `none` or HS256); the key's own `alg` is checked below.
    if (typeof alg !== 'string' || !this.algorithms.includes(alg)) throw new TokenVerificationError('claim_invalid');
    // We understand no JWS extension, so any `crit` is one we must refuse (RFC 7515 §4.1.11), b64=false included.
    if ('crit' in header) throw new TokenVerificationError('claim_invalid');
    if (typeof header.kid !== 'string' || !KID.test(header.kid)) throw new TokenVerificationError('unknown_kid');
    const { key, spec } = await this.key(header.kid, alg);

    const signature = Buffer.from(signatureSegment, 'base64url');
    if (spec.signatureBytes !== undefined && signature.length !== spec.signatureBytes)
      throw new TokenVerificationError('bad_signature');
    const signingInput = Buffer.from(token.slice(0, headerSegment.length + 1 + payloadSegment.length), 'ascii');
    let valid: boolean;
    try {
      valid = verifySignature(
        spec.digest,
        signingInput,
        spec.keyType === 'ec' ? { key, dsaEncoding: 'ieee-p1363' } : key,
        signature,
      );
    } catch (cause) {
      throw new TokenVerificationError('bad_signature', { cause });
    }
    if (!valid) throw new TokenVerificationError('bad_signature');
    // The high-S twin (r, n − s) of a valid ECDSA signature also verifies; only the low-S form we issue is
    // canonical, so a token has exactly one accepted string (S14).
    if (alg === 'ES256' && !isLowS(signature)) throw new TokenVerificationError('bad_signature');

    // Type confusion (S17): an ID token or any other JWT signed by a key we trust is not an access token.
    if (!isAccessTokenTyp(header.typ)) throw new TokenVerificationError('claim_invalid');
    return this.claims(decodeJson(payloadSegment));
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
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
    return {
      sub,
      email: typeof payload.email === 'string' ? payload.email : '',
      emailVerified: payload.email_verified === true,
      roles,
      scope: typeof payload.scope === 'string' ? payload.scope : '',
      jti,
      exp,
      iat,
      amr: Array.isArray(payload.amr) ? payload.amr.filter((a): a is string => typeof a === 'string') : [],
      ...(typeof payload.auth_time === 'number' ? { authTime: payload.auth_time } : {}),
      // RFC 9068 §2.2: a client acting on its own behalf has `sub` = `client_id`. A user's token names the client
      // it was issued to in `client_id` too, but its `sub` is the user: that is not a machine caller.
      ...(payload.client_id === sub ? { clientId: sub } : {}),
      ...(binding !== undefined ? { certificateThumbprint: binding } : {}),
    };
  }

  private async key(kid: string, alg: string): Promise<{ key: KeyObject; spec: AlgorithmSpec }> {
    let jwk: JWK | undefined;
    try {
      // Asked every time: the source owns caching and expiry (a map lookup while its cache is fresh).
      jwk = await this.source.getKey(kid);
    } catch (cause) {
      throw new TokenVerificationError('keys_unavailable', { cause });
    }
    if (!jwk || jwk.d !== undefined || jwk.kty === 'oct') throw new TokenVerificationError('unknown_kid');
    // The key decides the algorithm, not the token nor the configuration (S56): kid → key → alg. A key published
    // for ES256 never verifies an RS256 or EdDSA token, and the header must name exactly the key's algorithm.
    const keyAlg = declaredAlgorithm(jwk);
    const spec = keyAlg === undefined ? undefined : ALGORITHMS[keyAlg];
    if (!spec || keyAlg !== alg || !this.algorithms.includes(keyAlg)) throw new TokenVerificationError('unknown_kid');
    const cached = this.imported.get(jwk);
    if (cached?.alg === alg) return { key: cached.key, spec };
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
    this.imported.set(jwk, { alg, key });
    return { key, spec };
  }
}
