import type {
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.ISSUER ??= 'https://auth.example.test';
});

import { createAuthorizer, type Authorizer } from '../../shared/authorizer/authorizer.js';
import {
  getAuthContext,
  MissingAuthContextError,
  requireRole,
  requireScope,
  type AuthContext,
} from '../../shared/authorizer/auth-context.js';
import { TokenVerificationError, type AccessTokenClaims } from '../../shared/domain/verify-access-token.js';
import { AuthError } from '../../shared/domain/errors.js';
import { logger } from '../../shared/observability/log.js';

const GOOD = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders';
const CLAIMS: AccessTokenClaims = {
  sub: 'user-1',
  email: 'alice@example.com',
  emailVerified: true,
  roles: ['user', 'admin'],
  scope: 'openid profile',
  jti: 'jti-1',
  exp: 2_000_000_000,
  iat: 1_999_999_100,
  amr: ['otp'],
  authTime: 1_999_999_000,
};

/** Accepts GOOD only; everything else fails like a bad signature. */
const verifier = {
  verify: vi.fn(async (token: string) => {
    if (token !== GOOD) throw new TokenVerificationError('bad_signature');
    return CLAIMS;
  }),
};

let authorize: Authorizer;

const tokenEvent = (authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  methodArn: METHOD_ARN,
  authorizationToken,
});

const restRequestEvent = (headers: Record<string, string> | null): APIGatewayRequestAuthorizerEvent => ({
  type: 'REQUEST',
  methodArn: METHOD_ARN,
  resource: '/orders',
  path: '/orders',
  httpMethod: 'GET',
  headers,
  multiValueHeaders: null,
  pathParameters: null,
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  stageVariables: null,
  requestContext: {} as APIGatewayRequestAuthorizerEvent['requestContext'],
});

const httpEvent = (headers: Record<string, string>, routeKey = 'GET /auth/me') =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/auth/me',
    identitySource: Object.values(headers),
    routeKey,
    rawPath: '/auth/me',
    rawQueryString: '',
    cookies: [],
    headers,
    requestContext: {} as APIGatewayRequestAuthorizerEventV2['requestContext'],
  }) satisfies APIGatewayRequestAuthorizerEventV2;

const allowPolicy = {
  principalId: 'user-1',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }],
  },
  context: {
    sub: 'user-1',
    email: 'alice@example.com',
    roles: 'user admin',
    scope: 'openid profile',
    jti: 'jti-1',
    email_verified: 'true',
    amr: 'otp',
    auth_time: '1999999000',
  },
};

beforeEach(() => {
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
  vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  verifier.verify.mockClear();
  authorize = createAuthorizer({ verifier });
});
afterEach(() => vi.restoreAllMocks());

describe('Function: authorizer (REST API)', () => {
  it('allows a TOKEN event with a good Bearer token: an Allow policy for exactly the methodArn, with context', async () => {
    // Act
    const result = await authorize(tokenEvent(`Bearer ${GOOD}`));

    // Assess
    expect(result).toEqual(allowPolicy);
    expect(verifier.verify).toHaveBeenCalledWith(GOOD);
  });

  it('throws Unauthorized for a TOKEN event with a bad token', async () => {
    await expect(authorize(tokenEvent('Bearer bad.token.value'))).rejects.toThrow(/^Unauthorized$/);
  });

  it.each([
    ['Authorization', { Authorization: `Bearer ${GOOD}` }],
    ['authorization', { authorization: `Bearer ${GOOD}` }],
    ['AUTHORIZATION', { AUTHORIZATION: `Bearer ${GOOD}` }],
  ])('allows a REST REQUEST event with the token in %s', async (_name, headers) => {
    expect(await authorize(restRequestEvent(headers))).toEqual(allowPolicy);
  });

  it('throws Unauthorized for a REST REQUEST event with a bad token', async () => {
    await expect(authorize(restRequestEvent({ Authorization: 'Bearer bad.token.value' }))).rejects.toThrow(
      /^Unauthorized$/,
    );
  });

  it('throws Unauthorized when the header is missing (or headers are null)', async () => {
    await expect(authorize(restRequestEvent({ Accept: 'application/json' }))).rejects.toThrow(/^Unauthorized$/);
    await expect(authorize(restRequestEvent(null))).rejects.toThrow(/^Unauthorized$/);
    await expect(authorize(tokenEvent(''))).rejects.toThrow(/^Unauthorized$/);
  });

  it('throws Unauthorized when two differently-cased Authorization headers disagree', async () => {
    await expect(
      authorize(restRequestEvent({ Authorization: `Bearer ${GOOD}`, authorization: 'Bearer other.token.x' })),
    ).rejects.toThrow(/^Unauthorized$/);
  });

  it('does not check route roles for REST (documented): any valid token is allowed', async () => {
    // Prepare
    const strict = createAuthorizer({ verifier, requirements: () => ({ roles: ['nobody-has-this'] }) });

    // Act / Assess
    expect(await strict(tokenEvent(`Bearer ${GOOD}`))).toEqual(allowPolicy);
  });
});

