import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.ISSUER ??= 'https://auth.example.test';
});
const counted = vi.hoisted(() => [] as string[]);
vi.mock('../../shared/observability/metrics.js', () => ({
  METRICS_NAMESPACE: 'Auth',
  SECURITY_METRICS: {},
  countSecurityEvent: (type: string) => counted.push(type),
}));

import { createAuthorizer } from '../../shared/authorizer/authorizer.js';
import { TokenVerificationError } from '../../shared/domain/verify-access-token.js';
import { logger } from '../../shared/observability/log.js';

const event = (authorization: string): APIGatewayRequestAuthorizerEventV2 => ({
  version: '2.0',
  type: 'REQUEST',
  routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/auth/me',
  identitySource: [authorization],
  routeKey: 'GET /auth/me',
  rawPath: '/auth/me',
  rawQueryString: '',
  cookies: [],
  headers: { authorization },
  requestContext: {} as APIGatewayRequestAuthorizerEventV2['requestContext'],
});

describe('Function: authorizer (deny metric for the deny-burst alarm)', () => {
  it('S50 S19: counts every deny as authorizer_deny, the fail-closed ones logged at error level included', async () => {
    // Prepare
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const reasons = [
      new TokenVerificationError('bad_signature'),
      new TokenVerificationError('keys_unavailable'),
      new RangeError('boom'),
    ];

    // Act
    for (const reason of reasons) {
      const authorize = createAuthorizer({ verifier: { verify: async () => Promise.reject(reason) } });
      await expect(authorize(event('Bearer a.b.c'))).rejects.toThrow(/^Unauthorized$/);
    }

    // Assess
    expect(counted).toEqual(['authorizer_deny', 'authorizer_deny', 'authorizer_deny']);
    expect(logger.error).toHaveBeenCalledTimes(2);
  });
});
