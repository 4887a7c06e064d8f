/** Input, cookie, CORS and header requirements, observed over HTTP against the local runner. */
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
const APP = 'https://app.example.com';

beforeAll(async () => {
  backend = await startTestBackend({ CORS_ORIGINS: APP });
  call = api(backend.url);
});
afterAll(() => backend?.close());

const expectError = (res: { status: number; body: any }, status: number, code: string) => {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error: code, message: expect.any(String) });
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+|Error:|node_modules/);
};

describe('Input handling', () => {
  it('S46: a body over the limit is 413 before parsing (and never reaches argon2)', async () => {
    const res = await call('POST', '/auth/signup', { json: { email: uniqueEmail(), password: 'x'.repeat(20_000) } });
    expectError(res, 413, 'payload_too_large');
  });

  it('S46: malformed JSON is a generic 400 invalid_json', async () => {
    const res = await call('POST', '/auth/login', {
      body: '{"email": "a@b.c", "password": ',
      headers: { 'content-type': 'application/json' },
    });
    expectError(res, 400, 'invalid_json');
  });

  it('a non-JSON content type is 415', async () => {
    const res = await call('POST', '/auth/login', {
      body: 'email=a@b.c&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(res, 415, 'unsupported_media_type');
  });

  it('S47: wrong types and operator objects are 400 naming the field', async () => {
    const res = await call('POST', '/auth/login', { json: { email: { $ne: null }, password: 'x' } });
    expectError(res, 400, 'invalid_request');
    expect(res.body.message).toMatch(/^email:/);
    const missing = await call('POST', '/auth/signup', { json: { email: uniqueEmail() } });
    expectError(missing, 400, 'invalid_request');
    expect(missing.body.message).toMatch(/^password:/);
  });

  it('S47: unexpected fields such as roles, emailVerified and __proto__ are ignored, never stored', async () => {
    const body = `{"email":"${uniqueEmail()}","password":"${goodPassword()}","roles":["admin"],"emailVerified":true,"__proto__":{"roles":["admin"]}}`;
    const res = await call('POST', '/auth/signup', { body, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
    const me = await call('GET', '/auth/me', { headers: { authorization: `Bearer ${res.body.accessToken}` } });
    expect(me.body.roles).toEqual(['user']);
  });

  it('S48: CR/LF in an address is 400; Unicode look-alike domains never equal the ASCII account', async () => {
    const crlf = await call('POST', '/auth/signup', {
      json: { email: 'a@example.com\r\nBcc: x@evil.test', password: goodPassword() },
    });
    expectError(crlf, 400, 'invalid_request');
    const email = uniqueEmail();
    const password = goodPassword();
    await call('POST', '/auth/signup', { json: { email, password } });
    // Cyrillic "е" in the domain: a different (IDNA) domain, so a different account.
    const lookalike = email.replace('example.com', 'еxample.com');
    const login = await call('POST', '/auth/login', { json: { email: lookalike, password } });
    expect(login.status).toBe(401);
  });
});

describe('Password policy', () => {
  it('S5: shorter than 15 characters is 422 weak_password; 64 characters are accepted', async () => {
    expectError(
      await call('POST', '/auth/signup', { json: { email: uniqueEmail(), password: 'short pass 123' } }),
      422,
      'weak_password',
    );
    const long = 'a long passphrase with many words '.repeat(2).slice(0, 64);
    expect(long).toHaveLength(64);
    expect((await call('POST', '/auth/signup', { json: { email: uniqueEmail(), password: long } })).status).toBe(201);
  });

  it('S5: over the maximum (256) is refused, not truncated', async () => {
    expectError(
      await call('POST', '/auth/signup', { json: { email: uniqueEmail(), password: 'ab1'.repeat(86) } }),
      422,
      'weak_password',
    );
  });

  it('S5: NFKC normalisation on every path: a full-width password signs in with its ASCII form', async () => {
    const email = uniqueEmail();
    const fullWidth = 'ｃｏｒｒｅｃｔ ｈｏｒｓｅ ｂａｔｔｅｒｙ ９';
    expect((await call('POST', '/auth/signup', { json: { email, password: fullWidth } })).status).toBe(201);
    expect((await call('POST', '/auth/login', { json: { email, password: 'correct horse battery 9' } })).status).toBe(
      200,
    );
  });

  it('S6: common passwords from the shipped list are refused', async () => {
    for (const password of ['iloveyouiloveyou', 'passwordpassword', 'aaaaaaaaaaaaaaaaaa']) {
      expectError(
        await call('POST', '/auth/signup', { json: { email: uniqueEmail(), password } }),
        422,
        'weak_password',
      );
    }
  });
});

describe('Cookies, CSRF, CORS and headers', () => {
  it('S41: cookie-authenticated POSTs refuse a foreign Origin, text/plain and form bodies; GET /auth/logout is 405', async () => {
    const signup = await call('POST', '/auth/signup', { json: { email: uniqueEmail(), password: goodPassword() } });
    const cookie = `${REFRESH_COOKIE}=${cookieValue(signup.cookies, REFRESH_COOKIE)}`;
    expectError(
      await call('POST', '/auth/refresh', { headers: { cookie, origin: 'https://evil.example' } }),
      403,
      'forbidden_origin',
    );
    expectError(await call('POST', '/auth/logout', { headers: { cookie, origin: 'null' } }), 403, 'forbidden_origin');
    expectError(
      await call('POST', '/auth/refresh', { headers: { cookie, 'content-type': 'text/plain' }, body: '{}' }),
      415,
      'unsupported_media_type',
    );
    expectError(
      await call('POST', '/auth/logout', {
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'a=b',
      }),
      415,
      'unsupported_media_type',
    );
    expectError(await call('GET', '/auth/logout', { headers: { cookie } }), 405, 'method_not_allowed');
    // The session survived every refused attempt, and an allowed origin works.
    expect((await call('POST', '/auth/refresh', { headers: { cookie, origin: APP } })).status).toBe(200);
  });

  it('S42: CORS echoes an allowlisted origin with Vary and credentials; foreign or null origins get nothing', async () => {
    const pre = await call('OPTIONS', '/auth/login', {
      headers: { origin: APP, 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(APP);
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
    for (const origin of ['https://evil.example', 'null', `${APP}.evil.example`]) {
      const res = await call('OPTIONS', '/auth/login', {
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const get = await call('GET', '/.well-known/jwks.json', { headers: { origin } });
      expect(get.headers.get('access-control-allow-origin')).toBeNull();
    }
    const get = await call('GET', '/.well-known/jwks.json', { headers: { origin: APP } });
    expect(get.headers.get('access-control-allow-origin')).toBe(APP);
    expect(get.headers.get('vary')).toMatch(/Origin/);
  });

  it('S43: every response we produce has HSTS (≥ 1 year, includeSubDomains), nosniff and JSON with charset', async () => {
    const responses = [
      await call('GET', '/.well-known/jwks.json'),
      await call('POST', '/auth/login', { json: { email: uniqueEmail(), password: 'x' } }),
      await call('POST', '/auth/login', { body: '{', headers: { 'content-type': 'application/json' } }),
    ];
    for (const res of responses) {
      const hsts = res.headers.get('strict-transport-security') ?? '';
      expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31_536_000);
      expect(hsts).toMatch(/includeSubDomains/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    }
  });
  it('S58: no response header is empty or "undefined" on a JSON route, an HTML landing page and a 404', async () => {
    // Act
    const responses = {
      json: await call('POST', '/auth/login', { json: { email: uniqueEmail(), password: 'x' } }),
      jwks: await call('GET', '/.well-known/jwks.json'),
      html: await call('GET', '/auth/magic-link/verify?token=x'),
      notFound: await call('GET', '/auth/no-such-route'),
    };

    // Assess
    expect([responses.json.status, responses.jwks.status, responses.html.status, responses.notFound.status]).toEqual([
      401, 200, 200, 404,
    ]);
    for (const res of Object.values(responses)) {
      const blank = [...res.headers].filter(([, v]) => v.trim() === '' || v.trim() === 'undefined').map(([k]) => k);
      expect(blank).toEqual([]);
      expect(res.headers.get('server')).toBeNull();
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
    expect(responses.html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(responses.html.headers.get('x-xss-protection')).toBe('0');
    expect(responses.html.headers.get('content-security-policy')).not.toMatch(/report-to/);
  });

  it('S58: JWKS and discovery answer Vary: Origin with and without an Origin', async () => {
    for (const path of ['/.well-known/jwks.json', '/.well-known/openid-configuration']) {
      // Act
      const [none, allowed, foreign] = [
        await call('GET', path),
        await call('GET', path, { headers: { origin: APP } }),
        await call('GET', path, { headers: { origin: 'https://evil.example' } }),
      ];

      // Assess
      for (const res of [none, allowed, foreign]) {
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toMatch(/^public/);
        expect(res.headers.get('vary')).toMatch(/(^|,\s*)Origin(\s*,|$)/i);
      }
    }
  });
});

describe('Cookie tossing (S54)', () => {
  const session = async () => {
    const res = await call('POST', '/auth/signup', { json: { email: uniqueEmail(), password: goodPassword() } });
    return cookieValue(res.cookies, REFRESH_COOKIE)!;
  };
  const isClearing = (line: string) => line.startsWith(`${REFRESH_COOKIE}=;`) && /Max-Age=0/.test(line);

  it('S54: two refresh cookies in one request → 401 invalid_token, both cleared, neither session used', async () => {
    // Prepare: the victim's session, and a copy an attacker planted from a sibling host (sent first)
    const [victim, attacker] = [await session(), await session()];
    const tossed = `${REFRESH_COOKIE}=${attacker}; ${REFRESH_COOKIE}=${victim}`;

    // Act
    const refresh = await call('POST', '/auth/refresh', { headers: { cookie: tossed } });
    const logout = await call('POST', '/auth/logout', { headers: { cookie: tossed } });
    const withBody = await call('POST', '/auth/refresh', {
      headers: { cookie: tossed },
      json: { refreshToken: victim },
    });

    // Assess
    for (const res of [refresh, logout, withBody]) {
      expectError(res, 401, 'invalid_token');
      expect(res.cookies.length).toBeGreaterThan(0);
      expect(res.cookies.every(isClearing)).toBe(true);
      expect(res.cookies.some((l) => /Path=\/auth;/.test(l))).toBe(true);
    }
    // Neither copy was rotated or revoked: each still works on its own.
    expect((await call('POST', '/auth/refresh', { headers: { cookie: `${REFRESH_COOKIE}=${victim}` } })).status).toBe(
      200,
    );
    expect((await call('POST', '/auth/refresh', { headers: { cookie: `${REFRESH_COOKIE}=${attacker}` } })).status).toBe(
      200,
    );
  });

  it('S54: the same cookie twice with the same value is refused too (which copy is whose cannot be told)', async () => {
    const victim = await session();
    const res = await call('POST', '/auth/refresh', {
      headers: { cookie: `${REFRESH_COOKIE}=${victim}; ${REFRESH_COOKIE}=${victim}` },
    });
    expectError(res, 401, 'invalid_token');
    expect(res.cookies.every(isClearing)).toBe(true);
  });
});
