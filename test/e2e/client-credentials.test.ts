/**
 * Machine clients end to end through the local runner: the admin API, and the client credentials grant driven by a
 * real OAuth client library (oauth4webapi) from discovery to a protected route.
 */
import { exportJWK, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { createDocumentClient } from '../../shared/adapters/dynamo/client.js';
import { DynamoUserStore } from '../../shared/adapters/dynamo/user-store.js';
import { api, goodPassword, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';

let backend: LocalBackend;
let call: ReturnType<typeof api>;
let adminToken: string;
let userToken: string;
let as: oauth.AuthorizationServer;

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
// Tests only: the local runner serves http:// on loopback.
const insecure = { [oauth.allowInsecureRequests]: true };

async function signUp() {
  const email = uniqueEmail();
  const password = goodPassword();
  const res = await call('POST', '/auth/signup', { json: { email, password } });
  return { email, password, access: res.body.accessToken as string, id: claims(res.body.accessToken).sub as string };
}

beforeAll(async () => {
  backend = await startTestBackend({ AUTHORIZER_CACHE_SECONDS: '0', CLIENT_SECRET_OVERLAP_SECONDS: '600' });
  call = api(backend.url);
  const a = await signUp();
  await new DynamoUserStore(
    createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT }),
    backend.tables.USERS_TABLE,
  ).setRoles(a.id, ['user', 'admin']);
  adminToken = (await call('POST', '/auth/login', { json: { email: a.email, password: a.password } })).body.accessToken;
  userToken = (await signUp()).access;
  const issuer = new URL(backend.url);
  as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oidc' }),
  );
  // Each function pays its cold start on first use, as on Lambda: slow on two shared cores.
}, 180_000);
afterAll(() => backend?.close());

const register = (body: unknown, token = adminToken) =>
  call('POST', '/admin/clients', { json: body, headers: bearer(token) });

async function clientToken(clientId: string, auth: oauth.ClientAuth, scope?: string) {
  const client: oauth.Client = { client_id: clientId };
  const params = new URLSearchParams(scope ? { scope } : {});
  const response = await oauth.clientCredentialsGrantRequest(as, client, auth, params, insecure);
  return oauth.processClientCredentialsResponse(as, client, response);
}

