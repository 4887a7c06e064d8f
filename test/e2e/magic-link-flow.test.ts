/**
 * Magic links over HTTP against the local runner, through the dev outbox: request → GET the page twice →
 * POST → used → 401; the code fallback and its cap; identical answers for known and unknown addresses;
 * throttling; redirects; look-alike addresses.
 */
import { decodeJwt } from 'jose';
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

const APP = 'https://app.example.com';
const PUBLIC_URL = 'https://auth.example.com';
let backend: LocalBackend;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  backend = await startTestBackend({ ALLOWED_REDIRECT_ORIGINS: APP, PUBLIC_URL, MAIL_MAX_PER_IP: '100000' });
  call = api(backend.url);
});
afterAll(() => backend?.close());

/** The outbox link points at PUBLIC_URL; the same path on the local runner. */
const local = (link: string) => link.replace(PUBLIC_URL, backend.url);

async function requestLink(email: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await call('POST', '/auth/magic-link', { json: { email, ...extra }, headers });
  return { res, ...(await mailsTo(backend.url, email)) };
}

async function signUp(email = uniqueEmail()) {
  const res = await call('POST', '/auth/signup', { json: { email, password: goodPassword() } });
  expect(res.status).toBe(201);
  return { email, sub: decodeJwt(res.body.accessToken).sub! };
}

