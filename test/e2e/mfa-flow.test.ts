/**
 * Second factors end to end over HTTP against the local runner: enrol, confirm, every first factor ends
 * in `401 mfa_required`, `POST /auth/mfa/verify` finishes it; replays, races and caps; recent-MFA rules; admin reset.
 */
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOidc, type DevOidc } from '../../infra/local/dev-oidc.js';
import type { LocalBackend } from '../../infra/local/start.js';
import { createDocumentClient } from '../../shared/adapters/dynamo/client.js';
import { DynamoUserStore } from '../../shared/adapters/dynamo/user-store.js';
import { totpCode, totpStep } from '../../shared/domain/mfa/totp.js';
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

const SECRET = randomBytes(16).toString('hex');
let backend: LocalBackend;
let dev: DevOidc;
let call: ReturnType<typeof api>;
let home: string;

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const now = () => Date.now() / 1000;
/** The code of the step `offset` steps from now (±1 is accepted). */
const codeAt = (key: Uint8Array, offset = 0) => totpCode(key, totpStep(now()) + offset);

beforeAll(async () => {
  dev = await startDevOidc({
    clients: () => [
      { clientId: 'rp-dev', clientSecret: SECRET, redirectUris: [`${backend.url}/auth/oauth/dev/callback`] },
    ],
  });
  backend = await startTestBackend({
    AUTHORIZER_CACHE_SECONDS: '0',
    OAUTH_ALLOW_INSECURE_ISSUER: 'true',
    OAUTH_PROVIDERS: JSON.stringify({ dev: { issuer: dev.issuer, clientId: 'rp-dev', clientSecret: SECRET } }),
    MAIL_MAX_PER_IP: '100000',
  });
  call = api(backend.url);
  home = `${backend.url}/app/home`;
  await startsQuiet();
});
afterAll(async () => {
  await backend?.close();
  await dev?.close();
});
// The step boundary is the one thing these tests do not control: start each well inside a step.
async function startsQuiet() {
  const into = now() % 30;
  if (into > 24) await new Promise((r) => setTimeout(r, (31 - into) * 1000));
}

/** A password account with a confirmed authenticator; `key` is the secret as the app would hold it. */
async function enrolledUser() {
  const email = uniqueEmail('mfa');
  const password = goodPassword();
  const signup = await call('POST', '/auth/signup', { json: { email, password } });
  expect(signup.status).toBe(201);
  const plainAccess = signup.body.accessToken as string;
  // S64: no mfa before a second factor was verified.
  expect(decodeJwt(plainAccess).amr).toEqual(['pwd']);
  const start = await call('POST', '/auth/mfa/totp', { headers: bearer(plainAccess) });
  expect(start.status).toBe(201);
  const key = decodeBase32IgnorePadding(start.body.secret as string);
  const confirm = await call('POST', '/auth/mfa/totp/verify', {
    headers: bearer(plainAccess),
    json: { factorId: start.body.factorId, code: codeAt(key, -1) },
  });
  expect(confirm.status).toBe(200);
  return {
    email,
    password,
    key,
    factorId: start.body.factorId as string,
    plainAccess,
    mfaAccess: confirm.body.accessToken as string,
    recoveryCodes: confirm.body.recoveryCodes as string[],
    id: decodeJwt(plainAccess).sub!,
  };
}

const login = (u: { email: string; password: string }) =>
  call('POST', '/auth/login', { json: { email: u.email, password: u.password } });
const verify = (json: Record<string, unknown>) => call('POST', '/auth/mfa/verify', { json });

