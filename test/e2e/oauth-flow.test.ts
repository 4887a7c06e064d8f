/**
 * Social sign-in end to end: the local runner (our handlers behind the API-Gateway-like server) against REAL
 * OpenID providers (npm `oidc-provider`, in-process on loopback, infra/local/dev-oidc.ts), driven over HTTP the
 * way a browser would. Tampered ID tokens are produced by the provider itself: a middleware rewrites its token
 * response and re-signs the ID token with the provider's own key (or another key, to break the signature).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDevOidc, type DevOidc } from '../../infra/local/dev-oidc.js';
import type { LocalBackend } from '../../infra/local/start.js';
import {
  api,
  cookieValue,
  goodPassword,
  REFRESH_COOKIE,
  startTestBackend,
  uniqueEmail,
} from '../helpers/local-backend.js';
import { CookieJar, request, signInAtProvider } from '../helpers/oauth-flow.js';

const SECRET = randomBytes(16).toString('hex');
let backend: LocalBackend;
let call: ReturnType<typeof api>;
let dev: DevOidc; // ID token carries email
let devUi: DevOidc; // email only in UserInfo (OIDC Core 5.4 behaviour)
let github: GitHubStandIn;
let home: string;

/** Set by a test: rewrites the ID token claims/header the `dev` provider returns (re-signed). */
let tamper:
  ((claims: JWTPayload, header: Record<string, unknown>) => Promise<string | void> | string | void) | undefined;
let tokenResponses = 0;
let lastIdToken: string | undefined;

const clients = (name: string) => () => [
  { clientId: `rp-${name}`, clientSecret: SECRET, redirectUris: [`${backend.url}/auth/oauth/${name}/callback`] },
];

beforeAll(async () => {
  dev = await startDevOidc({
    clients: clients('dev'),
    tokenResponseHook: async (body) => {
      tokenResponses++;
      lastIdToken = body['id_token'] as string;
      if (!tamper || typeof body['id_token'] !== 'string') return body;
      const claims = decodeJwt(body['id_token']);
      const header = decodeProtectedHeader(body['id_token']) as Record<string, unknown>;
      const replaced = await tamper(claims, header);
      const key = await importJWK(dev.signingKey, 'RS256');
      return {
        ...body,
        id_token: replaced ?? (await new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key)),
      };
    },
  });
  devUi = await startDevOidc({
    clients: clients('dev-ui'),
    conformIdTokenClaims: true,
    tokenResponseHook: (body) => {
      lastIdToken = body['id_token'] as string;
      return body;
    },
  });
  github = await startGitHubStandIn(SECRET);
  backend = await startTestBackend({
    OAUTH_ALLOW_INSECURE_ISSUER: 'true',
    OAUTH_PROVIDERS: JSON.stringify({
      dev: { issuer: dev.issuer, clientId: 'rp-dev', clientSecret: SECRET },
      'dev-ui': { issuer: devUi.issuer, clientId: 'rp-dev-ui', clientSecret: SECRET },
      gh: { preset: 'github', clientId: 'rp-gh', clientSecret: SECRET, endpoints: github.endpoints },
    }),
  });
  call = api(backend.url);
  home = `${backend.url}/app/home`;
});
afterAll(async () => {
  await backend?.close();
  await Promise.all([dev?.close(), devUi?.close(), github?.close()]);
});
beforeEach(() => {
  tamper = undefined;
});

async function callback(jar: CookieJar, url: string) {
  return request(jar, url);
}

/** The whole flow in one browser; returns the callback's response and the jar. */
async function signIn(
  as: { email: string; emailVerified?: boolean; sub?: string; deny?: boolean },
  provider = 'dev',
  jar = new CookieJar(),
) {
  const { callbackUrl, authorizeLocation } = await signInAtProvider(jar, backend.url, {
    provider,
    redirectTo: home,
    as,
  });
  const res = await callback(jar, callbackUrl);
  return { res, jar, callbackUrl, authorizeLocation };
}