describe('Function: authorizer (Authorization header parsing)', () => {
  it.each([`Bearer ${GOOD}`, `bearer ${GOOD}`, `BEARER ${GOOD}`, `bEaReR ${GOOD}`])(
    'accepts the scheme in any case: %s',
    async (header) => {
      expect((await authorize(httpEvent({ authorization: header }))).isAuthorized).toBe(true);
    },
  );

  it.each([`Bearer  ${GOOD}`, `bearer   ${GOOD}`, `BEARER ${' '.repeat(10)}${GOOD}`])(
    'S58: accepts one or more spaces after the scheme (RFC 6750 §2.1 1*SP): %s',
    async (header) => {
      expect((await authorize(httpEvent({ authorization: header }))).isAuthorized).toBe(true);
      expect(verifier.verify).toHaveBeenCalledWith(GOOD);
    },
  );

  it.each([
    ['Basic', `Basic ${Buffer.from('alice:pw').toString('base64')}`],
    ['Basic carrying the JWT', `Basic ${GOOD}`],
    ['no scheme', GOOD],
    ['a tab', `Bearer\t${GOOD}`],
    ['a space then a tab', `Bearer \t${GOOD}`],
    ['a leading space', ` Bearer ${GOOD}`],
    ['trailing space', `Bearer ${GOOD} `],
    ['two tokens', `Bearer ${GOOD}, Bearer ${GOOD}`],
    ['scheme only', 'Bearer'],
    ['empty', ''],
  ])('throws Unauthorized for %s', async (_kind, header) => {
    await expect(authorize(httpEvent({ authorization: header }))).rejects.toThrow(/^Unauthorized$/);
    expect(verifier.verify).not.toHaveBeenCalled();
  });

  it('throws Unauthorized for an HTTP API event without the header', async () => {
    await expect(authorize(httpEvent({}))).rejects.toThrow(/^Unauthorized$/);
  });

  it('throws Unauthorized for an unknown event shape', async () => {
    await expect((authorize as (e: unknown) => Promise<unknown>)({ type: 'WEBSOCKET' })).rejects.toThrow(
      /^Unauthorized$/,
    );
    await expect((authorize as (e: unknown) => Promise<unknown>)(null)).rejects.toThrow(/^Unauthorized$/);
  });

  it('logs the deny reason, never the token', async () => {
    // Act
    await expect(authorize(httpEvent({ authorization: 'Bearer bad.token.value' }))).rejects.toThrow();

    // Assess
    expect(logger.info).toHaveBeenCalledWith(
      'security_event authorizer_deny',
      expect.objectContaining({ reason: 'bad_signature' }),
    );
    expect(JSON.stringify(vi.mocked(logger.info).mock.calls)).not.toContain('bad.token.value');
  });

  it('an unexpected verifier error is still a 401 (never a 500 or an allow), logged at error level', async () => {
    // Prepare
    const broken = createAuthorizer({ verifier: { verify: async () => Promise.reject(new RangeError('boom')) } });

    // Act / Assess
    await expect(broken(httpEvent({ authorization: `Bearer ${GOOD}` }))).rejects.toThrow(/^Unauthorized$/);
    expect(logger.error).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ reason: 'internal' }));
  });
});

