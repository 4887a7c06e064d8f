/** Machine clients and the client credentials grant, with in-memory stores and a frozen clock. */
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryAssertionReplayStore, MemoryClientStore } from '../../shared/adapters/memory/client-store.js';
import { MemoryRateLimiter } from '../../shared/adapters/memory/rate-limiter.js';
import { AccessTokenIssuer } from '../../shared/domain/access-token.js';
import {
  deleteClient,
  listClients,
  registerClient,
  rotateClientSecret,
  type ClientAdminDeps,
} from '../../shared/domain/clients/manage.js';
import {
  clientCredentialsGrant,
  JWT_BEARER_ASSERTION,
  type ClientTokenDeps,
} from '../../shared/domain/clients/token.js';
import { AuthError } from '../../shared/domain/errors.js';
import { toJwks } from '../../shared/domain/key-ring.js';
import { logger } from '../../shared/observability/log.js';
import { createHash, X509Certificate } from 'node:crypto';
import { makeCertificate } from '../../infra/local/certificates.js';
import { createAuthorizer } from '../../shared/authorizer/authorizer.js';
import { StaticKeySource } from '../../shared/adapters/static-key-source.js';
import { AccessTokenVerifier } from '../../shared/domain/verify-access-token.js';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { FrozenClock, memoryKeyRing } from '../helpers/fakes.js';

const ISSUER = 'https://auth.example.com';
const TOKEN_ENDPOINT = `${ISSUER}/oauth2/token`;

let clock: FrozenClock;
let admin: ClientAdminDeps;
let deps: ClientTokenDeps;
let ring: Awaited<ReturnType<typeof memoryKeyRing>>;
let events: string[];

beforeEach(async () => {
  clock = new FrozenClock();
  const clients = new MemoryClientStore();
  ring = await memoryKeyRing();
  admin = { clock, clients, secretOverlapSeconds: 3600 };
  deps = {
    clock,
    clients,
    replay: new MemoryAssertionReplayStore(),
    limiter: new MemoryRateLimiter(clock),
    issuer: new AccessTokenIssuer(ring, clock, { issuer: ISSUER, audience: ISSUER, ttlSeconds: 900 }),
    issuerId: ISSUER,
    tokenEndpoint: TOKEN_ENDPOINT,
    limits: { maxPerClient: 100, windowSeconds: 60 },
  };
  events = [];
  const record = (message: string) => {
    events.push(message.replace('security_event ', ''));
  };
  vi.spyOn(logger, 'info').mockImplementation(record as never);
  vi.spyOn(logger, 'error').mockImplementation(record as never);
});
afterEach(() => vi.restoreAllMocks());

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function refused(p: Promise<unknown>): Promise<AuthError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AuthError);
  return e as AuthError;
}

const claimsOf = async (token: string) =>
  await jwtVerify(token, createLocalJWKSet(toJwks(ring.ring)), {
    issuer: ISSUER,
    audience: ISSUER,
    currentDate: new Date(clock.now()),
  });

