/**
 * The account lifecycle end to end (issue 11), each high finding written as the attacker's steps against the local
 * runner (`npm start`'s gateway, DynamoDB Local, the dev outbox and the local OpenID provider as `dev`):
 * a disabled account signing in by email link or code (S51), the pre-registered password account that the real
 * owner later proves (S52), and the bootstrap admin role on such an address (S52, item 9). Plus what the tokens and
 * /auth/me say about the address (S53).
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { createDocumentClient } from '../../shared/adapters/dynamo/client.js';
import { DynamoUserStore } from '../../shared/adapters/dynamo/user-store.js';
import {
  api,
  cookieValue,
  goodPassword,
  mailsTo,
  REFRESH_COOKIE,
  startTestBackend,
  uniqueEmail,
} from '../helpers/local-backend.js';
import { CookieJar, request, signInAtProvider } from '../helpers/oauth-flow.js';

const PUBLIC_URL = 'https://auth.example.com';
const BOSS = uniqueEmail('boss');
// Addresses on ADMIN_EMAILS, fixed before the backend starts.
const ADMIN_BY_LINK = uniqueEmail('admin-link');
const ADMIN_BY_SOCIAL = uniqueEmail('admin-social');
const NEW_ADMIN_BY_LINK = uniqueEmail('new-admin-link');
const NEW_ADMIN_BY_SOCIAL = uniqueEmail('new-admin-social');

let backend: LocalBackend;
let call: ReturnType<typeof api>;
let home: string;
let boss: string; // the admin's access token

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const claims = (jwt: string) =>
  decodeJwt(jwt) as { sub: string; roles: string[]; email_verified: boolean; amr: string[]; auth_time: number };
const local = (link: string) => link.replace(PUBLIC_URL, backend.url);

beforeAll(async () => {
  backend = await startTestBackend(
    {
      PUBLIC_URL,
      ADMIN_EMAILS: [ADMIN_BY_LINK, ADMIN_BY_SOCIAL, NEW_ADMIN_BY_LINK, NEW_ADMIN_BY_SOCIAL].join(','),
      MAIL_MAX_PER_IP: '100000',
      AUTHORIZER_CACHE_SECONDS: '0',
    },
    { devOidc: true },
  );
  call = api(backend.url);
  home = `${backend.url}/app/home`;
  // The administrator who disables accounts, granted the documented way (npm run admin:grant: a direct role write).
  const id = claims((await signInByLink(BOSS)).body.accessToken).sub;
  await new DynamoUserStore(
    createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT }),
    backend.tables.USERS_TABLE,
  ).setRoles(id, ['user', 'admin']);
  boss = (await signInByLink(BOSS)).body.accessToken;
  expect(claims(boss).roles).toContain('admin');
}, 120_000);
afterAll(() => backend?.close());

/** POST /auth/magic-link, then the link's token (or its code) from the outbox. */
async function requestLink(email: string) {
  const res = await call('POST', '/auth/magic-link', { json: { email } });
  expect(res.status).toBe(202);
  const mail = await mailsTo(backend.url, email);
  expect(mail.link && local(mail.link)).toMatch(/\/auth\/magic-link\/verify\?token=/);
  return mail;
}

async function signInByLink(email: string, by: 'token' | 'code' = 'token') {
  const { token, code } = await requestLink(email);
  const json = by === 'token' ? { token, tokenDelivery: 'body' } : { email, code, tokenDelivery: 'body' };
  return call('POST', '/auth/magic-link/verify', { json });
}

async function signInBySocial(email: string) {
  const jar = new CookieJar();
  const { callbackUrl } = await signInAtProvider(jar, backend.url, { redirectTo: home, as: { email } });
  const res = await request(jar, callbackUrl);
  const cookie = jar.get(backend.url, REFRESH_COOKIE);
  const refreshed = cookie ? await call('POST', '/auth/refresh', { json: { refreshToken: cookie } }) : undefined;
  return {
    location: res.location,
    access: refreshed?.status === 200 ? (refreshed.body.accessToken as string) : undefined,
  };
}