describe('Function: getAuthContext', () => {
  const ROUND_TRIPPED = {
    sub: 'user-1',
    email: 'alice@example.com',
    emailVerified: true,
    roles: ['user', 'admin'],
    scope: 'openid profile',
    jti: 'jti-1',
    amr: ['otp'],
    authTime: 1_999_999_000,
  };

  it('S53: email_verified reads as true only when the authorizer said "true"', () => {
    const base = { sub: 'u', jti: 'j', email: 'ceo@corp.example' };
    expect(
      getAuthContext({ requestContext: { authorizer: { lambda: { ...base, email_verified: 'true' } } } }).emailVerified,
    ).toBe(true);
    for (const email_verified of [undefined, 'false', 'TRUE', '1', 'yes']) {
      expect(
        getAuthContext({ requestContext: { authorizer: { lambda: { ...base, email_verified } } } }).emailVerified,
      ).toBe(false);
    }
  });

  it('round-trips the HTTP API context (requestContext.authorizer.lambda)', async () => {
    // Prepare
    const result = await authorize(httpEvent({ authorization: `Bearer ${GOOD}` }));

    // Act
    const ctx = getAuthContext({ requestContext: { authorizer: { lambda: result.context } } });

    // Assess
    expect(ctx).toEqual(ROUND_TRIPPED);
  });

  it('round-trips the REST context (requestContext.authorizer, with principalId and integrationLatency beside it)', async () => {
    // Prepare
    const policy = await authorize(tokenEvent(`Bearer ${GOOD}`));

    // Act
    const ctx = getAuthContext({
      requestContext: { authorizer: { ...policy.context, principalId: 'user-1', integrationLatency: 12 } },
    });

    // Assess
    expect(ctx).toEqual(ROUND_TRIPPED);
  });

  it('drops role names containing whitespace instead of splitting them into new roles', async () => {
    // Prepare
    const odd = createAuthorizer({
      verifier: { verify: async () => ({ ...CLAIMS, roles: ['user', 'not admin', ''] }) },
    });

    // Act
    const result = await odd(httpEvent({ authorization: `Bearer ${GOOD}` }));
    const ctx = getAuthContext({ requestContext: { authorizer: { lambda: result.context } } });

    // Assess
    expect(ctx.roles).toEqual(['user']);
  });

  it('passes clean role and amr lists as they are, and drops only the unclean names from a mixed one', async () => {
    // Prepare
    const make = (roles: string[], amr: string[]) =>
      createAuthorizer({ verifier: { verify: async () => ({ ...CLAIMS, roles, amr }) } });

    // Act
    const clean = await make(['user', 'admin'], ['pwd', 'mfa'])(httpEvent({ authorization: `Bearer ${GOOD}` }));
    const one = await make(['user'], [])(httpEvent({ authorization: `Bearer ${GOOD}` }));
    const mixed = await make(
      ['x\ty', 'user'],
      ['otp', 'a b', '\u00a0'],
    )(httpEvent({ authorization: `Bearer ${GOOD}` }));

    // Assess
    expect(clean.context).toMatchObject({ roles: 'user admin', amr: 'pwd mfa' });
    expect(one.context).toMatchObject({ roles: 'user', amr: '' });
    expect(mixed.context).toMatchObject({ roles: 'user', amr: 'otp' });
  });

  it.each([
    ['no requestContext', {}],
    ['no authorizer', { requestContext: {} }],
    ['a JWT authorizer instead of ours', { requestContext: { authorizer: { jwt: { claims: { sub: 'x' } } } } }],
    ['an empty lambda context', { requestContext: { authorizer: { lambda: {} } } }],
  ])('throws MissingAuthContextError with %s', (_kind, event) => {
    expect(() => getAuthContext(event)).toThrow(MissingAuthContextError);
    expect(() => getAuthContext(event)).toThrow(/protected by the authorizer/);
  });
});

describe('Functions: requireRole / requireScope', () => {
  const ctx: AuthContext = {
    sub: 'u',
    email: 'e',
    emailVerified: false,
    roles: ['user'],
    scope: 'openid profile',
    jti: 'j',
    amr: [],
  };

  it('requireRole passes with at least one of the roles', () => {
    expect(() => requireRole(ctx, 'admin', 'user')).not.toThrow();
  });

  it('requireRole throws AuthError forbidden (403) without any of them', () => {
    // Act
    const error = (() => {
      try {
        requireRole(ctx, 'admin');
      } catch (e) {
        return e;
      }
      return undefined;
    })();

    // Assess
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'forbidden', status: 403 });
  });

  it('requireScope needs every scope', () => {
    expect(() => requireScope(ctx, 'openid', 'profile')).not.toThrow();
    expect(() => requireScope(ctx, 'openid', 'admin:write')).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('requireScope does not match a scope by substring', () => {
    expect(() => requireScope({ ...ctx, scope: 'openid profile:read' }, 'profile')).toThrow(AuthError);
  });
});