describe('Machine clients: registration and secrets', () => {
  it('S74: a secret has 256 random bits, is shown once and stored only as its SHA-256', async () => {
    const created = await registerClient(admin, 'admin-1', { name: 'billing', scopes: ['invoices:read'] });
    expect(created.clientSecret).toMatch(/^cs_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.clientSecret!.slice(3), 'base64url')).toHaveLength(32);
    const stored = await admin.clients.get(created.clientId);
    expect(JSON.stringify(stored)).not.toContain(created.clientSecret!.slice(3));
    expect(stored?.secretHash).toMatch(/^[0-9a-f]{64}$/);
    const listed = await listClients(admin);
    expect(listed).toEqual([expect.objectContaining({ clientId: created.clientId, name: 'billing' })]);
    expect(JSON.stringify(listed)).not.toMatch(/secretHash|clientSecret|cs_/);
  });

  it('S74: a private key in jwks is refused, never stored; private_key_jwt needs jwks and gets no secret', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const priv = await exportJWK(privateKey);
    expect(
      (
        await refused(
          registerClient(admin, 'a', {
            name: 'x',
            scopes: [],
            tokenEndpointAuthMethod: 'private_key_jwt',
            jwks: { keys: [priv] },
          }),
        )
      ).code,
    ).toBe('invalid_request');
    expect(
      (await refused(registerClient(admin, 'a', { name: 'x', scopes: [], tokenEndpointAuthMethod: 'private_key_jwt' })))
        .code,
    ).toBe('invalid_request');
    const ok = await registerClient(admin, 'a', {
      name: 'x',
      scopes: [],
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [await exportJWK(publicKey)] },
    });
    expect(ok.clientSecret).toBeUndefined();
  });

  it('S79: after a rotation the old secret works only until the stated overlap ends; a second rotation ends it at once', async () => {
    const c = await registerClient(admin, 'admin-1', { name: 'svc', scopes: ['a'] });
    const rotated = await rotateClientSecret(admin, 'admin-1', c.clientId);
    expect(rotated.previousSecretExpiresAt).toBe(new Date(clock.now() + 3600_000).toISOString());
    const grant = (secret: string) =>
      clientCredentialsGrant(deps, {
        form: { grant_type: 'client_credentials' },
        authorization: basic(c.clientId, secret),
      });
    await expect(grant(c.clientSecret!)).resolves.toMatchObject({ token_type: 'Bearer' });
    await expect(grant(rotated.clientSecret)).resolves.toMatchObject({ token_type: 'Bearer' });
    clock.advance(3601);
    expect((await refused(grant(c.clientSecret!))).code).toBe('invalid_client');
    await expect(grant(rotated.clientSecret)).resolves.toMatchObject({ token_type: 'Bearer' });
    const again = await rotateClientSecret(admin, 'admin-1', c.clientId);
    await expect(grant(rotated.clientSecret)).resolves.toBeDefined();
    await rotateClientSecret(admin, 'admin-1', c.clientId);
    // Only the secret just replaced survives beside the current one.
    expect((await refused(grant(rotated.clientSecret))).code).toBe('invalid_client');
    await expect(grant(again.clientSecret)).resolves.toBeDefined();
    expect(events).toContain('client_secret_rotated');
  });

  it('S80: created, rotated, deleted, token issued and use after deletion are security events', async () => {
    const c = await registerClient(admin, 'admin-1', { name: 'svc', scopes: ['a'] });
    await clientCredentialsGrant(deps, {
      form: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: 'wrong' },
    }).catch(() => undefined);
    await rotateClientSecret(admin, 'admin-1', c.clientId);
    const { clientSecret } = await rotateClientSecret(admin, 'admin-1', c.clientId);
    await clientCredentialsGrant(deps, {
      form: { grant_type: 'client_credentials' },
      authorization: basic(c.clientId, clientSecret),
    });
    await deleteClient(admin, 'admin-1', c.clientId);
    const after = await refused(
      clientCredentialsGrant(deps, {
        form: { grant_type: 'client_credentials' },
        authorization: basic(c.clientId, clientSecret),
      }),
    );
    expect(after.code).toBe('invalid_client');
    expect(events).toEqual(
      expect.arrayContaining([
        'client_created',
        'client_token_refused',
        'client_secret_rotated',
        'client_token_issued',
        'client_deleted',
        'client_deleted_used',
      ]),
    );
    expect((await refused(deleteClient(admin, 'admin-1', c.clientId))).code).toBe('not_found');
    expect((await refused(rotateClientSecret(admin, 'admin-1', c.clientId))).code).toBe('not_found');
    expect(await listClients(admin)).toEqual([]);
  });
});

