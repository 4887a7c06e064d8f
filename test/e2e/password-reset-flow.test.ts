/**
 * Password reset and email verification over HTTP (default mode), through the dev outbox: identical answers
 * for every address (S3), single use, sessions revoked (S27), a locked account recovers by email (S4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import {
  api,
  cookieValue,
  goodPassword,
  mailsTo,
  REFRESH_COOKIE,
  startTestBackend,
  uniqueEmail,
} from '../helpers/local-backend.js';

let backend: LocalBackend;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  backend = await startTestBackend({ MAIL_MAX_PER_IP: '100000' });
  call = api(backend.url);
});
afterAll(() => backend?.close());

const withCookie = (v: string) => ({ cookie: `${REFRESH_COOKIE}=${v}` });

describe('Password reset (e2e)', () => {
  it('S3: known and unknown addresses get the same 202, body and headers; only the known one gets a mail', async () => {
    const email = uniqueEmail();
    await call('POST', '/auth/signup', { json: { email, password: goodPassword() } });
    const unknown = uniqueEmail('nobody');
    const a = await call('POST', '/auth/password-reset', { json: { email } });
    const b = await call('POST', '/auth/password-reset', { json: { email: unknown } });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(b.body).toEqual(a.body);
    const names = (r: typeof a) => [...r.headers.keys()].filter((k) => k !== 'date').sort();
    expect(names(b)).toEqual(names(a));
    expect((await mailsTo(backend.url, email)).last?.subject).toBe('Reset your password');
    expect((await mailsTo(backend.url, unknown)).mails).toHaveLength(0);
  });

  it('S4, S27, S31: a locked account resets by email: GET consumes nothing, the POST sets the password once, ends every session and lifts the lock', async () => {
    const email = uniqueEmail();
    const password = goodPassword();
    const signup = await call('POST', '/auth/signup', { json: { email, password } });
    const login = await call('POST', '/auth/login', { json: { email, password } });
    const sessions = [cookieValue(signup.cookies, REFRESH_COOKIE)!, cookieValue(login.cookies, REFRESH_COOKIE)!];
    for (let i = 0; i < 5; i++)
      await call('POST', '/auth/login', { json: { email, password: 'wrong password wrong' } });
    expect((await call('POST', '/auth/login', { json: { email, password } })).status).toBe(429);

    expect((await call('POST', '/auth/password-reset', { json: { email } })).status).toBe(202);
    const { token, link } = await mailsTo(backend.url, email);
    expect(link).toContain('/auth/password-reset/confirm?token=pr_');
    for (let i = 0; i < 2; i++) {
      const page = await fetch(link!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('type="password"');
    }
    const weak = await call('POST', '/auth/password-reset/confirm', { json: { token, newPassword: 'short' } });
    expect(weak.status).toBe(422);
    const newPassword = goodPassword();
    const done = await call('POST', '/auth/password-reset/confirm', { json: { token, newPassword } });
    expect(done.status).toBe(204);
    const again = await call('POST', '/auth/password-reset/confirm', { json: { token, newPassword: goodPassword() } });
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('invalid_token');

    for (const s of sessions)
      expect((await call('POST', '/auth/refresh', { headers: withCookie(s) })).status).toBe(401);
    expect((await call('POST', '/auth/login', { json: { email, password } })).status).toBe(401);
    expect((await call('POST', '/auth/login', { json: { email, password: newPassword } })).status).toBe(200);
  });

  it('S30: the reset code works as a fallback, once', async () => {
    const email = uniqueEmail();
    await call('POST', '/auth/signup', { json: { email, password: goodPassword() } });
    await call('POST', '/auth/password-reset', { json: { email } });
    const { code } = await mailsTo(backend.url, email);
    const newPassword = goodPassword();
    expect((await call('POST', '/auth/password-reset/confirm', { json: { email, code, newPassword } })).status).toBe(
      204,
    );
    expect((await call('POST', '/auth/password-reset/confirm', { json: { email, code, newPassword } })).status).toBe(
      401,
    );
    expect((await call('POST', '/auth/login', { json: { email, password: newPassword } })).status).toBe(200);
  });
});

describe('Email verification, default mode (e2e)', () => {
  it('signup still answers 201 and mails a verification link; the code or the link confirms the address once', async () => {
    const email = uniqueEmail();
    const res = await call('POST', '/auth/signup', { json: { email, password: goodPassword() } });
    expect(res.status).toBe(201);
    const { last, token, code, link } = await mailsTo(backend.url, email);
    expect(last?.subject).toBe('Confirm your email address');
    expect(link).toContain('/auth/verify-email?token=ve_');
    expect(last?.text).toMatch(/expire in 10 minutes/);
    expect(last?.text).toMatch(/did not create an account/);
    expect(last?.html).not.toMatch(/(src|href)=["']?https?:\/\/(?!127\.0\.0\.1)/); // nothing external but the link itself
    expect((await fetch(link!)).status).toBe(200); // GET consumes nothing
    const ok = await call('POST', '/auth/verify-email', { json: { email, code } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ emailVerified: true });
    expect((await call('POST', '/auth/verify-email', { json: { token } })).status).toBe(401);
  });
});
