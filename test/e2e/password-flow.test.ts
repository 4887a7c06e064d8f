/**
 * The walkthrough of functions/README.md, over HTTP against the local runner: sign up, log in, call the protected
 * route through the authorizer, refresh (rotation), reuse detection, logout, logout-all.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
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

beforeAll(async () => {
  backend = await startTestBackend();
  call = api(backend.url);
});
afterAll(() => backend?.close());

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const withCookie = (v: string) => ({ cookie: `${REFRESH_COOKIE}=${v}` });

async function signUp(email = uniqueEmail(), password = goodPassword()) {
  const res = await call('POST', '/auth/signup', { json: { email, password } });
  expect(res.status).toBe(201);
  return {
    email,
    password,
    res,
    refresh: cookieValue(res.cookies, REFRESH_COOKIE)!,
    access: res.body.accessToken as string,
  };
}

describe('Password sign-in flow (e2e)', () => {
  it('signup answers 201 with the token response and the refresh cookie (S9, S28, S40)', async () => {
    const { res, email } = await signUp();
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(res.body.refreshToken).toBeUndefined();
    expect(res.headers.get('cache-control')).toBe('no-store');
    const line = res.cookies.find((c) => c.startsWith(`${REFRESH_COOKIE}=`))!;
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; Secure/);
    expect(line).toMatch(/; SameSite=Strict/);
    expect(line).toMatch(/; Path=\/auth/);
    expect(line).toMatch(/; Max-Age=\d+/);
    expect(line).not.toMatch(/Domain=/i);
    const header = decodeProtectedHeader(res.body.accessToken);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(header.kid).toBeTruthy();
    const claims = decodeJwt(res.body.accessToken);
    expect(claims).toMatchObject({ iss: backend.url, aud: backend.url, email, roles: ['user'] });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(900);
  });

  it('a native client gets the refresh token in the body when it asks', async () => {
    const res = await call('POST', '/auth/signup', {
      json: { email: uniqueEmail(), password: goodPassword(), tokenDelivery: 'body' },
    });
    expect(res.status).toBe(201);
    expect(res.body.refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    const viaHeader = await call('POST', '/auth/login', {
      json: { email: uniqueEmail(), password: goodPassword() },
      headers: { 'x-token-delivery': 'body' },
    });
    expect(viaHeader.status).toBe(401);
  });

  it('a second signup with the same email (any case) is 409 email_taken (S48)', async () => {
    const { email, password } = await signUp();
    const res = await call('POST', '/auth/signup', { json: { email: `  ${email.toUpperCase()} `, password } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'email_taken', message: expect.any(String) });
  });

  it('login accepts the canonical email in another case and answers 200 (S48)', async () => {
    const { email, password } = await signUp();
    const res = await call('POST', '/auth/login', { json: { email: email.toUpperCase(), password } });
    expect(res.status).toBe(200);
    expect(res.body.accessToken).toBeTruthy();
    expect(cookieValue(res.cookies, REFRESH_COOKIE)).toMatch(/^rt_/);
  });

  it('S53: GET /auth/me echoes the identity the authorizer passed, with emailVerified and amr', async () => {
    const { access, email } = await signUp();
    const res = await call('GET', '/auth/me', { headers: bearer(access) });
    expect(res.status).toBe(200);
    // A password sign-up proves nothing about the address: downstream code must not trust `email` yet.
    expect(res.body).toEqual({
      sub: decodeJwt(access).sub,
      email,
      emailVerified: false,
      roles: ['user'],
      amr: ['pwd'],
    });
    expect(decodeJwt(access)).toMatchObject({ email_verified: false, auth_time: expect.any(Number) });
  });

  it('GET /auth/me without a token, or with a bad one, is 401 from the gateway', async () => {
    expect((await call('GET', '/auth/me')).status).toBe(401);
    expect((await call('GET', '/auth/me', { headers: bearer('not.a.jwt') })).status).toBe(401);
    const { access } = await signUp();
    const [h, p] = access.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${p}.`;
    expect((await call('GET', '/auth/me', { headers: bearer(unsigned) })).status).toBe(401);
    expect((await call('GET', '/auth/me', { headers: bearer(`${h}.${p}.AAAA`) })).status).toBe(401);
  });

  it('refresh rotates: new pair issued, the old token then fails (S22)', async () => {
    const { refresh } = await signUp();
    const first = await call('POST', '/auth/refresh', { headers: withCookie(refresh) });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const next = cookieValue(first.cookies, REFRESH_COOKIE)!;
    expect(next).toMatch(/^rt_/);
    expect(next).not.toBe(refresh);
    const me = await call('GET', '/auth/me', { headers: bearer(first.body.accessToken) });
    expect(me.status).toBe(200);
    const second = await call('POST', '/auth/refresh', { headers: withCookie(next) });
    expect(second.status).toBe(200);
    // How the session signed in (RFC 8176) is kept for the whole family.
    expect(decodeJwt(second.body.accessToken).amr).toEqual(['pwd']);
  });

  it('reuse of a rotated token answers token_reused and revokes the whole family (S23)', async () => {
    const { refresh } = await signUp();
    const rotated = await call('POST', '/auth/refresh', { headers: withCookie(refresh) });
    const newest = cookieValue(rotated.cookies, REFRESH_COOKIE)!;
    const reuse = await call('POST', '/auth/refresh', { headers: withCookie(refresh) });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error).toBe('token_reused');
    const afterReuse = await call('POST', '/auth/refresh', { headers: withCookie(newest) });
    expect(afterReuse.status).toBe(401);
    expect(afterReuse.body.error).toBe('invalid_token');
  });

  it('S25: 10 parallel refreshes of one token (grace 0) yield exactly one success and no valid successor survives twice', async () => {
    const { refresh } = await signUp();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => call('POST', '/auth/refresh', { headers: withCookie(refresh) })),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(401);
      expect(['token_reused', 'invalid_token']).toContain(r.body.error);
    }
  });

  it('refresh with an unknown or malformed token is 401 invalid_token', async () => {
    for (const token of ['rt_' + 'A'.repeat(43), 'garbage', '']) {
      const res = await call('POST', '/auth/refresh', { json: { refreshToken: token } });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_token');
    }
    const none = await call('POST', '/auth/refresh');
    expect(none.status).toBe(401);
  });

  it('a native client refreshes with the token in the body and gets the next one in the body', async () => {
    const res = await call('POST', '/auth/signup', {
      json: { email: uniqueEmail(), password: goodPassword(), tokenDelivery: 'body' },
    });
    const next = await call('POST', '/auth/refresh', { json: { refreshToken: res.body.refreshToken } });
    expect(next.status).toBe(200);
    expect(next.body.refreshToken).toMatch(/^rt_/);
    expect(next.body.refreshToken).not.toBe(res.body.refreshToken);
  });

  it('logout revokes the family and clears the cookie with the same attributes (S27, S40)', async () => {
    const { refresh } = await signUp();
    const res = await call('POST', '/auth/logout', { headers: withCookie(refresh) });
    expect(res.status).toBe(204);
    const cleared = res.cookies.find((c) => c.startsWith(`${REFRESH_COOKIE}=`))!;
    expect(cleared).toMatch(/^__Secure-refresh_token=;/);
    expect(cleared).toMatch(/Max-Age=0/);
    expect(cleared).toMatch(/HttpOnly; Secure; SameSite=Strict; Path=\/auth/);
    const after = await call('POST', '/auth/refresh', { headers: withCookie(refresh) });
    expect(after.status).toBe(401);
  });

  it('logout with an unknown token or none is still 204', async () => {
    expect((await call('POST', '/auth/logout')).status).toBe(204);
    expect((await call('POST', '/auth/logout', { json: { refreshToken: 'rt_' + 'B'.repeat(43) } })).status).toBe(204);
  });

  it('logout-all revokes every session of the caller and no one else (S27)', async () => {
    const { email, password, refresh: first } = await signUp();
    const second = await call('POST', '/auth/login', { json: { email, password } });
    const other = await signUp();
    const res = await call('POST', '/auth/logout-all', { headers: bearer(second.body.accessToken) });
    expect(res.status).toBe(204);
    expect((await call('POST', '/auth/refresh', { headers: withCookie(first) })).status).toBe(401);
    const secondRefresh = cookieValue(second.cookies, REFRESH_COOKIE)!;
    expect((await call('POST', '/auth/refresh', { headers: withCookie(secondRefresh) })).status).toBe(401);
    expect((await call('POST', '/auth/refresh', { headers: withCookie(other.refresh) })).status).toBe(200);
  });

  it('logout-all without a bearer token is 401', async () => {
    expect((await call('POST', '/auth/logout-all')).status).toBe(401);
  });

  it('S8: a refresh cookie planted before login is ignored; login starts a new family', async () => {
    const victim = await signUp();
    const attacker = await signUp();
    const login = await call('POST', '/auth/login', {
      json: { email: victim.email, password: victim.password },
      headers: withCookie(attacker.refresh),
    });
    expect(login.status).toBe(200);
    const issued = cookieValue(login.cookies, REFRESH_COOKIE)!;
    expect(issued).not.toBe(attacker.refresh);
    const refreshed = await call('POST', '/auth/refresh', { headers: withCookie(issued) });
    expect(decodeJwt(refreshed.body.accessToken).sub).toBe(decodeJwt(victim.access).sub);
  });

  it('JWKS and openid-configuration are public and cacheable; JWKS has public members only (S44)', async () => {
    const jwks = await call('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(jwks.body.keys.length).toBeGreaterThanOrEqual(2);
    for (const k of jwks.body.keys)
      for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(k).not.toHaveProperty(m);
    expect(new Set(jwks.body.keys.map((k: { kid: string }) => k.kid)).size).toBe(jwks.body.keys.length);
    const meta = await call('GET', '/.well-known/openid-configuration');
    expect(meta.body).toMatchObject({ issuer: backend.url, jwks_uri: `${backend.url}/.well-known/jwks.json` });
  });

  it('the local runner serves the OpenAPI description at /openapi.json', async () => {
    const res = await call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.paths['/auth/login'].post).toBeTruthy();
  });

  it('unknown routes are 404 like API Gateway', async () => {
    const res = await call('GET', '/auth/nope');
    expect(res.status).toBe(404);
  });
});
