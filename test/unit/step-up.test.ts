/**
 * Step-up at the edge and in the Lambda (S64, S65): the authorizer denies (403) a token whose sign-in lacks the
 * route's second factor or recency, deciding from the token alone; `requireMfa` answers 401 with RFC 9470's challenge.
 */
import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.ISSUER ??= 'https://auth.example.test';
});

import { createAuthorizer, requirementsWith } from '../../shared/authorizer/authorizer.js';
import { encodeAuthContext } from '../../shared/authorizer/auth-context.js';
import { requireMfa } from '../../shared/authorizer/require-mfa.js';
import { checkStepUp } from '../../shared/authorizer/step-up.js';
import type { AccessTokenClaims } from '../../shared/domain/verify-access-token.js';
import { httpHandler } from '../../shared/http/handler.js';
import { logger } from '../../shared/observability/log.js';
import { parseRoutePolicies } from '../../shared/routing/route-policies.js';

const NOW = 2_000_000_000;
const base: AccessTokenClaims = {
  sub: 'user-1',
  email: 'alice@example.com',
  emailVerified: true,
  roles: ['user'],
  scope: '',
  jti: 'jti-1',
  exp: NOW + 900,
  iat: NOW - 10,
  amr: ['pwd'],
  authTime: NOW - 10,
};
const withMfa = (authTime = NOW - 10): AccessTokenClaims => ({ ...base, amr: ['pwd', 'otp', 'mfa'], authTime });

/** Tokens are their own claims here: the verifier's job is tested elsewhere; this suite is about the decision. */
const tokens = new Map<string, AccessTokenClaims>();
const verifier = { verify: vi.fn(async (t: string) => tokens.get(t) ?? Promise.reject(new Error('bad'))) };

// What protectRoute writes for another team's routes.
const POLICIES = parseRoutePolicies(
  JSON.stringify({
    'DELETE /orders/{id}': { roles: ['user'], mfa: true },
    'POST /payouts': { mfa: true, maxAuthAgeSeconds: 300 },
    'GET /profile/export': { maxAuthAgeSeconds: 600 },
    'GET /orders': { roles: ['user'] },
  }),
);

const httpEvent = (routeKey: string, token: string) =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/x',
    identitySource: [`Bearer ${token}`],
    routeKey,
    rawPath: '/x',
    rawQueryString: '',
    cookies: [],
    headers: { authorization: `Bearer ${token}` },
    requestContext: {} as APIGatewayRequestAuthorizerEventV2['requestContext'],
  }) satisfies APIGatewayRequestAuthorizerEventV2;

const aws = [mockClient(DynamoDBClient), mockClient(SecretsManagerClient), mockClient(SESv2Client)];
let fetchSpy: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
  fetchSpy = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('no network in unit tests'));
  for (const m of aws) m.reset();
  tokens.clear();
  tokens.set('pwd', base);
  tokens.set('mfa', withMfa());
  tokens.set('mfa-old', withMfa(NOW - 301));
  tokens.set('mfa-no-auth-time', { ...withMfa(), authTime: undefined });
});
afterEach(() => vi.restoreAllMocks());

const authorize = createAuthorizer({ verifier, requirements: requirementsWith(POLICIES), now: () => NOW });
const decide = async (routeKey: string, token: string) => (await authorize(httpEvent(routeKey, token))).isAuthorized;

