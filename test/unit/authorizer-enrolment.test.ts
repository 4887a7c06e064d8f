/**
 * MFA_POLICY=required (S59): on the two enrolment routes, and there only, an `mfaToken` may stand in for the Bearer
 * access token. The authorizer checks its shape alone (no I/O, no verifier call) and tells the function so.
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createAuthorizer } from '../../shared/authorizer/authorizer.js';
import { TokenVerificationError } from '../../shared/domain/verify-access-token.js';

const MFA_TOKEN = `mfa_${'a'.repeat(43)}`;

const event = (routeKey: string, authorization: string) =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc/$default/POST/x',
    routeKey,
    identitySource: [authorization],
    headers: { authorization },
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

describe('authorizer: enrolment mfaToken', () => {
  const verify = vi.fn(async () => {
    throw new TokenVerificationError('malformed');
  });
  const authorize = createAuthorizer({ verifier: { verify } });

  it('S59: lets an mfaToken through to POST /auth/mfa/totp and its verify, marked, with no identity', async () => {
    for (const route of ['POST /auth/mfa/totp', 'POST /auth/mfa/totp/verify']) {
      const result = await authorize(event(route, `Bearer ${MFA_TOKEN}`));
      expect(result).toEqual({ isAuthorized: true, context: { mfa_enrolment: 'true' } });
    }
    expect(verify).not.toHaveBeenCalled();
  });

  it('S59: refuses the same token on every other protected route (it is no access token)', async () => {
    for (const route of ['GET /auth/me', 'GET /auth/mfa', 'POST /auth/mfa/recovery-codes', 'GET /orders']) {
      await expect(authorize(event(route, `Bearer ${MFA_TOKEN}`))).rejects.toThrow('Unauthorized');
    }
  });

  it('S59: refuses what only looks like one on an enrolment route (wrong length or alphabet)', async () => {
    for (const token of ['mfa_short', `mfa_${'a'.repeat(44)}`, `mfa_${'a'.repeat(42)}!`, `xfa_${'a'.repeat(43)}`]) {
      await expect(authorize(event('POST /auth/mfa/totp', `Bearer ${token}`))).rejects.toThrow('Unauthorized');
    }
  });
});