describe('Machine clients over HTTP', () => {
  it('S74: discovery advertises the token endpoint, the grant and the client authentication methods', () => {
    expect(as.token_endpoint).toBe(`${backend.url}/oauth2/token`);
    expect(as.grant_types_supported).toEqual(['client_credentials']);
    expect(as.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'private_key_jwt']),
    );
  });

  it('S74: only an admin registers or lists clients; the secret is shown once and never listed', async () => {
    expect((await call('POST', '/admin/clients', { json: { name: 'x', scopes: [] } })).status).toBe(401);
    expect((await register({ name: 'x', scopes: [] }, userToken)).status).toBe(403);
    expect((await call('GET', '/admin/clients', { headers: bearer(userToken) })).status).toBe(403);
    const created = await register({ name: 'billing', scopes: ['invoices:read', 'invoices:write'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      clientId: expect.any(String),
      clientSecret: expect.stringMatching(/^cs_[A-Za-z0-9_-]{43}$/),
      name: 'billing',
      scopes: ['invoices:read', 'invoices:write'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      createdAt: expect.any(String),
    });
    const list = await call('GET', '/admin/clients', { headers: bearer(adminToken) });
    expect(list.status).toBe(200);
    expect(list.body.clients).toEqual(
      expect.arrayContaining([expect.objectContaining({ clientId: created.body.clientId })]),
    );
    expect(JSON.stringify(list.body)).not.toContain(created.body.clientSecret.slice(3));
    expect(JSON.stringify(list.body)).not.toMatch(/secretHash|clientSecret/);
    expect((await register({ name: 'bad', scopes: ['has space'] })).status).toBe(400);
    expect((await register({ name: 'bad', scopes: [], tokenEndpointAuthMethod: 'private_key_jwt' })).status).toBe(400);
  });

  it('S76: oauth4webapi gets a client token with client_secret_basic; it is at+jwt with sub = client_id and no user claims', async () => {
    const { body } = await register({ name: 'reports', scopes: ['reports:read', 'reports:write'] });
    const tokens = await clientToken(body.clientId, oauth.ClientSecretBasic(body.clientSecret), 'reports:read');
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 900, scope: 'reports:read' });
    const header = JSON.parse(Buffer.from(tokens.access_token.split('.')[0], 'base64url').toString());
    expect(header.typ).toBe('at+jwt');
    const c = claims(tokens.access_token);
    expect(c).toMatchObject({ sub: body.clientId, client_id: body.clientId, scope: 'reports:read', iss: backend.url });
    for (const k of ['email', 'email_verified', 'roles']) expect(c).not.toHaveProperty(k);
    // The authorizer verifies it; a role-protected route refuses it: a client is no user.
    expect((await call('GET', '/auth/me', { headers: bearer(tokens.access_token) })).status).toBe(403);
    expect((await call('GET', '/admin/clients', { headers: bearer(tokens.access_token) })).status).toBe(403);
  });

  it('S74: client_secret_post and private_key_jwt work through oauth4webapi; a replayed assertion is invalid_client', async () => {
    const post = (await register({ name: 'poster', scopes: ['a'], tokenEndpointAuthMethod: 'client_secret_post' }))
      .body;
    expect((await clientToken(post.clientId, oauth.ClientSecretPost(post.clientSecret))).scope).toBe('a');

    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256', kid: 'svc-1' };
    const signer = (
      await register({
        name: 'signer',
        scopes: ['b'],
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [jwk] },
      })
    ).body;
    expect(signer.clientSecret).toBeUndefined();
    const tokens = await clientToken(signer.clientId, oauth.PrivateKeyJwt({ key: privateKey, kid: 'svc-1' }));
    expect(claims(tokens.access_token)).toMatchObject({ sub: signer.clientId, scope: 'b' });

    // The same assertion twice: capture one the library made and send it again by hand.
    let form = '';
    const capture: oauth.ClientAuth = async (server, client, body, headers) => {
      await oauth.PrivateKeyJwt({ key: privateKey, kid: 'svc-1' })(server, client, body, headers);
      form = body.toString();
    };
    await clientToken(signer.clientId, capture);
    const replay = await call('POST', '/oauth2/token', {
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
  });

  it('S75: errors are RFC 6749 §5.2 bodies, no-store, WWW-Authenticate after Basic; scopes are never widened', async () => {
    const { body } = await register({ name: 'narrow', scopes: ['one'] });
    const form = (params: Record<string, string>, headers: Record<string, string> = {}) =>
      call('POST', '/oauth2/token', {
        body: new URLSearchParams(params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
    const basicAuth = (secret: string) => ({
      authorization: `Basic ${Buffer.from(`${body.clientId}:${secret}`).toString('base64')}`,
    });

    const wrong = await form({ grant_type: 'client_credentials' }, basicAuth('cs_wrong'));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(wrong.headers.get('cache-control')).toBe('no-store');

    const wider = await form({ grant_type: 'client_credentials', scope: 'one two' }, basicAuth(body.clientSecret));
    expect([wider.status, wider.body.error]).toEqual([400, 'invalid_scope']);
    const grant = await form({ grant_type: 'password' }, basicAuth(body.clientSecret));
    expect([grant.status, grant.body.error]).toEqual([400, 'unsupported_grant_type']);
    const json = await call('POST', '/oauth2/token', { json: { grant_type: 'client_credentials' } });
    expect([json.status, json.body.error]).toEqual([400, 'invalid_request']);
    const twice = await form(
      { grant_type: 'client_credentials', client_id: body.clientId, client_secret: 'x' },
      basicAuth('y'),
    );
    expect([twice.status, twice.body.error]).toEqual([400, 'invalid_request']);

    const ok = await form({ grant_type: 'client_credentials' }, basicAuth(body.clientSecret));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(ok.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'one' });
  });

  it('S79, S76: rotation keeps the old secret for the stated overlap; delete stops new tokens at once', async () => {
    const { body } = await register({ name: 'rotating', scopes: ['x'] });
    const before = Date.now();
    const rotated = await call('POST', `/admin/clients/${body.clientId}/secret`, { headers: bearer(adminToken) });
    expect(rotated.status).toBe(200);
    const expires = Date.parse(rotated.body.previousSecretExpiresAt);
    expect(expires - before).toBeGreaterThanOrEqual(599_000);
    expect(expires - before).toBeLessThanOrEqual(602_000);
    await expect(clientToken(body.clientId, oauth.ClientSecretBasic(body.clientSecret))).resolves.toBeDefined();
    await expect(clientToken(body.clientId, oauth.ClientSecretBasic(rotated.body.clientSecret))).resolves.toBeDefined();

    expect((await call('DELETE', `/admin/clients/${body.clientId}`, { headers: bearer(userToken) })).status).toBe(403);
    expect((await call('DELETE', `/admin/clients/${body.clientId}`, { headers: bearer(adminToken) })).status).toBe(204);
    await expect(clientToken(body.clientId, oauth.ClientSecretBasic(rotated.body.clientSecret))).rejects.toThrow();
    expect((await call('DELETE', `/admin/clients/${body.clientId}`, { headers: bearer(adminToken) })).status).toBe(404);
    expect((await call('POST', `/admin/clients/${body.clientId}/secret`, { headers: bearer(adminToken) })).status).toBe(
      404,
    );
  });
});