describe('Function: authorizer step-up (S65)', () => {
  it('S65: denies (403) a token without mfa in amr on a route declared mfa: true', async () => {
    expect(await decide('DELETE /orders/{id}', 'pwd')).toBe(false);
    expect(await decide('GET /orders', 'pwd')).toBe(true); // the same token passes where no step-up is asked
  });

  it('S64 S65: allows a fresh token whose amr has mfa, and hands amr and auth_time to the Lambda', async () => {
    const result = await authorize(httpEvent('POST /payouts', 'mfa'));
    expect(result).toEqual({ isAuthorized: true, context: encodeAuthContext(withMfa()) });
    expect(result.context).toMatchObject({ amr: 'pwd otp mfa', auth_time: String(NOW - 10) });
  });

  it('S65: denies a token whose auth_time is older than maxAuthAgeSeconds, even with mfa', async () => {
    expect(await decide('POST /payouts', 'mfa-old')).toBe(false);
    expect(await decide('DELETE /orders/{id}', 'mfa-old')).toBe(true); // no age limit there
  });

  it('S65: a maximum age alone does not ask for mfa, and the boundary second is still allowed', async () => {
    expect(await decide('GET /profile/export', 'pwd')).toBe(true);
    tokens.set('edge', withMfa(NOW - 300));
    expect(await decide('POST /payouts', 'edge')).toBe(true);
  });

  it('S65: a token without auth_time never counts as recent', async () => {
    expect(await decide('POST /payouts', 'mfa-no-auth-time')).toBe(false);
  });

  it('S65: still 401 (Unauthorized), not 403, for a token that does not verify', async () => {
    await expect(authorize(httpEvent('POST /payouts', 'forged'))).rejects.toThrow(/^Unauthorized$/);
  });

  it('S65: decides at zero AWS calls and zero network requests', async () => {
    for (const [route, token] of [
      ['POST /payouts', 'mfa'],
      ['POST /payouts', 'mfa-old'],
      ['DELETE /orders/{id}', 'pwd'],
    ] as const) {
      await decide(route, token);
    }
    for (const m of aws) expect(m.calls()).toHaveLength(0);
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe('Function: parseRoutePolicies step-up', () => {
  it('S65: reads mfa and maxAuthAgeSeconds, and refuses bad values naming ROUTE_POLICIES', () => {
    expect(POLICIES['POST /payouts']).toEqual({
      roles: undefined,
      scopes: undefined,
      mfa: true,
      maxAuthAgeSeconds: 300,
    });
    for (const bad of [
      { mfa: 'yes' },
      { maxAuthAgeSeconds: 0 },
      { maxAuthAgeSeconds: 1.5 },
      { maxAuthAgeSeconds: '60' },
    ]) {
      expect(() => parseRoutePolicies(JSON.stringify({ 'GET /x': bad }))).toThrow(/ROUTE_POLICIES/);
    }
  });
});

describe('Function: checkStepUp', () => {
  it('S65: names why a sign-in falls short', () => {
    expect(checkStepUp(base, { mfa: true }, NOW)).toEqual({ ok: false, reason: 'mfa_missing' });
    expect(checkStepUp(withMfa(NOW - 61), { mfa: true, maxAuthAgeSeconds: 60 }, NOW)).toEqual({
      ok: false,
      reason: 'auth_too_old',
    });
    expect(checkStepUp(base, undefined, NOW)).toEqual({ ok: true });
  });
});

/** A protected Lambda behind the HTTP chain that needs MFA within five minutes for its action. */
const payout = httpHandler({ methods: ['POST'], maxBodyBytes: 1024 }, async (req) => {
  const { sub } = requireMfa(req.event, { maxAuthAgeSeconds: 300, now: () => NOW });
  return { statusCode: 200, body: { paidTo: sub } };
});
const mfaOnly = httpHandler({ methods: ['POST'], maxBodyBytes: 1024 }, async (req) => {
  requireMfa(req.event, { now: () => NOW });
  return { statusCode: 204 };
});

const lambdaEvent = (claims: AccessTokenClaims) =>
  ({
    version: '2.0',
    routeKey: 'POST /payouts',
    rawPath: '/payouts',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    isBase64Encoded: false,
    requestContext: {
      http: { method: 'POST', path: '/payouts', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 't' },
      requestId: 'req-1',
      authorizer: { lambda: encodeAuthContext(claims) },
    },
  }) as unknown as APIGatewayProxyEventV2;

type Res = { statusCode: number; headers: Record<string, string>; body?: string };
const call = async (h: typeof payout, claims: AccessTokenClaims) =>
  (await h(lambdaEvent(claims), {} as never)) as unknown as Res;

describe('Function: requireMfa (S65, RFC 9470)', () => {
  it('S65: answers 401 insufficient_user_authentication with the exact WWW-Authenticate challenge without mfa', async () => {
    const res = await call(mfaOnly, base);
    expect(res.statusCode).toBe(401);
    expect(res.headers['WWW-Authenticate']).toBe('Bearer error="insufficient_user_authentication"');
    expect(JSON.parse(res.body!)).toEqual({ error: 'insufficient_user_authentication', message: expect.any(String) });
  });

  it('S65: answers 401 with max_age when the mfa sign-in is too old', async () => {
    const res = await call(payout, withMfa(NOW - 301));
    expect(res.statusCode).toBe(401);
    expect(res.headers['WWW-Authenticate']).toBe('Bearer error="insufficient_user_authentication", max_age="300"');
  });

  it('S64 S65: lets a fresh mfa session through with its identity', async () => {
    const res = await call(payout, withMfa());
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!)).toEqual({ paidTo: 'user-1' });
    expect((await call(mfaOnly, withMfa(NOW - 86_400))).statusCode).toBe(204);
  });
});
