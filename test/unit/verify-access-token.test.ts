/**
 * The node:crypto verification path for every algorithm a ring can be created with (ES256 is covered in
 * depth by test/security/jwt-attacks.test.ts; this adds RS256 and EdDSA and the key/alg binding).
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { toLowS } from '../../shared/domain/ecdsa.js';
import { exportJWK, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { StaticKeySource } from '../../shared/adapters/static-key-source.js';
import { AccessTokenIssuer } from '../../shared/domain/access-token.js';
import { createRing, currentKey, toJwks, type SigningAlg } from '../../shared/domain/key-ring.js';
import { AccessTokenVerifier, TokenVerificationError } from '../../shared/domain/verify-access-token.js';

const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'https://api.example.test';
const b64u = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);

async function setup(alg: SigningAlg) {
  const ring = await createRing(alg, new Date());
  const issuer = new AccessTokenIssuer(
    { load: async () => ring },
    { now: () => Date.now() },
    { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 900 },
  );
  const verifier = new AccessTokenVerifier(new StaticKeySource(toJwks(ring)), {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: [alg],
    clockToleranceSeconds: 30,
  });
  const token = (await issuer.issue({ id: 'user-1', email: 'a@example.com', roles: ['user'] })).accessToken;
  return { ring, verifier, token };
}

const reason = (p: Promise<unknown>) =>
  p.then(
    () => 'allowed',
    (e: unknown) => (e instanceof TokenVerificationError ? e.reason : String(e)),
  );

describe('Class: AccessTokenVerifier (node:crypto path)', () => {
  it.each<SigningAlg>(['ES256', 'RS256', 'EdDSA'])(
    'S9: a token issued with %s verifies and yields its claims',
    async (alg) => {
      // Prepare
      const { verifier, token } = await setup(alg);

      // Act
      const claims = await verifier.verify(token);

      // Assess
      expect(claims).toMatchObject({ sub: 'user-1', email: 'a@example.com', roles: ['user'] });
      expect(claims.exp - claims.iat).toBe(900);
    },
  );

  it.each<SigningAlg>(['ES256', 'RS256', 'EdDSA'])('S11: %s with one flipped signature bit is denied', async (alg) => {
    const { verifier, token } = await setup(alg);
    const [h, p, s] = token.split('.');
    const sig = Buffer.from(s, 'base64url');
    sig[5] = sig[5] ^ 0x01;
    expect(await reason(verifier.verify(`${h}.${p}.${sig.toString('base64url')}`))).toBe('bad_signature');
  });

  it('S10: a key published for one algorithm never verifies another, even with alg omitted from the JWK', async () => {
    // Prepare: an RSA key without `alg`, and an RS256-signed token, offered to an ES256+RS256 verifier under an ES256 label.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'rsa-no-alg', use: 'sig' };
    const verifier = new AccessTokenVerifier(new StaticKeySource({ keys: [jwk] }), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256', 'RS256'],
      clockToleranceSeconds: 30,
    });
    const payload = { iss: ISSUER, aud: AUDIENCE, sub: 'u', jti: 'j', iat: nowS(), exp: nowS() + 60 };
    const input = `${b64u({ alg: 'ES256', kid: 'rsa-no-alg', typ: 'at+jwt' })}.${b64u(payload)}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;

    // Act / Assess
    expect(await reason(verifier.verify(token))).toBe('unknown_kid');
  });

  it('S10: an RSA key below 2048 bits is refused', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'rsa-1024', alg: 'RS256' };
    const verifier = new AccessTokenVerifier(new StaticKeySource({ keys: [jwk] }), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['RS256'],
      clockToleranceSeconds: 30,
    });
    const payload = { iss: ISSUER, aud: AUDIENCE, sub: 'u', jti: 'j', iat: nowS(), exp: nowS() + 60 };
    const input = `${b64u({ alg: 'RS256', kid: 'rsa-1024', typ: 'at+jwt' })}.${b64u(payload)}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    expect(await reason(verifier.verify(token))).toBe('unknown_kid');
  });

  it('S17: typ application/at+jwt (RFC 9068 long form) is accepted; typ at+JWT in other case too', async () => {
    // Prepare
    const ring = await createRing('ES256', new Date());
    const key = currentKey(ring);
    const { createPrivateKey } = await import('node:crypto');
    const priv = createPrivateKey({ key: key.privateJwk as never, format: 'jwk' });
    const verifier = new AccessTokenVerifier(new StaticKeySource(toJwks(ring)), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      clockToleranceSeconds: 30,
    });
    const make = (typ: string) => {
      const payload = { iss: ISSUER, aud: [AUDIENCE, 'other'], sub: 'u', jti: 'j', iat: nowS(), exp: nowS() + 60 };
      const input = `${b64u({ alg: 'ES256', kid: key.kid, typ })}.${b64u(payload)}`;
      return `${input}.${toLowS(sign('sha256', Buffer.from(input), { key: priv, dsaEncoding: 'ieee-p1363' })).toString('base64url')}`;
    };

    // Act / Assess
    expect(await reason(verifier.verify(make('application/at+jwt')))).toBe('allowed');
    expect(await reason(verifier.verify(make('at+JWT')))).toBe('allowed');
    expect(await reason(verifier.verify(make('application/jwt')))).toBe('claim_invalid');
  });
});

describe('Class: AccessTokenVerifier (the key decides the algorithm, S56)', () => {
  /** A ring holding an ES256 and an EdDSA key at once, as one rotation after a SIGNING_ALG switch does. */
  async function mixedRing() {
    const es = await createRing('ES256', new Date());
    const ed = await createRing('EdDSA', new Date());
    const ring = { version: 1 as const, keys: [{ ...currentKey(es), status: 'previous' as const }, currentKey(ed)] };
    const issue = async (r: typeof es) =>
      (
        await new AccessTokenIssuer(
          { load: async () => r },
          { now: () => Date.now() },
          { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 900 },
        ).issue({ id: 'u', email: 'a@example.com', roles: [] })
      ).accessToken;
    return { ring, esToken: await issue(es), edToken: await issue(ed) };
  }

  it("S56: with no configured algorithm, each token verifies with its own key's alg (ES256 and EdDSA in one ring)", async () => {
    // Prepare
    const { ring, esToken, edToken } = await mixedRing();
    const verifier = new AccessTokenVerifier(new StaticKeySource(toJwks(ring)), {
      issuer: ISSUER,
      audience: AUDIENCE,
      clockToleranceSeconds: 30,
    });

    // Act / Assess
    expect(await reason(verifier.verify(esToken))).toBe('allowed');
    expect(await reason(verifier.verify(edToken))).toBe('allowed');
  });

  it("S56: a header alg other than the key's is refused, whatever the allowed list holds", async () => {
    // Prepare: the EdDSA token's header relabelled ES256 (and the reverse), signatures untouched
    const { ring, esToken, edToken } = await mixedRing();
    const verifier = new AccessTokenVerifier(new StaticKeySource(toJwks(ring)), {
      issuer: ISSUER,
      audience: AUDIENCE,
      clockToleranceSeconds: 30,
    });
    const relabel = (token: string, alg: string) => {
      const [h, p, s] = token.split('.');
      const header = JSON.parse(Buffer.from(h, 'base64url').toString());
      return `${b64u({ ...header, alg })}.${p}.${s}`;
    };

    // Act / Assess
    expect(await reason(verifier.verify(relabel(edToken, 'ES256')))).toBe('unknown_kid');
    expect(await reason(verifier.verify(relabel(esToken, 'EdDSA')))).toBe('unknown_kid');
    expect(await reason(verifier.verify(relabel(esToken, 'RS256')))).toBe('unknown_kid');
  });

  it('S56: none, HMAC and unknown algorithms stay refused before any key lookup', async () => {
    // Prepare
    const { ring, esToken } = await mixedRing();
    let lookups = 0;
    const source = new StaticKeySource(toJwks(ring));
    const counting = { getKey: (kid: string) => (lookups++, source.getKey(kid)) };
    const verifier = new AccessTokenVerifier(counting, {
      issuer: ISSUER,
      audience: AUDIENCE,
      clockToleranceSeconds: 30,
    });
    const [h, p, s] = esToken.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());

    // Act
    const reasons = await Promise.all(
      ['none', 'HS256', 'HS512', 'PS256', 'ES384', 'Ed25519'].map((alg) =>
        reason(verifier.verify(`${b64u({ ...header, alg })}.${p}.${s}`)),
      ),
    );

    // Assess
    expect(reasons.every((r) => r === 'claim_invalid')).toBe(true);
    expect(lookups).toBe(0);
  });

  it('S56: an allowed list narrower than the ring still pins: an EdDSA key is refused by an ES256-only verifier', async () => {
    const { ring, edToken } = await mixedRing();
    const verifier = new AccessTokenVerifier(new StaticKeySource(toJwks(ring)), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      clockToleranceSeconds: 30,
    });
    expect(await reason(verifier.verify(edToken))).toBe('claim_invalid');
  });
});
