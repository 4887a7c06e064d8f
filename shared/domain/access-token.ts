import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type CryptoKey } from 'jose';
import { AuthError } from './errors.js';
import { nowSeconds, type Clock } from '../ports/clock.js';
import type { KeyRing } from '../ports/key-ring.js';
import { toLowSJws } from './ecdsa.js';
import { currentKey } from './key-ring.js';

export interface AccessTokenOptions {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessTokenSubject {
  id: string;
  email: string;
  roles: string[];
  /** Authentication methods of the sign-in (RFC 8176), e.g. `['pwd']`; omitted from the token when unknown. */
  amr?: string[];
  /** Whether the address was proven (S53). The token always says: absent means `false`, never "assume yes". */
  emailVerified?: boolean;
  /** When the sign-in that started this session happened (epoch seconds, OIDC `auth_time`); kept across refreshes. */
  authTime?: number;
}

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
}

/** Signs RFC 9068 access tokens with the ring's `current` key. */
export class AccessTokenIssuer {
  private readonly imported = new Map<string, CryptoKey | Uint8Array>();

  constructor(
    private readonly keyRing: KeyRing,
    private readonly clock: Clock,
    private readonly options: AccessTokenOptions,
  ) {}

  async issue(subject: AccessTokenSubject, scope = 'openid'): Promise<IssuedAccessToken> {
    return this.sign(subject.id, {
      email: subject.email,
      email_verified: subject.emailVerified === true,
      roles: subject.roles,
      scope,
      client_id: this.options.audience,
      ...(subject.amr?.length ? { amr: subject.amr } : {}),
      ...(subject.authTime !== undefined ? { auth_time: subject.authTime } : {}),
    });
  }

  /**
   * A machine client's token (RFC 9068 §2.2, client credentials): `sub` and `client_id` are the client id, `scope`
   * the granted scopes, and no user claim at all (no `email`, `roles`, `amr`, S76), so a role-protected route refuses
   * it and a scope-protected one sees exactly the scopes. `cnf` binds it to a client certificate (RFC 8705 §3).
   */
  issueClientToken(clientId: string, scope: string, cnf?: { 'x5t#S256': string }): Promise<IssuedAccessToken> {
    return this.sign(clientId, { client_id: clientId, scope, ...(cnf ? { cnf } : {}) });
  }

  private async sign(sub: string, claims: Record<string, unknown>): Promise<IssuedAccessToken> {
    let ring;
    try {
      ring = await this.keyRing.load();
    } catch (cause) {
      throw new AuthError('service_unavailable', 'Signing keys are not available; try again shortly.', { cause });
    }
    const key = currentKey(ring);
    let privateKey = this.imported.get(key.kid);
    if (!privateKey) {
      privateKey = await importJWK(key.privateJwk, key.alg);
      this.imported.set(key.kid, privateKey);
    }
    const iat = nowSeconds(this.clock);
    const signed = await new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.options.ttlSeconds)
      .setJti(randomUUID())
      .sign(privateKey);
    // One valid string per token (S14): ECDSA signatures are issued in low-S form, which verifiers require.
    const accessToken = key.alg === 'ES256' ? toLowSJws(signed) : signed;
    return { accessToken, expiresIn: this.options.ttlSeconds };
  }
}