describe('Client credentials grant', () => {
  it('S76: the token carries sub = client_id = the client id, the granted scopes and no user claim', async () => {
    const c = await registerClient(admin, 'a', {
      name: 'svc',
      scopes: ['read', 'write'],
      tokenEndpointAuthMethod: 'client_secret_post',
    });
    const res = await clientCredentialsGrant(deps, {
      form: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret! },
    });
    expect(res).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read write' });
    const { payload, protectedHeader } = await claimsOf(res.access_token);
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ sub: c.clientId, client_id: c.clientId, scope: 'read write', iss: ISSUER });
    for (const claim of ['email', 'email_verified', 'roles', 'amr', 'auth_time'])
      expect(payload).not.toHaveProperty(claim);
  });

  it('S76: scopes are only narrowed; asking for one more is invalid_scope, never silently dropped', async () => {
    const c = await registerClient(admin, 'a', { name: 'svc', scopes: ['read', 'write'] });
    const auth = basic(c.clientId, c.clientSecret!);
    const narrowed = await clientCredentialsGrant(deps, {
      form: { grant_type: 'client_credentials', scope: 'read' },
      authorization: auth,
    });
    expect(narrowed.scope).toBe('read');
    expect((await claimsOf(narrowed.access_token)).payload.scope).toBe('read');
    const wider = await refused(
      clientCredentialsGrant(deps, {
        form: { grant_type: 'client_credentials', scope: 'read admin' },
        authorization: auth,
      }),
    );
    expect([wider.code, wider.status]).toEqual(['invalid_scope', 400]);
  });

  it('S75: unknown client, wrong secret, wrong method and two methods at once are refused as RFC 6749 §5.2 says', async () => {
    const c = await registerClient(admin, 'a', { name: 'svc', scopes: ['read'] });
    const badBasic = await refused(
      clientCredentialsGrant(deps, {
        form: { grant_type: 'client_credentials' },
        authorization: basic(c.clientId, 'nope'),
      }),
    );
    expect([badBasic.code, badBasic.status]).toEqual(['invalid_client', 401]);
    expect(badBasic.headers['WWW-Authenticate']).toMatch(/^Basic /);
    const badPost = await refused(
      clientCredentialsGrant(deps, {
        form: { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' },
      }),
    );
    expect(badPost.code).toBe('invalid_client');
    expect(badPost.headers['WWW-Authenticate']).toBeUndefined();
    // Registered for Basic: the right secret in the body is still the wrong method.
    const wrongMethod = await refused(
      clientCredentialsGrant(deps, {
        form: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret! },
      }),
    );
    expect(wrongMethod.code).toBe('invalid_client');
    const both = await refused(
      clientCredentialsGrant(deps, {
        form: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret! },
        authorization: basic(c.clientId, c.clientSecret!),
      }),
    );
    expect(both.code).toBe('invalid_request');
    expect((await refused(clientCredentialsGrant(deps, { form: { grant_type: 'password' } }))).code).toBe(
      'unsupported_grant_type',
    );
    expect((await refused(clientCredentialsGrant(deps, { form: {} }))).code).toBe('invalid_request');
    expect((await refused(clientCredentialsGrant(deps, { form: { grant_type: 'client_credentials' } }))).code).toBe(
      'invalid_client',
    );
  });

  it('S75: token requests are throttled per client id (429 with Retry-After)', async () => {
    const c = await registerClient(admin, 'a', { name: 'svc', scopes: [] });
    const other = await registerClient(admin, 'a', { name: 'other', scopes: [] });
    deps.limits.maxPerClient = 5;
    const grant = (id: string, s: string) =>
      clientCredentialsGrant(deps, { form: { grant_type: 'client_credentials' }, authorization: basic(id, s) });
    for (let i = 0; i < 5; i++) await grant(c.clientId, c.clientSecret!);
    const limited = await refused(grant(c.clientId, c.clientSecret!));
    expect([limited.code, limited.status]).toEqual(['too_many_attempts', 429]);
    expect(Number(limited.headers['Retry-After'])).toBeGreaterThan(0);
    await expect(grant(other.clientId, other.clientSecret!)).resolves.toBeDefined();
  });

  it('S76: deleting a client stops new tokens at once', async () => {
    const c = await registerClient(admin, 'a', { name: 'svc', scopes: [] });
    const auth = basic(c.clientId, c.clientSecret!);
    await clientCredentialsGrant(deps, { form: { grant_type: 'client_credentials' }, authorization: auth });
    await deleteClient(admin, 'a', c.clientId);
    expect(
      (await refused(clientCredentialsGrant(deps, { form: { grant_type: 'client_credentials' }, authorization: auth })))
        .code,
    ).toBe('invalid_client');
  });
});

