/**
 * Handler-level checks that need no store: the off switch for magic links, and the landing page's CSP hashes
 * matching exactly the page's own inline script and style (S32).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ENV = {
  ISSUER: 'https://auth.test',
  USERS_TABLE: 'users',
  REFRESH_TOKENS_TABLE: 'refresh',
  EPHEMERAL_TABLE: 'ephemeral',
  MAGIC_LINKS_TABLE: 'links',
  KEY_RING_FILE: '/nonexistent/keyring.json',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', // never reached by these tests
  MAGIC_LINKS_ENABLED: 'false',
  MAILER: 'outbox',
  AWS_REGION: 'local',
};
const saved: Record<string, string | undefined> = {};

beforeAll(() => {
  for (const [k, v] of Object.entries(ENV)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const event = (method: string, path: string, body?: unknown) => ({
  version: '2.0',
  rawPath: path,
  headers: { 'content-type': 'application/json' },
  requestContext: { requestId: 'test', http: { method, path, sourceIp: '192.0.2.1' } },
  body: body === undefined ? undefined : JSON.stringify(body),
  isBase64Encoded: false,
});
type Result = { statusCode: number; headers: Record<string, string>; body: string };

describe('Handler: magic-link with MAGIC_LINKS_ENABLED=false', () => {
  it('answers 404 not_found on the request and on both verify methods, before touching any store', async () => {
    const request = (await import('../../functions/magic-link/handler.js')).handler;
    const verify = (await import('../../functions/magic-link-verify/handler.js')).handler;
    const results = (await Promise.all([
      request(event('POST', '/auth/magic-link', { email: 'a@example.com' }) as never, {} as never),
      verify(event('GET', '/auth/magic-link/verify') as never, {} as never),
      verify(event('POST', '/auth/magic-link/verify', { token: 'x' }) as never, {} as never),
    ])) as Result[];
    for (const r of results) {
      expect(r.statusCode).toBe(404);
      expect(JSON.parse(r.body).error).toBe('not_found');
    }
  });
});

describe('Handler: landing page (GET /auth/verify-email)', () => {
  it('S32: the CSP allows exactly the inline script and style of the page, by hash, and nothing else', async () => {
    const page = (await import('../../functions/verify-email/handler.js')).handler;
    const r = (await page(event('GET', '/auth/verify-email') as never, {} as never)) as Result;
    const csp = r.headers['Content-Security-Policy'];
    const sha = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
    const script = /<script>([\s\S]*?)<\/script>/.exec(r.body)![1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(r.body)![1];
    expect(r.body.match(/<script/g)).toHaveLength(1);
    expect(csp).toContain(`script-src ${sha(script)};`);
    expect(csp).toContain(`style-src ${sha(style)};`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("form-action 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe|https?:|\*/);
    expect(r.headers['Referrer-Policy']).toBe('no-referrer');
    expect(r.headers['Cache-Control']).toBe('no-store');
    expect(r.headers['Content-Type']).toBe('text/html; charset=utf-8');
  });
});

describe('Handlers: landing pages (response headers)', () => {
  it('S58: the landing pages send X-XSS-Protection: 0, no report-to, and no empty or undefined header', async () => {
    // Prepare
    const pages = [
      (await import('../../functions/verify-email/handler.js')).handler,
      (await import('../../functions/password-reset-confirm/handler.js')).handler,
    ];

    // Act
    const results = (await Promise.all([
      pages[0](event('GET', '/auth/verify-email') as never, {} as never),
      pages[1](event('GET', '/auth/password-reset/confirm') as never, {} as never),
    ])) as (Result & { headers: Record<string, unknown> })[];

    // Assess
    for (const r of results) {
      expect(r.statusCode).toBe(200);
      expect(r.headers['X-XSS-Protection']).toBe('0');
      expect(String(r.headers['Content-Security-Policy'])).not.toMatch(/report-to/);
      const blank = Object.entries(r.headers).filter(
        ([, v]) => v === undefined || String(v).trim() === '' || String(v) === 'undefined',
      );
      expect(blank).toEqual([]);
    }
  });
});

describe('Route table and configuration of the email flows', () => {
  it('the dev outbox is not a route of ROUTES (so never deployed); every email route is', async () => {
    const { ROUTES, routeKey } = await import('../../shared/routing/routes.js');
    const keys = ROUTES.map(routeKey);
    expect(keys.some((k) => k.includes('/_dev'))).toBe(false);
    for (const k of [
      'POST /auth/magic-link',
      'GET /auth/magic-link/verify',
      'POST /auth/magic-link/verify',
      'GET /auth/verify-email',
      'POST /auth/verify-email',
      'POST /auth/password-reset',
      'GET /auth/password-reset/confirm',
      'POST /auth/password-reset/confirm',
    ]) {
      expect(keys).toContain(k);
    }
  });

  it('S29, S39: defaults (10-minute links, PUBLIC_URL = ISSUER, no redirect origin) and bad values fail naming the variable', async () => {
    const { loadConfig } = await import('../../shared/config/config.js');
    const c = loadConfig({ ISSUER: 'https://auth.test' });
    expect(c).toMatchObject({
      MAGIC_LINK_TTL_SECONDS: 600,
      PUBLIC_URL: 'https://auth.test',
      ALLOWED_REDIRECT_ORIGINS: [],
      MAGIC_LINKS_ENABLED: true,
      MAGIC_LINK_SIGNUP: true,
      REQUIRE_EMAIL_VERIFICATION: false,
      MAILER: 'ses',
    });
    expect(() =>
      loadConfig({ ISSUER: 'https://auth.test', ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com/path' }),
    ).toThrow(/ALLOWED_REDIRECT_ORIGINS/);
    expect(() => loadConfig({ ISSUER: 'https://auth.test', PUBLIC_URL: 'https://auth.test/' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ ISSUER: 'https://auth.test', REQUIRE_EMAIL_VERIFICATION: 'yes' })).toThrow(
      /REQUIRE_EMAIL_VERIFICATION/,
    );
  });
});
