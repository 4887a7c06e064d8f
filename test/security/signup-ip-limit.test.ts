/**
 * S55: sign-up is throttled per source IP (API Gateway's, never X-Forwarded-For), before any argon2 work or mail.
 * (Own file: one backend per process, with a small SIGNUP_MAX_PER_IP.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { api, goodPassword, mailsTo, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';

let backend: LocalBackend;

beforeAll(async () => {
  backend = await startTestBackend({ SIGNUP_MAX_PER_IP: '5', MAIL_MAX_PER_IP: '100000' });
});
afterAll(() => backend?.close());

describe('Per-IP sign-up limit', () => {
  it('S55: 10 sign-ups from one address: 5 accounts and 5 mails, then 429 too_many_attempts with Retry-After', async () => {
    const call = api(backend.url);
    const emails = Array.from({ length: 10 }, () => uniqueEmail('burst'));
    const answers = [];
    for (const [i, email] of emails.entries()) {
      // A spoofed X-Forwarded-For moves nothing to another bucket.
      answers.push(
        await call('POST', '/auth/signup', {
          json: { email, password: goodPassword() },
          headers: { 'x-forwarded-for': `203.0.113.${i}` },
        }),
      );
    }
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 429, 429, 429, 429, 429]);
    const refused = answers[5];
    expect(refused.body).toEqual({ error: 'too_many_attempts', message: expect.any(String) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.cookies).toEqual([]);
    const mails = await Promise.all(emails.map(async (e) => (await mailsTo(backend.url, e)).mails.length));
    expect(mails).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    // No account was made for the refused ones: their addresses are still free (a password login knows nothing of them).
    const login = await call('POST', '/auth/login', { json: { email: emails[9], password: goodPassword() } });
    expect(login.body.error).toBe('invalid_credentials');
  });
});