async function signUp(email: string, password = goodPassword()) {
  const res = await call('POST', '/auth/signup', { json: { email, password, tokenDelivery: 'body' } });
  expect(res.status).toBe(201);
  return { password, access: res.body.accessToken as string, refresh: res.body.refreshToken as string };
}

const refresh = (refreshToken: string) => call('POST', '/auth/refresh', { json: { refreshToken } });
const login = (email: string, password: string) =>
  call('POST', '/auth/login', { json: { email, password, tokenDelivery: 'body' } });

// Each function starts on its first request (a worker per function, as on Lambda); these tests reach many of them for
// the first time, so they get more than the default 30 s on a loaded machine.
describe('Account lifecycle, as the attacker would try it (e2e)', { timeout: 90_000 }, () => {
  it('S51: a disabled account cannot sign in by email link, nor by email code, nor socially: 403 account_disabled', async () => {
    // The user signs up by link, then an administrator disables the account.
    const email = uniqueEmail('disabled');
    const first = await signInByLink(email);
    expect(first.status).toBe(200);
    const id = claims(first.body.accessToken).sub;
    expect((await call('POST', `/admin/users/${id}/disable`, { headers: bearer(boss) })).status).toBe(204);

    // The holder of the mailbox tries every email path, as often as they like.
    for (const by of ['token', 'code', 'token'] as const) {
      const res = await signInByLink(email, by);
      expect(res.status, by).toBe(403);
      expect(res.body).toEqual({ error: 'account_disabled', message: expect.any(String) });
      expect(cookieValue(res.cookies, REFRESH_COOKIE) ?? '').toBe('');
      expect(JSON.stringify(res.body)).not.toMatch(/eyJ|rt_/);
    }
    // Social sign-in with a provider-verified copy of the address: back to the app with error=account_disabled.
    const social = await signInBySocial(email);
    expect(new URL(social.location!).searchParams.get('error')).toBe('account_disabled');
    expect(social.access).toBeUndefined();
    // And the session it had before was ended by the disable.
    expect((await refresh(first.body.refreshToken)).status).toBe(401);
  });

  it('password login of a disabled account stays 403 account_disabled through the funnel (after the password matched)', async () => {
    const email = uniqueEmail('disabled-pwd');
    const { password, access } = await signUp(email);
    expect((await call('POST', `/admin/users/${claims(access).sub}/disable`, { headers: bearer(boss) })).status).toBe(
      204,
    );
    const res = await login(email, password);
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('account_disabled');
    expect((await login(email, 'a wrong password, long enough')).body.error).toBe('invalid_credentials');
  });

  it('S52: attacker pre-registers victim@ with a password and keeps the session; the owner signs in by email link → the attacker is out', async () => {
    const victim = uniqueEmail('victim');
    // 1. The attacker signs up with the victim's address and a password of their own, and keeps the session.
    const attacker = await signUp(victim);
    const kept = await refresh(attacker.refresh);
    expect(kept.status).toBe(200);
    expect(claims(kept.body.accessToken).email_verified).toBe(false);

    // 2. Later, the real owner signs in by email link (they never knew about the account).
    const owner = await signInByLink(victim);
    expect(owner.status).toBe(200);
    expect(claims(owner.body.accessToken)).toMatchObject({
      sub: claims(attacker.access).sub,
      email_verified: true,
      amr: ['otp'],
    });

    // 3. The attacker's session and password are dead.
    expect((await refresh(kept.body.refreshToken)).status).toBe(401);
    const pwd = await login(victim, attacker.password);
    expect(pwd.status).toBe(401);
    expect(pwd.body.error).toBe('invalid_credentials');

    // 4. The owner is the only owner: their session lives on, and /auth/me says the address is proven.
    expect((await refresh(owner.body.refreshToken)).status).toBe(200);
    const me = await call('GET', '/auth/me', { headers: bearer(owner.body.accessToken) });
    expect(me.body).toEqual({
      sub: claims(attacker.access).sub,
      email: victim,
      emailVerified: true,
      roles: ['user'],
      amr: ['otp'],
    });
  });

  it('S52: the same by email code, and by a provider-verified email', async () => {
    const byCode = uniqueEmail('victim-code');
    const a1 = await signUp(byCode);
    expect((await signInByLink(byCode, 'code')).status).toBe(200);
    expect((await refresh(a1.refresh)).status).toBe(401);
    expect((await login(byCode, a1.password)).status).toBe(401);

    const bySocial = uniqueEmail('victim-social');
    const a2 = await signUp(bySocial);
    const owner = await signInBySocial(bySocial);
    expect(owner.location).toBe(home);
    expect(claims(owner.access!)).toMatchObject({ sub: claims(a2.access).sub, email_verified: true, amr: ['fed'] });
    expect((await refresh(a2.refresh)).status).toBe(401);
    expect((await login(bySocial, a2.password)).status).toBe(401);
  });

  it('S52: confirming through the verification mail sent at signup keeps the password', async () => {
    const email = uniqueEmail('confirms');
    const { password } = await signUp(email);
    const { token } = await mailsTo(backend.url, email);
    const confirmed = await call('POST', '/auth/verify-email', { json: { token } });
    expect(confirmed.status).toBe(200);
    const res = await login(email, password);
    expect(res.status).toBe(200);
    expect(claims(res.body.accessToken)).toMatchObject({ email_verified: true, amr: ['pwd'] });
  });

  it('S52: victim@ is on ADMIN_EMAILS: the pre-registered password never gets admin; the owner gets it by link', async () => {
    const attacker = await signUp(ADMIN_BY_LINK);
    expect(claims(attacker.access).roles).toEqual(['user']);
    const before = await login(ADMIN_BY_LINK, attacker.password);
    expect(before.status).toBe(200);
    expect(claims(before.body.accessToken).roles).toEqual(['user']);

    const owner = await signInByLink(ADMIN_BY_LINK);
    expect(claims(owner.body.accessToken).roles).toEqual(['user', 'admin']);
    expect((await login(ADMIN_BY_LINK, attacker.password)).status).toBe(401);
    expect((await refresh(before.body.refreshToken)).status).toBe(401);
  });

  it('S52: victim@ is on ADMIN_EMAILS: the owner proving it socially gets admin, the pre-registered password nothing', async () => {
    const attacker = await signUp(ADMIN_BY_SOCIAL);
    expect(claims((await login(ADMIN_BY_SOCIAL, attacker.password)).body.accessToken).roles).toEqual(['user']);
    const owner = await signInBySocial(ADMIN_BY_SOCIAL);
    expect(claims(owner.access!).roles).toEqual(['user', 'admin']);
    expect((await login(ADMIN_BY_SOCIAL, attacker.password)).status).toBe(401);
  });

  it('S52: ADMIN_EMAILS is applied at every sign-in method: a new account by email link and by social sign-in', async () => {
    expect(claims((await signInByLink(NEW_ADMIN_BY_LINK)).body.accessToken).roles).toEqual(['user', 'admin']);
    expect(claims((await signInBySocial(NEW_ADMIN_BY_SOCIAL)).access!).roles).toEqual(['user', 'admin']);
  });

  it('S53: every token says whether the address is proven, and when the sign-in happened (kept across refreshes)', async () => {
    const email = uniqueEmail('claims');
    const { access, refresh: rt } = await signUp(email);
    const first = claims(access);
    expect(first).toMatchObject({ email_verified: false, amr: ['pwd'] });
    expect(first.auth_time).toBeGreaterThan(0);
    const next = await refresh(rt);
    expect(claims(next.body.accessToken)).toMatchObject({
      email_verified: false,
      auth_time: first.auth_time,
      amr: ['pwd'],
    });
    const me = await call('GET', '/auth/me', { headers: bearer(next.body.accessToken) });
    expect(me.body).toMatchObject({ email, emailVerified: false, amr: ['pwd'] });
  });
});
