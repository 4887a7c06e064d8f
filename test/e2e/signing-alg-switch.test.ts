/**
 * S56 end to end, through the local runner: an ES256 ring, then `SIGNING_ALG=EdDSA`, then rotations. Nobody is
 * locked out at any step; discovery lists the algorithms of the keys actually published; tokens signed by the
 * new EdDSA key are accepted by our authorizer, jose and aws-jwt-verify; ES256 tokens issued before keep working.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtVerifier } from 'aws-jwt-verify';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { FileKeyRing } from '../../shared/adapters/local/file-key-ring.js';
import {
  api,
  cookieValue,
  goodPassword,
  REFRESH_COOKIE,
  startTestBackend,
  uniqueEmail,
} from '../helpers/local-backend.js';

let backend: LocalBackend;
let call: ReturnType<typeof api>;
let ringFile: string;

/** How long a signer, the JWKS function and the authorizer may each keep what they read (the test's caches). */
const CACHE_SECONDS = 1;

beforeAll(async () => {
  // A ring made while the deployment signed with ES256 (what every existing install has).
  ringFile = join(await mkdtemp(join(tmpdir(), 'alg-switch-')), 'keyring.json');
  await new FileKeyRing(ringFile, 'ES256').load();
  // Then the operator sets SIGNING_ALG=EdDSA and restarts. Short caches, so each function sees each rotation soon.
  const seconds = String(CACHE_SECONDS);
  backend = await startTestBackend({
    KEY_RING_FILE: ringFile,
    SIGNING_ALG: 'EdDSA',
    KEY_RING_CACHE_SECONDS: seconds,
    JWKS_CACHE_SECONDS: seconds,
    JWKS_COOLDOWN_SECONDS: seconds,
  });
  call = api(backend.url);
});
afterAll(() => backend?.close());

/**
 * One rotation step, as the rotation function does it with the new SIGNING_ALG: the ring file is rewritten
 * (atomically) by another process, and every function of the runner reads it again once its cache has expired.
 */
async function rotate(): Promise<void> {
  await new FileKeyRing(ringFile, 'EdDSA').rotate();
  // The ring's cache in the JWKS function, then the authorizer's JWKS cache: both have expired after this.
  await new Promise((r) => setTimeout(r, 2 * CACHE_SECONDS * 1000 + 300));
}

const algOf = (token: string) => decodeProtectedHeader(token).alg;
const me = (token: string) => call('GET', '/auth/me', { headers: { authorization: `Bearer ${token}` } });
const discovered = async () =>
  (await call('GET', '/.well-known/openid-configuration')).body.access_token_signing_alg_values_supported as string[];
const publishedAlgs = async () => ((await call('GET', '/.well-known/jwks.json')).body.keys as JWK[]).map((k) => k.alg);

describe('S56: switching SIGNING_ALG on an existing ring', () => {
  it('S56: ES256 ring → SIGNING_ALG=EdDSA → rotate twice: nobody locked out, EdDSA tokens accepted by our authorizer, jose and aws-jwt-verify', async () => {
    // Prepare: a session on the ES256 ring, with SIGNING_ALG already saying EdDSA
    const signup = await call('POST', '/auth/signup', {
      json: { email: uniqueEmail('alg'), password: goodPassword() },
    });
    expect(signup.status).toBe(201);
    let cookie = `${REFRESH_COOKIE}=${cookieValue(signup.cookies, REFRESH_COOKIE)}`;
    const refresh = async () => {
      const res = await call('POST', '/auth/refresh', { headers: { cookie } });
      expect(res.status).toBe(200);
      cookie = `${REFRESH_COOKIE}=${cookieValue(res.cookies, REFRESH_COOKIE)}`;
      return res.body.accessToken as string;
    };
    const beforeSwitch = signup.body.accessToken as string;

    // Assess (before any rotation): still signed by the ring's current ES256 key, accepted, and advertised as such
    expect(algOf(beforeSwitch)).toBe('ES256');
    expect((await me(beforeSwitch)).status).toBe(200);
    expect(await discovered()).toEqual(['ES256']);

    // Act 1: the first rotation mints the new `next` key in EdDSA; `current` is still an ES256 key
    await rotate();
    const afterFirst = await refresh();

    // Assess 1
    expect(await publishedAlgs()).toEqual(['ES256', 'EdDSA', 'ES256']); // current, next, previous
    expect(await discovered()).toEqual(['ES256', 'EdDSA']);
    expect(algOf(afterFirst)).toBe('ES256');
    expect((await me(afterFirst)).status).toBe(200);
    expect((await me(beforeSwitch)).status).toBe(200); // signed by what is now `previous`

    // Act 2: the EdDSA key becomes `current`
    await rotate();
    const afterSecond = await refresh();

    // Assess 2: EdDSA tokens now, and the ES256 token issued before still verifies until it expires
    expect(await publishedAlgs()).toEqual(['EdDSA', 'EdDSA', 'ES256']);
    expect(await discovered()).toEqual(['EdDSA', 'ES256']);
    expect(algOf(afterSecond)).toBe('EdDSA');
    expect((await me(afterSecond)).status).toBe(200);
    expect((await me(afterFirst)).status).toBe(200);

    // Other verifiers, fed the published JWKS and the discovered algorithms, accept both tokens
    const jwks = (await call('GET', '/.well-known/jwks.json')).body as { keys: JWK[] };
    const algorithms = await discovered();
    const options = { issuer: backend.url, audience: backend.url, typ: 'at+jwt', algorithms };
    for (const token of [afterSecond, afterFirst]) {
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), options);
      expect(payload.iss).toBe(backend.url);
    }
    const awsVerifier = JwtVerifier.create({
      issuer: backend.url,
      audience: backend.url,
      jwksUri: `${backend.url}/.well-known/jwks.json`,
    });
    awsVerifier.cacheJwks(jwks as never);
    for (const token of [afterSecond, afterFirst]) {
      const payload = await awsVerifier.verify(token);
      expect(payload.sub).toBe((await me(token)).body.sub);
    }
  });
});
