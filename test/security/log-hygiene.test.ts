/**
 * S49/S50: runs the password flows (success and failure paths) with sentinel secrets, captures every line the
 * handlers write, and fails on any sentinel; checks security events are single structured JSON lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { api, cookieValue, REFRESH_COOKIE, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';
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

describe('Log hygiene', () => {
  it('S49: no password, refresh token or access token appears in any log line, on success and failure paths', async () => {
    const password = 'SENTINEL-PASSWORD-7f3a9c correct horse';
    const wrongPassword = 'SENTINEL-WRONG-PASSWORD-51c0 battery';
    const email = uniqueEmail('sentinel');
    const signup = await call('POST', '/auth/signup', { json: { email, password } });
    const login = await call('POST', '/auth/login', { json: { email, password } });
    await call('POST', '/auth/login', { json: { email, password: wrongPassword } });
    await call('POST', '/auth/login', { json: { email: uniqueEmail(), password: wrongPassword } });
    await call('POST', '/auth/login', {
      body: `{"email":"${email}","password":"${wrongPassword}"`,
      headers: { 'content-type': 'application/json' },
    });
    const refresh = cookieValue(login.cookies, REFRESH_COOKIE)!;
    const rotated = await call('POST', '/auth/refresh', { headers: { cookie: `${REFRESH_COOKIE}=${refresh}` } });
    await call('POST', '/auth/refresh', { headers: { cookie: `${REFRESH_COOKIE}=${refresh}` } }); // reuse
    const access = login.body.accessToken as string;
    await call('GET', '/auth/me', { headers: { authorization: `Bearer ${access}` } });
    await call('GET', '/auth/me', { headers: { authorization: `Bearer ${access.slice(0, -4)}AAAA` } });
    await call('POST', '/auth/logout', { json: { refreshToken: cookieValue(rotated.cookies, REFRESH_COOKIE) } });

    const secrets = [
      password,
      wrongPassword,
      refresh,
      cookieValue(signup.cookies, REFRESH_COOKIE)!,
      cookieValue(rotated.cookies, REFRESH_COOKIE)!,
      access,
      access.split('.')[2],
      signup.body.accessToken as string,
      rotated.body.accessToken as string,
    ];
    const logs = captured.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const s of secrets) expect(logs).not.toContain(s);
    expect(logs).not.toContain('SENTINEL');
  });

  it('S50: security events are one JSON line each with a type, a UTC timestamp and a correlation id', () => {
    const events = captured
      .flatMap((c) => c.split('\n'))
      .filter((l) => l.includes('securityEvent'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const types = new Set(events.map((e) => e.securityEvent));
    for (const t of ['signup', 'login_success', 'login_failure', 'refresh_reuse', 'logout', 'authorizer_deny'])
      expect(types).toContain(t);
    for (const e of events) {
      expect(String(e.timestamp)).toMatch(/Z$|\+00:00$/);
    }
    expect(
      events.filter((e) => e.securityEvent !== 'authorizer_deny').every((e) => typeof e.correlationId === 'string'),
    ).toBe(true);
  });
});
