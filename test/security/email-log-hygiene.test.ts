/**
 * S49/S50 for the email flows: run magic link (token and code, right and wrong), email verification and
 * password reset with every log line captured; no link token, code, link or new password may appear, and the
 * flows' security events are structured lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { api, mailsTo, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';
import { captureOutput } from '../helpers/capture-output.js';

let backend: LocalBackend;
let call: ReturnType<typeof api>;
let output: ReturnType<typeof captureOutput>;
let captured: string[] = [];

beforeAll(async () => {
  backend = await startTestBackend({ POWERTOOLS_LOG_LEVEL: 'DEBUG' });
  call = api(backend.url);
  output = captureOutput();
  captured = output.chunks;
});
afterAll(async () => {
  output?.restore();
  await backend?.close();
});

describe('Log hygiene of the email flows', () => {
  it('S49: no link token, code, link or new password appears in any log line', async () => {
    const email = uniqueEmail('sentinel');
    const secrets: string[] = [];
    await call('POST', '/auth/signup', { json: { email, password: 'SENTINEL-SIGNUP-PASSWORD correct horse' } });
    const verification = await mailsTo(backend.url, email);
    await call('POST', '/auth/verify-email', { json: { email, code: verification.code } });

    await call('POST', '/auth/magic-link', { json: { email } });
    const first = await mailsTo(backend.url, email);
    await fetch(first.link!);
    await call('POST', '/auth/magic-link/verify', {
      json: { email, code: '00000000' === first.code ? '00000001' : '00000000' },
    });
    await call('POST', '/auth/magic-link/verify', { json: { token: first.token } });
    await call('POST', '/auth/magic-link/verify', { json: { token: first.token } }); // reuse
    await call('POST', '/auth/magic-link', { json: { email } });
    const second = await mailsTo(backend.url, email);
    await call('POST', '/auth/magic-link/verify', { json: { email, code: second.code } });

    await call('POST', '/auth/password-reset', { json: { email } });
    const reset = await mailsTo(backend.url, email);
    await call('POST', '/auth/password-reset/confirm', {
      json: { token: reset.token, newPassword: 'SENTINEL-NEW-PASSWORD battery staple' },
    });

    for (const m of [verification, first, second, reset]) secrets.push(m.token!, m.token!.slice(3), m.code!, m.link!);
    const logs = captured.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const s of secrets) expect(logs).not.toContain(s);
    expect(logs).not.toContain('SENTINEL');
  });

  it('S50: link sent, link used, failed code, verification and reset are one structured event each', () => {
    const events = captured
      .flatMap((c) => c.split('\n'))
      .filter((l) => l.includes('securityEvent'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const types = new Set(events.map((e) => e.securityEvent));
    for (const t of ['email_link_sent', 'email_link_used', 'email_code_failed', 'email_verified', 'password_reset'])
      expect(types).toContain(t);
    for (const e of events) expect(typeof e.correlationId).toBe('string');
  });
});
