/**
 * S29 over HTTP: with a 2-second lifetime, a link and its code are refused once expired, although DynamoDB
 * has not deleted the item (TTL is lazy); the landing page still answers (it never consumes) but does not submit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { api, mailsTo, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';

let backend: LocalBackend;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  // Warm: a 2-second lifetime leaves no room for the functions' cold starts.
  backend = await startTestBackend({ MAGIC_LINK_TTL_SECONDS: '2' }, { warm: true });
  call = api(backend.url);
  // Warming every function took 56 s alone on a quiet 2-core machine, over the 60 s default: give it room.
}, 180_000);
afterAll(() => backend?.close());

describe('Email link expiry (e2e)', () => {
  it('S29: an expired link and its code answer 401 invalid_token; the page still renders and does not auto-submit', async () => {
    const email = uniqueEmail();
    const res = await call('POST', '/auth/magic-link', { json: { email } });
    const cookie = res.cookies.find((c) => c.startsWith('__Host-email_link_binding='))!.split(';')[0];
    const { token, code, link } = await mailsTo(backend.url, email);
    expect(await (await fetch(link!, { headers: { cookie } })).text()).toContain('data-auto="1"');

    await new Promise((r) => setTimeout(r, 2_500));

    const page = await fetch(link!, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-auto="0"');
    const byToken = await call('POST', '/auth/magic-link/verify', { json: { token } });
    expect(byToken.status).toBe(401);
    expect(byToken.body.error).toBe('invalid_token');
    const byCode = await call('POST', '/auth/magic-link/verify', { json: { email, code } });
    expect(byCode.status).toBe(401);
  });
});