describe('Second factors (e2e)', () => {
  it('S60, S64: enrolment is pending until its first correct code; confirming gives a session with mfa and 10 codes', async () => {
    const signup = await call('POST', '/auth/signup', { json: { email: uniqueEmail(), password: goodPassword() } });
    const access = signup.body.accessToken as string;
    const start = await call('POST', '/auth/mfa/totp', { headers: bearer(access) });
    expect(start.status).toBe(201);
    expect(start.body.secret).toMatch(/^[A-Z2-7]{32}$/); // 160 bits
    expect(start.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/.+secret=[A-Z2-7]+/);
    expect((await call('GET', '/auth/mfa', { headers: bearer(access) })).body).toEqual({
      factors: [],
      recoveryCodesRemaining: 0,
    });
    const key = decodeBase32IgnorePadding(start.body.secret as string);
    const wrong = String((Number(codeAt(key)) + 1) % 1_000_000).padStart(6, '0');
    const bad = await call('POST', '/auth/mfa/totp/verify', {
      headers: bearer(access),
      json: { factorId: start.body.factorId, code: wrong },
    });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('invalid_code');
    const ok = await call('POST', '/auth/mfa/totp/verify', {
      headers: bearer(access),
      json: { factorId: start.body.factorId, code: codeAt(key) },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.recoveryCodes).toHaveLength(10);
    expect(new Set(ok.body.recoveryCodes).size).toBe(10);
    expect(decodeJwt(ok.body.accessToken).amr).toEqual(['pwd', 'mfa']);
    const list = await call('GET', '/auth/mfa', { headers: bearer(ok.body.accessToken) });
    expect(list.body.factors).toHaveLength(1);
    expect(list.body.factors[0]).toMatchObject({ id: start.body.factorId, type: 'totp' });
    expect(list.body.recoveryCodesRemaining).toBe(10);
  });

  it('S59, S64, S66: a password alone gives 401 mfa_required (no token, no cookie); verify finishes it once', async () => {
    const u = await enrolledUser();
    const first = await login(u);
    expect(first.status).toBe(401);
    expect(first.body.error).toBe('mfa_required');
    expect(first.body.methods).toEqual(['totp', 'recovery_code']);
    expect(first.body.expiresIn).toBeLessThanOrEqual(300);
    expect(first.body.accessToken).toBeUndefined();
    expect(cookieValue(first.cookies, REFRESH_COOKIE)).toBeUndefined();
    const code = codeAt(u.key);
    const done = await verify({ mfaToken: first.body.mfaToken, method: 'totp', code });
    expect(done.status).toBe(200);
    const claims = decodeJwt(done.body.accessToken);
    expect(claims.sub).toBe(u.id);
    expect(claims.amr).toEqual(['pwd', 'mfa']);
    expect(Math.abs(Number(claims.auth_time) - now())).toBeLessThan(10);
    expect(cookieValue(done.cookies, REFRESH_COOKIE)).toBeTruthy();
    // The token is spent (S66), and so is the code (S60): a new sign-in cannot reuse it.
    const again = await verify({ mfaToken: first.body.mfaToken, method: 'totp', code: codeAt(u.key, 1) });
    expect(again.body.error).toBe('invalid_token');
    const second = await login(u);
    const replay = await verify({ mfaToken: second.body.mfaToken, method: 'totp', code });
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_code');
    // A passkey response that answers no challenge of this token is a wrong second factor.
    const webauthn = await verify({ mfaToken: second.body.mfaToken, method: 'webauthn', response: {} });
    expect([webauthn.status, webauthn.body.error]).toEqual([401, 'invalid_code']);
  });

  it('S60: 10 concurrent verifies of one code give exactly one session', async () => {
    const u = await enrolledUser();
    // Ten pending sign-ins, one after another (concurrent logins would meet the password limiter instead).
    const tokens = [];
    for (let i = 0; i < 10; i++) tokens.push(await login(u));
    const code = codeAt(u.key);
    const results = await Promise.all(tokens.map((t) => verify({ mfaToken: t.body.mfaToken, method: 'totp', code })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    // The others are refused: the code is spent (or, racing the account cap, locked), never a second session.
    const refused = results.filter((r) => r.status !== 200).map((r) => r.body.error as string);
    expect(refused).toHaveLength(9);
    expect(refused.filter((e) => e !== 'invalid_code' && e !== 'too_many_attempts')).toEqual([]);
  });

  it('S62: a recovery code is single use under concurrency, and a new set voids the old one', async () => {
    const u = await enrolledUser();
    const tokens = [];
    for (let i = 0; i < 5; i++) tokens.push(await login(u));
    const code = u.recoveryCodes[0].toLowerCase();
    const results = await Promise.all(
      tokens.map((t) => verify({ mfaToken: t.body.mfaToken, method: 'recovery_code', code })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const session = results.find((r) => r.status === 200)!.body.accessToken as string;
    expect((await call('GET', '/auth/mfa', { headers: bearer(session) })).body.recoveryCodesRemaining).toBe(9);
    const fresh = await call('POST', '/auth/mfa/recovery-codes', { headers: bearer(session) });
    expect(fresh.status).toBe(200);
    expect(fresh.body.recoveryCodes).toHaveLength(10);
    const old = await verify({
      mfaToken: (await login(u)).body.mfaToken,
      method: 'recovery_code',
      code: u.recoveryCodes[1],
    });
    expect(old.body.error).toBe('invalid_code');
    const ok = await verify({
      mfaToken: (await login(u)).body.mfaToken,
      method: 'recovery_code',
      code: fresh.body.recoveryCodes[0],
    });
    expect(ok.status).toBe(200);
  });

  it('S61: 5 attempts per mfaToken, then 429 + Retry-After even for the right code', async () => {
    const u = await enrolledUser();
    const { mfaToken } = (await login(u)).body as { mfaToken: string };
    for (let i = 0; i < 5; i++) {
      expect((await verify({ mfaToken, method: 'recovery_code', code: 'AAAA-AAAA-AAAA' })).body.error).toBe(
        'invalid_code',
      );
    }
    const locked = await verify({ mfaToken, method: 'totp', code: codeAt(u.key) });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('too_many_attempts');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('S61: 10 attempts per account across tokens and methods, then 429 + Retry-After for the right code', async () => {
    const u = await enrolledUser();
    for (let i = 0; i < 10; i++) {
      const { mfaToken } = (await login(u)).body as { mfaToken: string };
      const method = i % 2 ? 'totp' : 'recovery_code';
      const r = await verify({ mfaToken, method, code: method === 'totp' ? '000000' : 'AAAA-AAAA-AAAA' });
      expect(r.status).toBe(401);
    }
    const locked = await verify({ mfaToken: (await login(u)).body.mfaToken, method: 'totp', code: codeAt(u.key) });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('S63: removing a factor or new codes needs a recent MFA (403 reauthentication_required), then works', async () => {
    const u = await enrolledUser();
    for (const [method, path] of [
      ['DELETE', `/auth/mfa/${u.factorId}`],
      ['POST', '/auth/mfa/recovery-codes'],
    ] as const) {
      const r = await call(method, path, { headers: bearer(u.plainAccess) });
      expect(r.status).toBe(403);
      expect(r.body.error).toBe('reauthentication_required');
    }
    // Nor may such a session add a second authenticator of its own.
    const planted = await call('POST', '/auth/mfa/totp', { headers: bearer(u.plainAccess) });
    expect([planted.status, planted.body.error]).toEqual([403, 'reauthentication_required']);
    expect((await call('POST', '/auth/mfa/totp', { headers: bearer(u.mfaAccess) })).status).toBe(201);
    expect((await call('DELETE', '/auth/mfa/nope', { headers: bearer(u.mfaAccess) })).status).toBe(404);
    expect((await call('DELETE', `/auth/mfa/${u.factorId}`, { headers: bearer(u.mfaAccess) })).status).toBe(204);
    // No factor left: the password alone signs in again.
    expect((await login(u)).status).toBe(200);
  });

  it('S63: an admin reset removes every factor and ends the sessions', async () => {
    const u = await enrolledUser();
    const done = await verify({ mfaToken: (await login(u)).body.mfaToken, method: 'totp', code: codeAt(u.key) });
    const refresh = cookieValue(done.cookies, REFRESH_COOKIE)!;
    const admin = { email: uniqueEmail('admin'), password: goodPassword() };
    const a = await call('POST', '/auth/signup', { json: admin });
    await new DynamoUserStore(
      createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT }),
      backend.tables.USERS_TABLE,
    ).setRoles(decodeJwt(a.body.accessToken).sub!, ['user', 'admin']);
    const adminAccess = (await login(admin)).body.accessToken as string;
    expect((await call('POST', `/admin/users/${u.id}/mfa/reset`, { headers: bearer(u.mfaAccess) })).status).toBe(403);
    expect((await call('POST', `/admin/users/${u.id}/mfa/reset`, { headers: bearer(adminAccess) })).status).toBe(204);
    const r = await call('POST', '/auth/refresh', {
      json: { refreshToken: refresh },
      headers: { origin: backend.url },
    });
    expect(r.status).toBe(401);
    expect((await login(u)).status).toBe(200);
    expect((await call('POST', '/admin/users/nobody/mfa/reset', { headers: bearer(adminAccess) })).status).toBe(404);
  });

  it('S59: an email code or link alone gives 401 mfa_required; verify gives amr otp + mfa', async () => {
    const u = await enrolledUser();
    await call('POST', '/auth/magic-link', { json: { email: u.email } });
    const { code } = await mailsTo(backend.url, u.email);
    const first = await call('POST', '/auth/magic-link/verify', { json: { email: u.email, code } });
    expect(first.status).toBe(401);
    expect(first.body.error).toBe('mfa_required');
    expect(cookieValue(first.cookies, REFRESH_COOKIE)).toBeUndefined();
    const done = await verify({ mfaToken: first.body.mfaToken, method: 'totp', code: codeAt(u.key) });
    expect(done.status).toBe(200);
    expect(decodeJwt(done.body.accessToken).amr).toEqual(['otp', 'mfa']);
  });

  it('S59, S66: social sign-in redirects with mfa_required=1 and the token only in an HttpOnly __Host-mfa cookie', async () => {
    const u = await enrolledUser();
    const jar = new CookieJar();
    const { callbackUrl } = await signInAtProvider(jar, backend.url, { redirectTo: home, as: { email: u.email } });
    const res = await request(jar, callbackUrl);
    expect(res.status).toBe(302);
    const location = new URL(res.location!);
    expect(location.origin + location.pathname).toBe(home);
    expect(location.searchParams.get('mfa_required')).toBe('1');
    expect(res.location).not.toMatch(/mfa_[A-Za-z0-9_-]{20,}/);
    const setCookies = res.headers.getSetCookie();
    const mfa = setCookies.find((c) => c.startsWith('__Host-mfa='))!;
    expect(mfa).toMatch(/HttpOnly/);
    expect(mfa).toMatch(/Path=\//);
    expect(setCookies.some((c) => c.startsWith(`${REFRESH_COOKIE}=`) && !/Max-Age=0/.test(c))).toBe(false);
    const mfaToken = mfa.split(';')[0].slice('__Host-mfa='.length);
    const done = await call('POST', '/auth/mfa/verify', {
      json: { method: 'totp', code: codeAt(u.key) },
      headers: { cookie: `__Host-mfa=${mfaToken}`, origin: backend.url },
    });
    expect(done.status).toBe(200);
    expect(decodeJwt(done.body.accessToken).amr).toEqual(['fed', 'mfa']);
  });
});
