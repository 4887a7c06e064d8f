/**
 * Social sign-in end to end: the local runner (our handlers behind the API-Gateway-like server) against REAL
 * OpenID providers (npm `oidc-provider`, in-process on loopback, infra/local/dev-oidc.ts), driven over HTTP the
 * way a browser would. Tampered ID tokens are produced by the provider itself: a middleware rewrites its token
 * response and re-signs the ID token with the provider's own key (or another key, to break the signature).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDevOidc, type DevOidc } from '../../infra/local/dev-oidc.js';
import type { LocalBackend } from '../../infra/local/start.js';
import { api, cookieValue, goodPassword, REFRESH_COOKIE, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';
import { CookieJar, request, signInAtProvider } from '../helpers/oauth-flow.js';

const SECRET = randomBytes(16).toString('hex');
let backend: LocalBackend;
let call: ReturnType<typeof api>;
let dev: DevOidc; // ID token carries email
let devUi: DevOidc; // email only in UserInfo (OIDC Core 5.4 behaviour)
let github: GitHubStandIn;
let home: string;

/** Set by a test: rewrites the ID token claims/header the `dev` provider returns (re-signed). */
let tamper: ((claims: JWTPayload, header: Record<string, unknown>) => Promise<string | void> | string | void) | undefined;
let tokenResponses = 0;
let lastIdToken: string | undefined;

const clients = (name: string) => () => [{ clientId: `rp-${name}`, clientSecret: SECRET, redirectUris: [`${backend.url}/auth/oauth/${name}/callback`] }];

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
      return { ...body, id_token: replaced ?? (await new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key)) };
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
async function signIn(as: { email: string; emailVerified?: boolean; sub?: string; deny?: boolean }, provider = 'dev', jar = new CookieJar()) {
  const { callbackUrl, authorizeLocation } = await signInAtProvider(jar, backend.url, { provider, redirectTo: home, as });
  const res = await callback(jar, callbackUrl);
  return { res, jar, callbackUrl, authorizeLocation };
}

async function refreshWith(jar: CookieJar) {
  const cookie = jar.get(backend.url, REFRESH_COOKIE);
  if (!cookie) return undefined;
  const r = await call('POST', '/auth/refresh', { headers: { cookie: `${REFRESH_COOKIE}=${cookie}`, origin: backend.url } });
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
    expect(claims).toMatchObject({ email, iss: backend.url });
  });
});

interface GitHubStandIn {
  endpoints: { authorization: string; token: string; api: string };
  close(): Promise<void>;
  primary: { email: string; verified: boolean };
}

/**
 * A small LOCAL STAND-IN for GitHub's OAuth endpoints (not GitHub, not a general fake of it): authorize redirects
 * straight back with a code; the token endpoint checks the client secret and the PKCE S256 verifier; `/user` and
 * `/user/emails` answer for the token it issued.
 */
async function startGitHubStandIn(secret: string): Promise<GitHubStandIn> {
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const tokens = new Set<string>();
  const state: GitHubStandIn = { endpoints: { authorization: '', token: '', api: '' }, close: async () => undefined, primary: { email: '', verified: true } };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/login/oauth/authorize') {
      const code = randomBytes(16).toString('hex');
      if (url.searchParams.get('code_challenge_method') !== 'S256') return json(400, { error: 'pkce required' });
      codes.set(code, { challenge: url.searchParams.get('code_challenge')!, redirectUri: url.searchParams.get('redirect_uri')! });
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
    if (url.pathname === '/api/user') return json(200, { id: 4242, login: 'octo' });
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
  state.endpoints = { authorization: `${base}/login/oauth/authorize`, token: `${base}/login/oauth/access_token`, api: `${base}/api` };
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  };
  return state;
}

// Used by later tests.
void exportJWK;
void generateKeyPair;
void goodPassword;
void cookieValue;
void lastIdToken;
void tokenResponses;
