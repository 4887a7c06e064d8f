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
    const csp = r.headers['Content-Security-Policy']!;
    const sha = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
    const script = /<script>([\s\S]*?)<\/script>/.exec(r.body)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(r.body)![1]!;
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