describe('private_key_jwt (RFC 7523)', () => {
  async function jwtClient() {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk: JWK = { ...(await exportJWK(publicKey)), alg: 'ES256', kid: 'k1' };
    const c = await registerClient(admin, 'a', {
      name: 'signer',
      scopes: ['read'],
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [jwk] },
    });
    const now = Math.floor(clock.now() / 1000);
    const assertion = (claims: Record<string, unknown> = {}, key = privateKey) =>
      new SignJWT({
        iss: c.clientId,
        sub: c.clientId,
        aud: TOKEN_ENDPOINT,
        jti: crypto.randomUUID(),
        iat: now,
        exp: now + 60,
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .sign(key);
    const grant = async (a: string) =>
      clientCredentialsGrant(deps, {
        form: { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: a },
      });
    return { c, assertion, grant, now };
  }

  it('S74: an assertion signed by a registered key, iss = sub = client id, our endpoint or issuer in aud, gets a token', async () => {
    const { c, assertion, grant } = await jwtClient();
    const res = await grant(await assertion());
    expect((await claimsOf(res.access_token)).payload).toMatchObject({
      sub: c.clientId,
      client_id: c.clientId,
      scope: 'read',
    });
    await expect(grant(await assertion({ aud: ISSUER }))).resolves.toBeDefined();
  });

  it('S74: a replayed jti, a foreign aud, iss ≠ sub, exp more than 5 minutes ahead, a foreign key are invalid_client', async () => {
    const { assertion, grant, now } = await jwtClient();
    const once = await assertion({ jti: 'same' });
    await grant(once);
    expect((await refused(grant(once))).code).toBe('invalid_client');
    expect((await refused(grant(await assertion({ aud: 'https://other.example.com/token' })))).code).toBe(
      'invalid_client',
    );
    expect((await refused(grant(await assertion({ iss: 'someone-else' })))).code).toBe('invalid_client');
    expect((await refused(grant(await assertion({ exp: now + 3600 })))).code).toBe('invalid_client');
    expect((await refused(grant(await assertion({ exp: now - 120 })))).code).toBe('invalid_client');
    expect((await refused(grant(await assertion({ jti: undefined })))).code).toBe('invalid_client');
    const stranger = (await generateKeyPair('ES256')).privateKey;
    expect((await refused(grant(await assertion({}, stranger)))).code).toBe('invalid_client');
    expect(events.filter((e) => e === 'client_token_refused').length).toBeGreaterThanOrEqual(7);
  });
});

describe('Client tokens at the authorizer', () => {
  const event = (token: string, routeKey: string) =>
    ({
      version: '2.0',
      type: 'REQUEST',
      routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/invoices',
      identitySource: [`Bearer ${token}`],
      routeKey,
      rawPath: '/invoices',
      rawQueryString: '',
      cookies: [],
      headers: { authorization: `Bearer ${token}` },
      requestContext: {} as APIGatewayRequestAuthorizerEventV2['requestContext'],
    }) satisfies APIGatewayRequestAuthorizerEventV2;

  it('S76: the authorizer accepts a client token on a scope-protected route, refuses a missing scope and any role', async () => {
    const c = await registerClient(admin, 'a', { name: 'svc', scopes: ['invoices:read', 'invoices:write'] });
    const { access_token } = await clientCredentialsGrant(deps, {
      form: { grant_type: 'client_credentials', scope: 'invoices:read' },
      authorization: basic(c.clientId, c.clientSecret!),
    });
    const verifier = new AccessTokenVerifier(new StaticKeySource(toJwks(ring.ring)), {
      issuer: ISSUER,
      audience: ISSUER,
      clockToleranceSeconds: 30,
      now: () => clock.now(),
    });
    const requirements: Record<string, { scopes?: string[]; roles?: string[] }> = {
      'GET /invoices': { scopes: ['invoices:read'] },
      'POST /invoices': { scopes: ['invoices:write'] },
      'GET /auth/me': { roles: ['user', 'admin'] },
    };
    const authorize = createAuthorizer({ verifier, requirements: (key) => requirements[key ?? ''] });
    const allowed = await authorize(event(access_token, 'GET /invoices'));
    expect(allowed).toMatchObject({
      isAuthorized: true,
      context: { sub: c.clientId, scope: 'invoices:read', roles: '', email: '' },
    });
    // Narrowed away at the token endpoint, so refused here (403), as is every role-protected route.
    expect(await authorize(event(access_token, 'POST /invoices'))).toMatchObject({ isAuthorized: false });
    expect(await authorize(event(access_token, 'GET /auth/me'))).toMatchObject({ isAuthorized: false });
  });
});

describe('tls_client_auth (RFC 8705)', () => {
  /** A throw-away self-signed client certificate, made at test time. */
  function certificate(cn: string): { pem: string; subjectDn: string } {
    const { certPem, subjectDn } = makeCertificate({ subject: { O: 'Example', CN: cn }, use: 'client' });
    return { pem: certPem, subjectDn };
  }

  it('S74: a client registered with a subject DN gets a certificate-bound token (cnf x5t#S256) only with that certificate', async () => {
    const cert = certificate('billing-service');
    const c = await registerClient(admin, 'a', {
      name: 'mtls',
      scopes: ['read'],
      tokenEndpointAuthMethod: 'tls_client_auth',
      tlsClientAuthSubjectDn: cert.subjectDn,
    });
    expect(c.clientSecret).toBeUndefined();
    const res = await clientCredentialsGrant(deps, {
      form: { grant_type: 'client_credentials', client_id: c.clientId },
      clientCert: cert,
    });
    const thumbprint = createHash('sha256').update(new X509Certificate(cert.pem).raw).digest('base64url');
    expect((await claimsOf(res.access_token)).payload).toMatchObject({
      sub: c.clientId,
      client_id: c.clientId,
      cnf: { 'x5t#S256': thumbprint },
    });
    const other = certificate('someone-else');
    for (const clientCert of [other, undefined]) {
      const e = await refused(
        clientCredentialsGrant(deps, { form: { grant_type: 'client_credentials', client_id: c.clientId }, clientCert }),
      );
      expect(e.code).toBe('invalid_client');
    }
    // Tokens of the other methods are never bound.
    const plain = await registerClient(admin, 'a', { name: 'plain', scopes: [] });
    const unbound = await clientCredentialsGrant(deps, {
      form: { grant_type: 'client_credentials' },
      authorization: basic(plain.clientId, plain.clientSecret!),
      clientCert: cert,
    });
    expect((await claimsOf(unbound.access_token)).payload).not.toHaveProperty('cnf');
    expect(
      (await refused(registerClient(admin, 'a', { name: 'x', scopes: [], tokenEndpointAuthMethod: 'tls_client_auth' })))
        .code,
    ).toBe('invalid_request');
  });
});