async function refreshWith(jar: CookieJar) {
  const cookie = jar.get(backend.url, REFRESH_COOKIE);
  if (!cookie) return undefined;
  const r = await call('POST', '/auth/refresh', {
    headers: { cookie: `${REFRESH_COOKIE}=${cookie}`, origin: backend.url },
  });
  return r.status === 200 ? decodeJwt(r.body.accessToken as string) : undefined;
}

const errorOf = (location: string | undefined) => (location ? new URL(location).searchParams.get('error') : null);

describe('Social sign-in (e2e, real oidc-provider)', () => {
  it('S34 S35 S36 S40: happy path — 302 back to redirectTo with the refresh cookie, no token in the URL, signed in', async () => {
    const email = uniqueEmail('oidc');
    const { res, jar } = await signIn({ email });
    expect(res.status).toBe(302);
    expect(res.location).toBe(home);
    const lines = res.headers.getSetCookie();
    const refresh = lines.find((l) => l.startsWith(`${REFRESH_COOKIE}=`))!;
    expect(refresh).toMatch(/HttpOnly; Secure; SameSite=Strict; Path=\/auth; Max-Age=\d+/);
    expect(lines.find((l) => l.startsWith('__Host-oauth_tx='))).toMatch(/Max-Age=0/);
    expect(res.location).not.toMatch(/token|code=/i);
    const claims = await refreshWith(jar);
    // amr (RFC 8176) tells the app how the user signed in; it survives the refresh that delivered this token.
    expect(claims).toMatchObject({ email, iss: backend.url, amr: ['fed'] });
  });

  it('S34 S35: authorize answers 302 to the provider with code + S256 challenge, state and nonce, and a __Host- binding cookie', async () => {
    const jar = new CookieJar();
    const res = await request(jar, `${backend.url}/auth/oauth/dev/authorize?redirectTo=${encodeURIComponent(home)}`);
    expect(res.status).toBe(302);
    const loc = new URL(res.location!);
    expect(loc.origin).toBe(dev.issuer);
    expect(Object.fromEntries(loc.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'rp-dev',
      code_challenge_method: 'S256',
      redirect_uri: `${backend.url}/auth/oauth/dev/callback`,
      scope: 'openid email profile',
    });
    expect(loc.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(loc.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(loc.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(loc.searchParams.has('code_verifier')).toBe(false);
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith('__Host-oauth_tx='))!;
    expect(cookie).toMatch(
      /^__Host-oauth_tx=[A-Za-z0-9_-]{43}; HttpOnly; Secure; SameSite=Lax; Path=\/; Max-Age=(\d+)$/,
    );
    expect(Number(/Max-Age=(\d+)/.exec(cookie)![1])).toBeLessThanOrEqual(600);
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it('S35: a fresh verifier per flow, and it never appears in any URL of the flow', async () => {
    const a = await signIn({ email: uniqueEmail('pkce') });
    const b = await signIn({ email: uniqueEmail('pkce') });
    const challenge = (u: string) => new URL(u).searchParams.get('code_challenge');
    expect(challenge(a.authorizeLocation)).not.toBe(challenge(b.authorizeLocation));
    for (const u of [a.authorizeLocation, a.callbackUrl, a.res.location!]) expect(u).not.toMatch(/verifier/i);
  });

  it('S8: every social sign-in starts a new session family; a planted refresh cookie is ignored', async () => {
    const email = uniqueEmail('s8');
    const first = await signIn({ email });
    const planted = first.jar.get(backend.url, REFRESH_COOKIE)!;
    const second = await signIn({ email }, 'dev', first.jar);
    const fresh = cookieValue(second.res.headers.getSetCookie(), REFRESH_COOKIE);
    expect(fresh).toBeTruthy();
    expect(fresh).not.toBe(planted);
    // Both sessions are alive and independent (two families of one user).
    const viaPlanted = await call('POST', '/auth/refresh', { headers: { cookie: `${REFRESH_COOKIE}=${planted}` } });
    expect(viaPlanted.status).toBe(200);
    expect(decodeJwt(viaPlanted.body.accessToken).sub).toBe((await refreshWith(second.jar))!.sub);
  });

  it('S38: a known identity signs into its user; the access token email is the account email', async () => {
    const sub = `sub-${randomBytes(6).toString('hex')}`;
    const email = uniqueEmail('known');
    const first = await signIn({ email, sub });
    const a = await refreshWith(first.jar);
    // Same subject, new email at the provider: still the same account, still its email.
    const second = await signIn({ email: uniqueEmail('changed'), sub });
    const b = await refreshWith(second.jar);
    expect(b!.sub).toBe(a!.sub);
    expect(b!.email).toBe(email);
  });

  it('S34: a replayed callback fails and signs nobody in', async () => {
    const { res, jar, callbackUrl } = await signIn({ email: uniqueEmail('replay') });
    expect(res.status).toBe(302);
    jar.delete(backend.url, REFRESH_COOKIE);
    const before = tokenResponses;
    const again = await callback(jar, callbackUrl);
    expect(again.status).toBe(400);
    expect(again.text).toContain('invalid_state');
    expect(again.headers.getSetCookie().some((l) => l.startsWith(`${REFRESH_COOKIE}=`))).toBe(false);
    expect(tokenResponses).toBe(before);
  });

  it('S34: 5 parallel deliveries of one callback → exactly one sign-in', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await signInAtProvider(jar, backend.url, {
      redirectTo: home,
      as: { email: uniqueEmail('race') },
    });
    const results = await Promise.all(Array.from({ length: 5 }, () => request(jar, callbackUrl)));
    const signedIn = results.filter((r) => r.headers.getSetCookie().some((l) => l.startsWith(`${REFRESH_COOKIE}=`)));
    expect(signedIn).toHaveLength(1);
  });

  it('S34: forged or missing state → refused with an error page, before any token request; the real callback still works', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await signInAtProvider(jar, backend.url, {
      redirectTo: home,
      as: { email: uniqueEmail('forged') },
    });
    const before = tokenResponses;
    const forged = new URL(callbackUrl);
    forged.searchParams.set('state', randomBytes(32).toString('base64url'));
    const r1 = await callback(jar, forged.toString());
    const missing = new URL(callbackUrl);
    missing.searchParams.delete('state');
    const r2 = await callback(jar, missing.toString());
    for (const r of [r1, r2]) {
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/text\/html/);
      expect(r.text).toContain('invalid_state');
      expect(r.text).not.toMatch(/at .*\.ts|Error:/);
    }
    expect(tokenResponses).toBe(before);
    const real = await callback(jar, callbackUrl);
    expect(real.location).toBe(home);
  });

  it('S34: a callback delivered in another browser (no binding cookie) is refused before any token request', async () => {
    const victim = new CookieJar();
    const { callbackUrl } = await signInAtProvider(victim, backend.url, {
      redirectTo: home,
      as: { email: uniqueEmail('xbrowser') },
    });
    const before = tokenResponses;
    const attacker = new CookieJar();
    const res = await callback(attacker, callbackUrl);
    expect(res.status).toBe(302);
    expect(errorOf(res.location)).toBe('browser_mismatch');
    expect(res.headers.getSetCookie().some((l) => l.startsWith(`${REFRESH_COOKIE}=`))).toBe(false);
    // A binding cookie from another flow does not fit either.
    const other = new CookieJar();
    const second = await signInAtProvider(other, backend.url, {
      redirectTo: home,
      as: { email: uniqueEmail('xbrowser2') },
    });
    const swapped = new CookieJar();
    swapped.store(backend.url, [`__Host-oauth_tx=${victim.get(backend.url, '__Host-oauth_tx')}`]);
    expect(errorOf((await callback(swapped, second.callbackUrl)).location)).toBe('browser_mismatch');
    expect(tokenResponses).toBe(before);
  });

  it('S37: an `iss` response parameter that is not the issuer, or a missing one, is refused (mix-up)', async () => {
    for (const mutate of [
      (u: URL) => u.searchParams.set('iss', 'http://127.0.0.1:1'),
      (u: URL) => u.searchParams.delete('iss'),
    ]) {
      const jar = new CookieJar();
      const { callbackUrl } = await signInAtProvider(jar, backend.url, {
        redirectTo: home,
        as: { email: uniqueEmail('mixup') },
      });
      expect(new URL(callbackUrl).searchParams.get('iss')).toBe(dev.issuer);
      const u = new URL(callbackUrl);
      mutate(u);
      const before = tokenResponses;
      const res = await callback(jar, u.toString());
      expect(errorOf(res.location)).toBe('issuer_mismatch');
      expect(tokenResponses).toBe(before);
    }
  });

  it("S37: a state issued for one provider is refused on another provider's callback", async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await signInAtProvider(jar, backend.url, {
      redirectTo: home,
      as: { email: uniqueEmail('route') },
    });
    const res = await callback(jar, callbackUrl.replace('/auth/oauth/dev/callback', '/auth/oauth/dev-ui/callback'));
    expect(errorOf(res.location)).toBe('invalid_state');
  });

  const now = () => Math.floor(Date.now() / 1000);
  const badTokens: [string, typeof tamper][] = [
    ['wrong iss', (c) => void (c.iss = 'http://127.0.0.1:1')],
    ['wrong aud', (c) => void (c.aud = 'someone-else')],
    [
      'untrusted extra audience',
      (c) => void ((c.aud = ['rp-dev', 'someone-else']), ((c as Record<string, unknown>)['azp'] = 'rp-dev')),
    ],
    ['wrong nonce', (c) => void ((c as Record<string, unknown>)['nonce'] = 'not-the-nonce')],
    ['missing nonce', (c) => void delete (c as Record<string, unknown>)['nonce']],
    ['expired', (c) => void ((c.iat = now() - 7200), (c.exp = now() - 3600))],
    ['stale iat (issued before the flow started)', (c) => void ((c.iat = now() - 3600), (c.exp = now() + 600))],
    [
      'alg none',
      (c) =>
        `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(c)).toString('base64url')}.`,
    ],
    [
      'signed by another key with the provider kid',
      async (c, h) => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT(c).setProtectedHeader(h as { alg: string }).sign(privateKey);
      },
    ],
    [
      'HS256 keyed with the provider public key',
      async (c) => {
        const pub = { kty: dev.signingKey.kty, n: dev.signingKey.n, e: dev.signingKey.e };
        return new SignJWT(c)
          .setProtectedHeader({ alg: 'HS256', kid: dev.signingKey.kid })
          .sign(Buffer.from(JSON.stringify(pub)));
      },
    ],
  ];
  for (const [name, mutate] of badTokens) {
    it(`S36: an ID token with ${name} → error=invalid_id_token, nobody signed in`, async () => {
      tamper = mutate;
      const { res } = await signIn({ email: uniqueEmail('idt') });
      expect(res.status).toBe(302);
      expect(errorOf(res.location)).toBe('invalid_id_token');
      expect(new URL(res.location!).origin + new URL(res.location!).pathname).toBe(home);
      expect(res.headers.getSetCookie().some((l) => l.startsWith(`${REFRESH_COOKIE}=`))).toBe(false);
    });
  }

  it('S36: the untampered re-signing path itself is accepted (the tamper tests can fail)', async () => {
    tamper = () => undefined;
    const { res } = await signIn({ email: uniqueEmail('resigned') });
    expect(res.location).toBe(home);
  });

  it('a provider error (access_denied) comes back to redirectTo as error=access_denied', async () => {
    const { res } = await signIn({ email: uniqueEmail('deny'), deny: true });
    expect(res.status).toBe(302);
    expect(errorOf(res.location)).toBe('access_denied');
  });

  it('S39: redirect targets outside the allowlist (look-alikes, encodings, other schemes) → 400 invalid_redirect, no cookie', async () => {
    const { host, port } = new URL(backend.url);
    const bad = [
      'https://evil.example.com/',
      `//evil.example.com/`,
      `/\\evil.example.com/`,
      `/app/home`,
      `http://${host}:${port}@evil.example.com/`,
      `http://${host}:${port}.evil.example.com/`,
      `http://${host}:${Number(port) + 1}/`,
      `https://${host}:${port}/`,
      `http:/\\${host}:${port}/`,
      `http://${host}%3A${port}/`,
      `javascript:alert(1)//${host}:${port}/`,
      `JaVaScRiPt:alert(1)`,
      `http://${host}:${port}\t/`,
      `data:text/html,hi`,
    ];
    for (const target of bad) {
      const res = await call('GET', `/auth/oauth/dev/authorize?redirectTo=${encodeURIComponent(target)}`);
      expect(res.status, target).toBe(400);
      expect(res.body.error).toBe('invalid_redirect');
      expect(res.cookies).toEqual([]);
    }
    const none = await call('GET', '/auth/oauth/dev/authorize');
    expect(none.body.error).toBe('invalid_redirect');
    const twice = await call(
      'GET',
      `/auth/oauth/dev/authorize?redirectTo=${encodeURIComponent(home)}&redirectTo=${encodeURIComponent('https://evil.example.com/')}`,
    );
    expect(twice.body.error).toBe('invalid_redirect');
  });

  it('an unknown provider → 404 unknown_provider', async () => {
    const res = await call('GET', `/auth/oauth/nope/authorize?redirectTo=${encodeURIComponent(home)}`);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('unknown_provider');
    const cb = await call('GET', '/auth/oauth/__proto__/callback?state=x&code=y');
    expect(cb.status).toBe(404);
  });

  it('S38: an unverified provider email never creates or links an account', async () => {
    const email = uniqueEmail('unverified');
    const { res } = await signIn({ email, emailVerified: false });
    expect(errorOf(res.location)).toBe('email_unverified');
    // The address stays free: a password sign-up for it still works.
    const signup = await call('POST', '/auth/signup', { json: { email, password: goodPassword() } });
    expect(signup.status).toBe(201);
  });

  it('S38, S52: a verified provider email never merges with a pre-registered password: the password and its sessions end', async () => {
    const email = uniqueEmail('pwd');
    const password = goodPassword();
    const signup = await call('POST', '/auth/signup', { json: { email, password, tokenDelivery: 'body' } });
    expect(signup.status).toBe(201);
    const { res, jar } = await signIn({ email });
    expect(res.location).toBe(home);
    const owner = (await refreshWith(jar))!;
    expect(owner.sub).toBe(decodeJwt(signup.body.accessToken).sub);
    expect(owner.email_verified).toBe(true);
    // The pre-registered password and the session it made are gone; the provider's user is the only owner.
    expect((await call('POST', '/auth/login', { json: { email, password } })).body.error).toBe('invalid_credentials');
    expect(
      (
        await call('POST', '/auth/refresh', {
          json: { refreshToken: signup.body.refreshToken },
          headers: { origin: backend.url },
        })
      ).status,
    ).toBe(401);
    const again = await signIn({ email });
    expect(again.res.location).toBe(home);
  });

  it('S38: a verified email from a second provider links to the verified account; an unverified one does not', async () => {
    const email = uniqueEmail('link');
    const first = await signIn({ email }, 'dev');
    const owner = (await refreshWith(first.jar))!.sub;
    const unverified = await signIn({ email, emailVerified: false }, 'dev-ui');
    expect(errorOf(unverified.res.location)).toBe('email_unverified');
    const verified = await signIn({ email }, 'dev-ui');
    expect(verified.res.location).toBe(home);
    expect((await refreshWith(verified.jar))!.sub).toBe(owner);
  });

  it('email and email_verified only in UserInfo (not in the ID token) are read from the UserInfo endpoint', async () => {
    const email = uniqueEmail('userinfo');
    const { res, jar } = await signIn({ email }, 'dev-ui');
    expect(decodeJwt(lastIdToken!)['email']).toBeUndefined();
    expect(res.location).toBe(home);
    expect((await refreshWith(jar))!.email).toBe(email);
  });

  it('S35 S38: GitHub preset (against a local stand-in of its endpoints): verified primary email signs in; PKCE checked by the stand-in, verifier in no URL', async () => {
    github.primary = { email: uniqueEmail('gh'), verified: true };
    github.userId = 1001;
    const { res, jar, authorizeLocation, callbackUrl } = await signIn({ email: 'ignored@example.com' }, 'gh');
    expect(res.location).toBe(home);
    // S35: the verifier reached the token endpoint (43 chars), and no URL of the flow carried it.
    expect(github.lastVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const u of [authorizeLocation, callbackUrl, res.location!])
      expect(decodeURIComponent(u)).not.toContain(github.lastVerifier);
    const first = (await refreshWith(jar))!;
    expect(first.email).toBe(github.primary.email);
    // The identity is (https://github.com, 1001): signing in again is the same account even with another primary email.
    github.primary = { email: uniqueEmail('gh-new'), verified: true };
    const again = await signIn({ email: 'ignored@example.com' }, 'gh');
    expect((await refreshWith(again.jar))!.sub).toBe(first.sub);
  });

  it('S38: GitHub preset with an unverified primary email → error=email_unverified', async () => {
    github.primary = { email: uniqueEmail('gh-unverified'), verified: false };
    github.userId = 1002;
    const jar = new CookieJar();
    const { res } = await signIn({ email: 'ignored@example.com' }, 'gh', jar);
    expect(errorOf(res.location)).toBe('email_unverified');
  });
});

