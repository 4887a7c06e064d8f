/**
 * S49/S50 for social sign-in: runs successful and failing OAuth flows (real oidc-provider on loopback) with a
 * sentinel client secret, captures every line the process writes, and fails on any secret of the flow: client
 * secret, state, code, binding cookie, refresh token. OAuth failures are security events: one JSON line each, with
 * the failure code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOidc, type DevOidc } from '../../infra/local/dev-oidc.js';
import type { LocalBackend } from '../../infra/local/start.js';
import { REFRESH_COOKIE, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';
import { CookieJar, request, signInAtProvider } from '../helpers/oauth-flow.js';
import { captureOutput } from '../helpers/capture-output.js';

const SECRET = 'SENTINEL-CLIENT-SECRET-8d1e';
let backend: LocalBackend;
let oidc: DevOidc;
let output: ReturnType<typeof captureOutput>;
let captured: string[] = [];

beforeAll(async () => {
  oidc = await startDevOidc({
    clients: () => [{ clientId: 'rp', clientSecret: SECRET, redirectUris: [`${backend.url}/auth/oauth/dev/callback`] }],
  });
  backend = await startTestBackend({
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    OAUTH_ALLOW_INSECURE_ISSUER: 'true',
    OAUTH_PROVIDERS: JSON.stringify({ dev: { issuer: oidc.issuer, clientId: 'rp', clientSecret: SECRET } }),
  });
  output = captureOutput();
  captured = output.chunks;
});
afterAll(async () => {
  output?.restore();
  await backend?.close();
  await oidc?.close();
});

describe('Log hygiene (social sign-in)', () => {
  it('S49: no client secret, state, code, binding value or refresh token in any log line, on success and failure paths', async () => {
    const secrets: string[] = [SECRET];
    const home = `${backend.url}/`;
    // Success.
    const jar = new CookieJar();
    const ok = await signInAtProvider(jar, backend.url, { redirectTo: home, as: { email: uniqueEmail('logs') } });
    const binding = jar.get(backend.url, '__Host-oauth_tx')!;
    const done = await request(jar, ok.callbackUrl);
    expect(done.location).toBe(home);
    const params = new URL(ok.callbackUrl).searchParams;
    secrets.push(params.get('code')!, params.get('state')!, binding, jar.get(backend.url, REFRESH_COOKIE)!);
    // Failures: replay, another browser, unverified email.
    await request(jar, ok.callbackUrl);
    const other = await signInAtProvider(new CookieJar(), backend.url, {
      redirectTo: home,
      as: { email: uniqueEmail('logs') },
    });
    await request(new CookieJar(), other.callbackUrl);
    const unverifiedJar = new CookieJar();
    const unverified = await signInAtProvider(unverifiedJar, backend.url, {
      redirectTo: home,
      as: { email: uniqueEmail('logs'), emailVerified: false },
    });
    await request(unverifiedJar, unverified.callbackUrl);
    for (const u of [other.callbackUrl, unverified.callbackUrl]) {
      const p = new URL(u).searchParams;
      secrets.push(p.get('code')!, p.get('state')!);
    }

    const logs = captured.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const s of secrets) expect(s.length).toBeGreaterThan(10);
    for (const s of secrets) expect(logs).not.toContain(s);
    expect(logs).not.toContain('SENTINEL');
  });

  it('S50: OAuth failures and successes are security events — one JSON line each, with the code and a correlation id', () => {
    const events = captured
      .flatMap((c) => c.split('\n'))
      .filter((l) => l.includes('securityEvent'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const failures = events.filter((e) => e['securityEvent'] === 'oauth_failure').map((e) => e['code']);
    expect(failures).toEqual(expect.arrayContaining(['invalid_state', 'browser_mismatch', 'email_unverified']));
    expect(events.some((e) => e['securityEvent'] === 'oauth_success')).toBe(true);
    for (const e of events.filter((x) => String(x['securityEvent']).startsWith('oauth_'))) {
      expect(typeof e['correlationId']).toBe('string');
      expect(String(e['timestamp'])).toMatch(/Z$|\+00:00$/);
    }
  });
});