describe('Magic link (e2e)', () => {
  it('S31, S30: request → GET the page twice → POST → signed in → the link is used (401)', async () => {
    const { email, sub } = await signUp();
    const { res, token, link } = await requestLink(email);
    expect(res.status).toBe(202);
    expect(link).toMatch(new RegExp(`^${PUBLIC_URL}/auth/magic-link/verify\\?token=ml_`));

    for (let i = 0; i < 2; i++) {
      const page = await fetch(local(link!));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    }
    const head = await fetch(local(link!), { method: 'HEAD' });
    expect(head.status).not.toBe(200);

    const first = await call('POST', '/auth/magic-link/verify', { json: { token } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(decodeJwt(first.body.accessToken).sub).toBe(sub);
    expect(decodeJwt(first.body.accessToken).amr).toEqual(['otp']);
    expect(cookieValue(first.cookies, REFRESH_COOKIE)).toMatch(/^rt_/);

    const again = await call('POST', '/auth/magic-link/verify', { json: { token } });
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('invalid_token');
  });

  it('S30: 10 parallel redeems of one link → exactly one session', async () => {
    const email = uniqueEmail();
    const { token } = await requestLink(email);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => call('POST', '/auth/magic-link/verify', { json: { token } })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.body.error).toBe('invalid_token');
  });

  it('S32: the landing page has a strict CSP with only its own hashed script, no-referrer, no-store, nothing third-party', async () => {
    const { link } = await requestLink(uniqueEmail());
    const page = await fetch(local(link!));
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).toMatch(/connect-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).not.toMatch(/(src|href)=["']?https?:/i);
    expect(html).not.toContain(new URL(link!).searchParams.get('token')!);
  });

  it('S32: links are built from PUBLIC_URL, never from the Host header', async () => {
    const email = uniqueEmail();
    await requestLink(email, {}, { host: 'evil.example', 'x-forwarded-host': 'evil.example' });
    const { link } = await mailsTo(backend.url, email);
    expect(link!.startsWith(`${PUBLIC_URL}/`)).toBe(true);
    expect(link).not.toContain('evil');
  });

  it('S31: the page submits by itself only in the browser that asked (binding cookie); elsewhere it asks', async () => {
    const email = uniqueEmail();
    const { res, link } = await requestLink(email);
    const binding = res.cookies.find((c) => c.startsWith('__Host-email_link_binding='))!;
    expect(binding).toMatch(/HttpOnly/);
    expect(binding).toMatch(/Secure/);
    expect(binding).toMatch(/SameSite=Lax/);
    expect(binding).toMatch(/Path=\//);
    const cookie = binding.split(';')[0];
    const same = await (await fetch(local(link!), { headers: { cookie } })).text();
    const other = await (await fetch(local(link!))).text();
    const foreign = await (
      await fetch(local(link!), { headers: { cookie: '__Host-email_link_binding=forged' } })
    ).text();
    expect(same).toContain('data-auto="1"');
    expect(other).toContain('data-auto="0"');
    expect(other).toContain('Sign in on this device?');
    expect(foreign).toContain('data-auto="0"');
  });

  it('S30: the code fallback signs in once; wrong codes are capped, then the link dies (token included)', async () => {
    const email = uniqueEmail();
    const { code } = await requestLink(email);
    expect(code).toMatch(/^\d{8}$/);
    const ok = await call('POST', '/auth/magic-link/verify', { json: { email: email.toUpperCase(), code } });
    expect(ok.status).toBe(200);
    expect((await call('POST', '/auth/magic-link/verify', { json: { email, code } })).status).toBe(401);

    const second = await requestLink(email);
    const wrong = second.code === '00000000' ? '00000001' : '00000000';
    for (let i = 0; i < 5; i++) {
      const r = await call('POST', '/auth/magic-link/verify', { json: { email, code: wrong } });
      expect(r.status).toBe(401);
      expect(r.body.error).toBe('invalid_token');
    }
    expect((await call('POST', '/auth/magic-link/verify', { json: { email, code: second.code } })).status).toBe(401);
    expect((await call('POST', '/auth/magic-link/verify', { json: { token: second.token } })).status).toBe(401);
  });

  it('a new link for the same address invalidates the older unused one', async () => {
    const email = uniqueEmail();
    const older = await requestLink(email);
    const newer = await requestLink(email);
    expect((await call('POST', '/auth/magic-link/verify', { json: { token: older.token } })).status).toBe(401);
    expect((await call('POST', '/auth/magic-link/verify', { json: { token: newer.token } })).status).toBe(200);
  });

  it('S3, S33: known and unknown addresses get the same status, body and headers', async () => {
    const { email: known } = await signUp();
    const unknown = uniqueEmail('nobody');
    const a = await call('POST', '/auth/magic-link', { json: { email: known } });
    const b = await call('POST', '/auth/magic-link', { json: { email: unknown } });
    expect(a.status).toBe(202);
    expect(b.status).toBe(a.status);
    expect(b.body).toEqual(a.body);
    const names = (r: typeof a) => [...r.headers.keys()].filter((k) => k !== 'date').sort();
    expect(names(b)).toEqual(names(a));
    const shape = (r: typeof a) => r.cookies.map((c) => c.replace(/=[^;]*/, '=…'));
    expect(shape(b)).toEqual(shape(a));
  });

  it('S33: past 5 mails per address per window → 429 with Retry-After, for known and unknown alike', async () => {
    const { email: known } = await signUp();
    const unknown = uniqueEmail('nobody');
    for (const email of [known, unknown]) {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await call('POST', '/auth/magic-link', { json: { email } })).status);
      expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
      const refused = await call('POST', '/auth/magic-link', { json: { email } });
      expect(refused.body.error).toBe('too_many_attempts');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Exactly five sign-in mails per address per window reached the outbox, whoever asked.
    const links = async (email: string) =>
      (await mailsTo(backend.url, email)).mails.filter((m) => m.subject === 'Your sign-in link');
    expect(await links(known)).toHaveLength(5);
    expect(await links(unknown)).toHaveLength(5);
  });

  it('S39: redirectTo must be on the allowlist (exact origin); the POST answer carries it', async () => {
    for (const redirectTo of [
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      `${APP}@evil.example`,
      `${APP}.evil.example/`,
      'javascript:alert(1)',
      'https://app.example.com%2F@evil.example',
    ]) {
      const res = await call('POST', '/auth/magic-link', { json: { email: uniqueEmail(), redirectTo } });
      expect(res.status, redirectTo).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    }
    const email = uniqueEmail();
    const { token, res } = await requestLink(email, { redirectTo: `${APP}/welcome` });
    expect(res.status).toBe(202);
    const done = await call('POST', '/auth/magic-link/verify', { json: { token } });
    expect(done.body.redirectTo).toBe(`${APP}/welcome`);
  });

  it('an address without an account is signed up on verify (passwordless), verified', async () => {
    const email = uniqueEmail('new');
    const { token } = await requestLink(email);
    const res = await call('POST', '/auth/magic-link/verify', { json: { token } });
    expect(res.status).toBe(200);
    const me = await call('GET', '/auth/me', { headers: { authorization: `Bearer ${res.body.accessToken}` } });
    expect(me.body.email).toBe(email);
    // The same address later signs in to the same account.
    const next = await requestLink(email);
    const again = await call('POST', '/auth/magic-link/verify', { json: { token: next.token } });
    expect(decodeJwt(again.body.accessToken).sub).toBe(decodeJwt(res.body.accessToken).sub);
  });

  it("S48: a Unicode look-alike address never receives another account's link", async () => {
    const { email, sub } = await signUp();
    const lookalike = email.replace('example.com', 'еxample.com'); // Cyrillic е
    const res = await call('POST', '/auth/magic-link', { json: { email: lookalike } });
    expect(res.status).toBe(202);
    const outbox = (
      (await (await fetch(`${backend.url}/_dev/outbox`)).json()) as { to: string; subject: string; text: string }[]
    ).filter((m) => m.subject === 'Your sign-in link');
    const toVictim = outbox.filter((m) => m.to === email);
    expect(toVictim).toHaveLength(0);
    const sent = outbox.filter((m) => m.to.endsWith('@xn--xample-2of.com') && m.to.startsWith(email.split('@')[0]));
    expect(sent).toHaveLength(1);
    const token = new URL(sent[0].text.match(/https?:\/\/\S+/)![0]).searchParams.get('token');
    const verified = await call('POST', '/auth/magic-link/verify', { json: { token } });
    expect(decodeJwt(verified.body.accessToken).sub).not.toBe(sub);
  });

  it('S48: CR/LF in the address is 400 and nothing is sent', async () => {
    const res = await call('POST', '/auth/magic-link', { json: { email: 'a@example.com\r\nBcc: x@evil.example' } });
    expect(res.status).toBe(400);
  });
});