interface GitHubStandIn {
  endpoints: { authorization: string; token: string; api: string };
  close(): Promise<void>;
  primary: { email: string; verified: boolean };
  userId: number;
  /** The PKCE verifier of the last token request the stand-in received. */
  lastVerifier?: string;
}

/**
 * A small LOCAL STAND-IN for GitHub's OAuth endpoints (not GitHub, not a general fake of it): authorize redirects
 * straight back with a code; the token endpoint checks the client secret and the PKCE S256 verifier; `/user` and
 * `/user/emails` answer for the token it issued.
 */
async function startGitHubStandIn(secret: string): Promise<GitHubStandIn> {
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const tokens = new Set<string>();
  const state: GitHubStandIn = {
    endpoints: { authorization: '', token: '', api: '' },
    close: async () => undefined,
    primary: { email: '', verified: true },
    userId: 1,
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/login/oauth/authorize') {
      const code = randomBytes(16).toString('hex');
      if (url.searchParams.get('code_challenge_method') !== 'S256') return json(400, { error: 'pkce required' });
      codes.set(code, {
        challenge: url.searchParams.get('code_challenge')!,
        redirectUri: url.searchParams.get('redirect_uri')!,
      });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      let text = '';
      for await (const c of req) text += c;
      const form = new URLSearchParams(text);
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      state.lastVerifier = verifier;
      const ok =
        grant &&
        form.get('client_secret') === secret &&
        form.get('redirect_uri') === grant.redirectUri &&
        createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
      // GitHub answers errors with 200 and an error body.
      if (!ok) return json(200, { error: 'bad_verification_code' });
      const token = `gho_${randomBytes(16).toString('hex')}`;
      tokens.add(token);
      return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const auth = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!tokens.has(auth)) return json(401, { message: 'Bad credentials' });
    if (url.pathname === '/api/user') return json(200, { id: state.userId, login: 'octo' });
    if (url.pathname === '/api/user/emails') {
      return json(200, [
        { email: 'secondary@example.com', primary: false, verified: true },
        { email: state.primary.email, primary: true, verified: state.primary.verified },
      ]);
    }
    return json(404, { message: 'Not Found' });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.endpoints = {
    authorization: `${base}/login/oauth/authorize`,
    token: `${base}/login/oauth/access_token`,
    api: `${base}/api`,
  };
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  };
  return state;
}
