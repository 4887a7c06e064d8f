import { errors, importJWK, jwtVerify, type CryptoKey, type JWK, type JWTHeaderParameters } from 'jose';
import type { PublicKeySource } from '../ports.js';

export interface VerifyOptions {
  issuer: string;
  audience: string;
  /** The algorithms this deployment signs with. Never taken from the token. */
  algorithms: string[];
  clockToleranceSeconds: number;
  /** Clock override for tests (epoch ms). */
  now?: () => number;
}

export interface AccessTokenClaims {
  sub: string;
  email: string;
  roles: string[];
  scope: string;
  jti: string;
  exp: number;
  iat: number;
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
 * Verifies an access token the way RFC 8725 asks: compact JWS only, algorithm pinned, key looked up by
 * `kid` in our own ring only, `typ: at+jwt` (RFC 9068), exact `iss` and `aud`, `exp` required, small
 * leeway. Throws `TokenVerificationError`; its `reason` is for logs only, callers answer a bare 401.
 * @example const claims = await verifier.verify(token);
 */
export class AccessTokenVerifier {
  /**
   * Imported keys, keyed on the JWK object the source returned. Keyed this way (and weakly) so that a key
   * the source stops returning — dropped from the ring, or withdrawn after a compromise — stops verifying
   * as soon as the source's own cache lets go of it, instead of living as long as the container.
   * Sources return the same object while they cache a key (JwksKeySource, StaticKeySource do), so this hits.
   */
  private readonly imported = new WeakMap<JWK, { alg: string; key: CryptoKey | Uint8Array }>();

  constructor(
    private readonly source: PublicKeySource,
    private readonly options: VerifyOptions,
  ) {}

  async verify(token: string): Promise<AccessTokenClaims> {
    if (token.length > MAX_TOKEN_BYTES) throw new TokenVerificationError('too_large');
    const parts = token.split('.');
    // Exactly three non-empty base64url segments: refuses JWE (5), JSON serialisation, stripped signatures.
    if (parts.length !== 3 || !parts.every((p) => p.length > 0 && B64URL.test(p))) {
      throw new TokenVerificationError('malformed');
    }
    let header: JWTHeaderParameters;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as JWTHeaderParameters;
    } catch {
      throw new TokenVerificationError('malformed');
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new TokenVerificationError('malformed');
    if (KEY_BEARING_HEADERS.some((h) => h in header)) throw new TokenVerificationError('forbidden_header');
    if (typeof header.alg !== 'string' || !this.options.algorithms.includes(header.alg)) {
      throw new TokenVerificationError('claim_invalid');
    }
    if (typeof header.kid !== 'string' || !KID.test(header.kid)) throw new TokenVerificationError('unknown_kid');
    const key = await this.key(header.kid, header.alg);

    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: this.options.algorithms,
        issuer: this.options.issuer,
        audience: this.options.audience,
        typ: 'at+jwt',
        clockTolerance: this.options.clockToleranceSeconds,
        requiredClaims: ['iss', 'aud', 'sub', 'exp', 'iat', 'jti'],
        currentDate: this.options.now ? new Date(this.options.now()) : undefined,
      });
      const now = Math.floor((this.options.now?.() ?? Date.now()) / 1000);
      // jose accepts any iat; a token minted in the future is refused (S15).
      if (typeof payload.iat !== 'number' || payload.iat > now + this.options.clockToleranceSeconds) {
        throw new TokenVerificationError('claim_invalid');
      }
      if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string') throw new TokenVerificationError('claim_invalid');
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
      return {
        sub: payload.sub,
        email: typeof payload.email === 'string' ? payload.email : '',
        roles,
        scope: typeof payload.scope === 'string' ? payload.scope : '',
        jti: payload.jti,
        exp: payload.exp as number,
        iat: payload.iat,
      };
    } catch (e) {
      if (e instanceof TokenVerificationError) throw e;
      if (e instanceof errors.JWTExpired) throw new TokenVerificationError('expired', { cause: e });
      if (e instanceof errors.JWSSignatureVerificationFailed) throw new TokenVerificationError('bad_signature', { cause: e });
      if (e instanceof errors.JOSEError) throw new TokenVerificationError('claim_invalid', { cause: e });
      throw new TokenVerificationError('malformed', { cause: e });
    }
  }

  private async key(kid: string, alg: string): Promise<CryptoKey | Uint8Array> {
    let jwk: JWK | undefined;
    try {
      // Asked every time: the source owns caching and expiry (a map lookup while its cache is fresh).
      jwk = await this.source.getKey(kid);
    } catch (cause) {
      throw new TokenVerificationError('keys_unavailable', { cause });
    }
    // The key decides the algorithm, not the token: a key published for ES256 never verifies an RS256 token.
    if (!jwk || (jwk.alg !== undefined && jwk.alg !== alg) || jwk.d !== undefined || jwk.kty === 'oct') {
      throw new TokenVerificationError('unknown_kid');
    }
    const cached = this.imported.get(jwk);
    if (cached?.alg === alg) return cached.key;
    const key = await importJWK(jwk, alg);
    this.imported.set(jwk, { alg, key });
    return key;
  }
}
