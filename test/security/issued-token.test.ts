/** S9 (what we issue), S44 (what we publish) and S45 (rotation overlap), on the real issuer, ring and verifier. */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { StaticKeySource } from '../../shared/adapters/static-key-source.js';
import { AccessTokenIssuer } from '../../shared/domain/access-token.js';
import { createRing, currentKey, rotateRing, toJwks } from '../../shared/domain/key-ring.js';
import { AccessTokenVerifier, type VerifyOptions } from '../../shared/domain/verify-access-token.js';
import type { KeyRingDocument } from '../../shared/ports/key-ring.js';

const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'https://api.example.test';
const VERIFY: VerifyOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], clockToleranceSeconds: 30 };
const ALLOWED_ALGS = ['ES256', 'RS256', 'EdDSA'];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const subject = { id: 'user-1', email: 'alice@example.com', roles: ['user'] };
const clock = { now: () => Date.now() };

const issuerFor = (ring: KeyRingDocument) =>
  new AccessTokenIssuer({ load: async () => ring }, clock, { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 900 });
const verifierFor = (ring: KeyRingDocument) => new AccessTokenVerifier(new StaticKeySource(toJwks(ring)), VERIFY);

let ring: KeyRingDocument;

beforeAll(async () => {
  ring = await createRing('ES256', new Date());
});

describe('S9: issued access tokens', () => {
  it('S9: header is typ at+jwt, an allowlisted asymmetric alg (ES256) and the current kid', async () => {
    // Act
    const { accessToken } = await issuerFor(ring).issue(subject);
    const header = decodeProtectedHeader(accessToken);

    // Assess
    expect(header).toEqual({ alg: 'ES256', kid: currentKey(ring).kid, typ: 'at+jwt' });
    expect(ALLOWED_ALGS).toContain(header.alg);
  });

  it('S9: claims iss, sub, aud, exp, iat, jti, client_id, email, roles, scope; lifetime ≤ 15 min', async () => {
    // Act
    const { accessToken, expiresIn } = await issuerFor(ring).issue(subject, 'openid profile');
    const claims = decodeJwt(accessToken);

    // Assess
    expect(claims).toMatchObject({
      iss: ISSUER,
      sub: 'user-1',
      aud: AUDIENCE,
      client_id: AUDIENCE,
      email: 'alice@example.com',
      roles: ['user'],
      scope: 'openid profile',
    });
    expect(claims.jti).toEqual(expect.any(String));
    expect(typeof claims.iat).toBe('number');
    expect(typeof claims.exp).toBe('number');
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(900);
    expect(claims.exp! - claims.iat!).toBeGreaterThan(0);
    expect(expiresIn).toBe(claims.exp! - claims.iat!);
  });

  it('S9: every token gets its own jti', async () => {
    // Act
    const tokens = await Promise.all(Array.from({ length: 20 }, () => issuerFor(ring).issue(subject)));

    // Assess
    expect(new Set(tokens.map((t) => decodeJwt(t.accessToken).jti)).size).toBe(20);
  });

  it('S9: an issued token verifies with the published keys', async () => {
    // Act
    const { accessToken } = await issuerFor(ring).issue(subject);
    const claims = await verifierFor(ring).verify(accessToken);

    // Assess
    expect(claims).toMatchObject({ sub: 'user-1', roles: ['user'], email: 'alice@example.com' });
  });
});

describe('S44: the published JWKS', () => {
  it('S44: public members only, unique kids, all three statuses after one rotation', async () => {
    // Prepare
    const rotated = await rotateRing(ring, 'ES256', new Date());

    // Act
    const jwks = toJwks(rotated);

    // Assess
    expect(rotated.keys.map((k) => k.status).sort()).toEqual(['current', 'next', 'previous']);
    expect(jwks.keys).toHaveLength(3);
    for (const key of jwks.keys) {
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
      expect(key.kty).not.toBe('oct');
      expect(key.kid).toEqual(expect.any(String));
    }
    expect(new Set(jwks.keys.map((k) => k.kid)).size).toBe(3);
    expect(JSON.stringify(jwks)).not.toMatch(/"d"\s*:/);
  });

  it('S44: the ring itself does hold private keys (so the JWKS filter is what protects them)', () => {
    expect(ring.keys.every((k) => typeof k.privateJwk.d === 'string')).toBe(true);
  });
});

describe('S45: rotation with overlap', () => {
  it('S45: a token signed by the current key still verifies after one rotation (its key is now previous)', async () => {
    // Prepare
    const { accessToken } = await issuerFor(ring).issue(subject);
    const { kid } = decodeProtectedHeader(accessToken);

    // Act
    const rotated = await rotateRing(ring, 'ES256', new Date());
    const claims = await verifierFor(rotated).verify(accessToken);

    // Assess
    expect(rotated.keys.find((k) => k.kid === kid)?.status).toBe('previous');
    expect(claims.sub).toBe('user-1');
  });

  it('S45: the next key is published before it signs: a verifier holding the pre-rotation JWKS accepts post-rotation tokens', async () => {
    // Prepare: a verifier whose key cache was filled before the rotation.
    const nextKid = ring.keys.find((k) => k.status === 'next')!.kid;
    const staleVerifier = verifierFor(ring);
    expect(toJwks(ring).keys.map((k) => k.kid)).toContain(nextKid);

    // Act
    const rotated = await rotateRing(ring, 'ES256', new Date());
    const { accessToken } = await issuerFor(rotated).issue(subject);

    // Assess
    expect(decodeProtectedHeader(accessToken).kid).toBe(nextKid);
    expect((await staleVerifier.verify(accessToken)).sub).toBe('user-1');
  });

  it('S45: after two rotations the oldest key is no longer published (its tokens expired long before)', async () => {
    // Prepare
    const { accessToken } = await issuerFor(ring).issue(subject);
    const twice = await rotateRing(await rotateRing(ring, 'ES256', new Date()), 'ES256', new Date());

    // Act / Assess
    await expect(verifierFor(twice).verify(accessToken)).rejects.toMatchObject({ reason: 'unknown_kid' });
  });
});
