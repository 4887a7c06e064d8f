/**
 * Response headers of the one middleware chain (shared/http/handler.ts), observed on the Lambda result itself:
 * what API Gateway would send, before any gateway adds or drops anything.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // The handler modules build their Lambda export at import; only ISSUER is read then (adapters are lazy).
  process.env.ISSUER ??= 'https://auth.example.test';
});

import { createHandler as jwksHandler } from '../../functions/jwks/handler.js';
import { createHandler as discoveryHandler } from '../../functions/openid-configuration/handler.js';
import type { Config } from '../../shared/config/config.js';
import { createRing, rotateRing, toJwks } from '../../shared/domain/key-ring.js';
import { AuthError } from '../../shared/domain/errors.js';
import { LANDING_PAGE_CSP } from '../../shared/http/email-landing-page.js';
import { httpHandler } from '../../shared/http/handler.js';

const event = (method = 'GET') =>
  ({
    version: '2.0',
    rawPath: '/x',
    headers: {},
    requestContext: { requestId: 'test', http: { method, path: '/x', sourceIp: '192.0.2.1' } },
    isBase64Encoded: false,
  }) as never;

const invoke = async (h: ReturnType<typeof httpHandler>, method = 'GET') =>
  (await h(event(method), {} as never)) as APIGatewayProxyStructuredResultV2 & { headers: Record<string, unknown> };

const json = httpHandler({ methods: ['GET'], maxBodyBytes: 1024 }, async () => ({
  statusCode: 200,
  body: { ok: true },
}));
const page = httpHandler({ methods: ['GET'], maxBodyBytes: 1024 }, async () => ({
  statusCode: 200,
  html: '<!doctype html><p>hi</p>',
}));
const landing = httpHandler(
  { methods: ['GET'], maxBodyBytes: 1024, contentSecurityPolicy: LANDING_PAGE_CSP },
  async () => ({
    statusCode: 200,
    html: '<!doctype html><p>hi</p>',
  }),
);
const missing = httpHandler({ methods: ['GET'], maxBodyBytes: 1024 }, async () => {
  throw new AuthError('not_found', 'Nothing here.');
});
const crash = httpHandler({ methods: ['GET'], maxBodyBytes: 1024 }, async () => {
  throw new Error('boom');
});

/** Header names whose value is missing, empty, or the string a gateway makes of `undefined`. */
const blankHeaders = (headers: Record<string, unknown>) =>
  Object.entries(headers)
    .filter(([, v]) => v === undefined || v === null || String(v).trim() === '' || String(v) === 'undefined')
    .map(([k]) => k);

describe('Function: httpHandler (response headers)', () => {
  it('S58: no header is empty or undefined on JSON, HTML, error, 405 and 500 responses', async () => {
    // Act
    const results = [
      await invoke(json),
      await invoke(page),
      await invoke(landing),
      await invoke(missing),
      await invoke(json, 'POST'),
      await invoke(crash),
    ];

    // Assess
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 404, 405, 500]);
    for (const r of results) {
      expect(blankHeaders(r.headers)).toEqual([]);
      expect(Object.keys(r.headers).map((k) => k.toLowerCase())).not.toContain('server');
      expect(Object.keys(r.headers).map((k) => k.toLowerCase())).not.toContain('x-powered-by');
      expect(Object.keys(r.headers).map((k) => k.toLowerCase())).not.toContain('report-to');
      expect(Object.keys(r.headers).map((k) => k.toLowerCase())).not.toContain('reporting-endpoints');
    }
  });

  it('S58: HTML pages send X-XSS-Protection: 0 (never 1; mode=block); JSON sends none', async () => {
    // Act
    const [plain, withCsp, api] = [await invoke(page), await invoke(landing), await invoke(json)];

    // Assess
    expect(plain.headers['X-XSS-Protection']).toBe('0');
    expect(withCsp.headers['X-XSS-Protection']).toBe('0');
    expect(api.headers['X-XSS-Protection']).toBeUndefined();
  });

  it('S58: the CSP names no report-to group, as no reporting endpoint exists', async () => {
    // Act
    const [plain, withCsp] = [await invoke(page), await invoke(landing)];

    // Assess
    for (const r of [plain, withCsp]) {
      const csp = String(r.headers['Content-Security-Policy']);
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).not.toMatch(/report-to|report-uri/);
    }
  });
});

describe('Handlers: jwks and openid-configuration', () => {
  const config = { ISSUER: 'https://auth.example.test', MAX_BODY_BYTES: 1024 } as Config;

  it('S58: both are cacheable and answer Vary: Origin to a request without Origin', async () => {
    // Prepare
    const jwks = toJwks(await createRing('ES256', new Date()));
    const source = { jwks: async () => jwks };

    // Act
    const results = [await invoke(jwksHandler(source, config)), await invoke(discoveryHandler(source, config))];

    // Assess
    for (const r of results) {
      expect(r.statusCode).toBe(200);
      expect(r.headers['Cache-Control']).toMatch(/^public, max-age=\d+$/);
      expect(r.headers['Vary']).toBe('Origin');
    }
  });

  it('S56: discovery lists the algorithms of the published keys, current first, not SIGNING_ALG', async () => {
    // Prepare: an ES256 ring rotated once by a deployment now configured for EdDSA
    const ring = await rotateRing(await createRing('ES256', new Date()), 'EdDSA', new Date());
    const discovery = discoveryHandler(
      { jwks: async () => toJwks(ring) },
      {
        ...config,
        SIGNING_ALG: 'EdDSA',
      },
    );

    // Act
    const r = await invoke(discovery);

    // Assess
    expect(JSON.parse(String(r.body)).access_token_signing_alg_values_supported).toEqual(['ES256', 'EdDSA']);
  });
});
