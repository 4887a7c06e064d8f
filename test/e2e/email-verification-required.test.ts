/**
 * REQUIRE_EMAIL_VERIFICATION=true over HTTP: signup answers 202 identically for new and existing addresses
 * (S3), login of an unverified account is refused only after its password matched, and confirming the
 * address lets it in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { api, goodPassword, mailsTo, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';

let backend: LocalBackend;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  backend = await startTestBackend({ REQUIRE_EMAIL_VERIFICATION: 'true' });
  call = api(backend.url);
});
afterAll(() => backend?.close());

describe('Email verification required (e2e)', () => {
  it("S52: with verification required, the attacker's pre-registered password never opens the account the owner proved by link", async () => {
    const victim = uniqueEmail('victim');
    const password = goodPassword();
    // The attacker signs up with the victim's address: 202, and their password is refused until someone proves it.
    expect((await call('POST', '/auth/signup', { json: { email: victim, password } })).status).toBe(202);
    const early = await call('POST', '/auth/login', { json: { email: victim, password } });
    expect(early.status).toBe(403);
    expect(early.body.error).toBe('email_not_verified');
    // The owner signs in by email link: the mail with the link goes to the owner's mailbox only.
    expect((await call('POST', '/auth/magic-link', { json: { email: victim } })).status).toBe(202);
    const { token } = await mailsTo(backend.url, victim);
    const owner = await call('POST', '/auth/magic-link/verify', { json: { token, tokenDelivery: 'body' } });
    expect(owner.status).toBe(200);
    // The proof did not turn the attacker's 403 into a 200: the pre-proof password is gone.
    const late = await call('POST', '/auth/login', { json: { email: victim, password } });
    expect(late.status).toBe(401);
    expect(late.body.error).toBe('invalid_credentials');
    expect((await call('POST', '/auth/refresh', { json: { refreshToken: owner.body.refreshToken } })).status).toBe(200);
  }, 90_000); // first calls of the magic-link functions: cold starts on a loaded machine

  it('S3: signup of a new and of an existing address answer the same 202, body and headers, with no session', async () => {
    const email = uniqueEmail();
    const first = await call('POST', '/auth/signup', { json: { email, password: goodPassword() } });
    const again = await call('POST', '/auth/signup', { json: { email, password: goodPassword() } });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(first.cookies).toEqual([]);
    expect(again.cookies).toEqual([]);
    const names = (r: typeof first) => [...r.headers.keys()].filter((k) => k !== 'date').sort();
    expect(names(again)).toEqual(names(first));
    expect((await mailsTo(backend.url, email)).mails.map((m) => m.subject)).toEqual([
      'Confirm your email address',
      'You already have an account',
    ]);
  });

  it('login of an unverified account: wrong password → 401; right password → 403 email_not_verified; after the link → 200', async () => {
    const email = uniqueEmail();
    const password = goodPassword();
    await call('POST', '/auth/signup', { json: { email, password } });
    const { token } = await mailsTo(backend.url, email);
    expect((await call('POST', '/auth/login', { json: { email, password: 'wrong password wrong' } })).status).toBe(401);
    const refused = await call('POST', '/auth/login', { json: { email, password } });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('email_not_verified');
    expect((await call('POST', '/auth/verify-email', { json: { token } })).status).toBe(200);
    expect((await call('POST', '/auth/login', { json: { email, password } })).status).toBe(200);
  });
});
