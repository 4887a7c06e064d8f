/**
 * Machine clients' tokens at the authorizer: `at+jwt` with `client_id` and `scope` and no user claims pass
 * scope-protected routes; a certificate-bound token (`cnf.x5t#S256`, RFC 8705) passes only over a connection that
 * presented that certificate. The tokens are signed here with a test key ring, as the token endpoint would.
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { createPrivateKey, sign, X509Certificate, createHash } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeCertificate } from '../../infra/local/certificates.js';
import { StaticKeySource } from '../../shared/adapters/static-key-source.js';
import { createAuthorizer, type Authorizer } from '../../shared/authorizer/authorizer.js';
import { getAuthContext } from '../../shared/authorizer/auth-context.js';
import { certificateThumbprint } from '../../shared/authorizer/certificate-binding.js';
import { toLowS } from '../../shared/domain/ecdsa.js';
import { createRing, currentKey, toJwks } from '../../shared/domain/key-ring.js';
import { AccessTokenVerifier } from '../../shared/domain/verify-access-token.js';
import { logger } from '../../shared/observability/log.js';

const ISSUER = 'https://auth.example.test';
const b64u = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

const selfSignedPem = (cn: string): string => makeCertificate({ subject: { CN: cn }, use: 'client' }).certPem;

let authorize: Authorizer;
let signToken: (payload: Record<string, unknown>) => string;
let certA: string;
let certB: string;

beforeAll(async () => {
  const ring = await createRing('ES256', new Date());
  const key = currentKey(ring);
  const privateKey = createPrivateKey({ key: key.privateJwk as never, format: 'jwk' });
  signToken = (payload) => {
    const input = `${b64u({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })}.${b64u(payload)}`;
    const sig = toLowS(sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }));
    return `${input}.${sig.toString('base64url')}`;
  };
  const verifier = new AccessTokenVerifier(new StaticKeySource(toJwks(ring)), {
    issuer: ISSUER,
    audience: ISSUER,
    clockToleranceSeconds: 30,
  });
  authorize = createAuthorizer({
    verifier,
    requirements: (k) =>
      k === 'GET /orders' ? { scopes: ['orders:read'] } : k === 'GET /auth/me' ? { roles: ['user'] } : undefined,
  });
  certA = selfSignedPem('service-a');
  certB = selfSignedPem('service-b');
});

beforeEach(() => {
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

const now = () => Math.floor(Date.now() / 1000);
const clientClaims = (extra: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: ISSUER,
  sub: 'client-1',
  client_id: 'client-1',
  scope: 'orders:read',
  jti: 'jti-client-1',
  iat: now(),
  exp: now() + 300,
  ...extra,
});

const event = (token: string, routeKey: string, clientCertPem?: string) =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/orders',
    identitySource: [`Bearer ${token}`],
    routeKey,
    rawPath: '/orders',
    rawQueryString: '',
    cookies: [],
    headers: { authorization: `Bearer ${token}` },
    requestContext: (clientCertPem
      ? { authentication: { clientCert: { clientCertPem } } }
      : {}) as unknown as APIGatewayRequestAuthorizerEventV2['requestContext'],
  }) satisfies APIGatewayRequestAuthorizerEventV2;

const thumbprint = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');

describe('Function: createAuthorizer with machine clients’ tokens', () => {
  it('an at+jwt client token (client_id, scope, no email) passes a scope-protected route; the Lambda reads client_id', async () => {
    const result = await authorize(event(signToken(clientClaims()), 'GET /orders'));
    expect(result).toMatchObject({
      isAuthorized: true,
      context: { sub: 'client-1', client_id: 'client-1', email: '' },
    });
    const ctx = getAuthContext({ requestContext: { authorizer: { lambda: (result as { context: object }).context } } });
    expect(ctx).toMatchObject({ sub: 'client-1', clientId: 'client-1', scope: 'orders:read', roles: [] });
  });

  it('a client token lacking the scope is 403, and it holds no role, so a user route is 403 too', async () => {
    expect(await authorize(event(signToken(clientClaims({ scope: 'orders:write' })), 'GET /orders'))).toEqual({
      isAuthorized: false,
    });
    expect(await authorize(event(signToken(clientClaims()), 'GET /auth/me'))).toEqual({ isAuthorized: false });
  });

  it("S76: a client token has no account: this backend's account routes (auth: {}) refuse it with 403", async () => {
    for (const route of ['POST /auth/logout-all', 'POST /auth/mfa/totp', 'GET /auth/mfa', 'POST /auth/api-keys']) {
      expect(await authorize(event(signToken(clientClaims()), route)), route).toEqual({ isAuthorized: false });
    }
  });

  it('S78: a certificate-bound token passes with its certificate and is refused without it or with another one', async () => {
    const token = signToken(clientClaims({ cnf: { 'x5t#S256': thumbprint(certA) } }));
    expect(await authorize(event(token, 'GET /orders', certA))).toMatchObject({ isAuthorized: true });
    await expect(authorize(event(token, 'GET /orders'))).rejects.toThrow('Unauthorized');
    await expect(authorize(event(token, 'GET /orders', certB))).rejects.toThrow('Unauthorized');
    await expect(authorize(event(token, 'GET /orders', 'not a certificate'))).rejects.toThrow('Unauthorized');
  });

  it('S78: a cnf the authorizer cannot enforce (another method, a malformed thumbprint) refuses the token', async () => {
    for (const cnf of [
      { jkt: 'x'.repeat(43) },
      { 'x5t#S256': 'short' },
      'x',
      { 'x5t#S256': thumbprint(certA), jkt: 'y' },
    ]) {
      await expect(authorize(event(signToken(clientClaims({ cnf })), 'GET /orders', certA))).rejects.toThrow(
        'Unauthorized',
      );
    }
  });

  it('S78: a REST TOKEN event carries no certificate, so a certificate-bound token is refused there', async () => {
    const token = signToken(clientClaims({ cnf: { 'x5t#S256': thumbprint(certA) } }));
    await expect(
      authorize({
        type: 'TOKEN',
        methodArn: 'arn:aws:execute-api:eu-west-1:1:a/p/GET/x',
        authorizationToken: `Bearer ${token}`,
      }),
    ).rejects.toThrow('Unauthorized');
  });

  it('computes x5t#S256 as RFC 8705 §3.1 says (base64url SHA-256 of the DER)', () => {
    expect(certificateThumbprint(certA)).toBe(thumbprint(certA));
    expect(certificateThumbprint('junk')).toBeUndefined();
  });
});
