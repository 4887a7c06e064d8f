/**
 * Mutual TLS end to end on loopback (RFC 8705), as a service would use the construct's `mutualTls` custom domain:
 * a CA, client certificates and the runner's truststore made at test time; a `tls_client_auth` client registered
 * through the admin API gets a certificate-bound token over mutual TLS from oauth4webapi, and that token opens a
 * scope-protected route of one's own API only over a connection that presents the same certificate.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate, type Certificate } from '../../infra/local/certificates.js';
import type { LocalBackend } from '../../infra/local/start.js';
import { createDocumentClient } from '../../shared/adapters/dynamo/client.js';
import { DynamoUserStore } from '../../shared/adapters/dynamo/user-store.js';
import { api, goodPassword, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';
import { mtlsFetch } from '../helpers/mtls.js';

let backend: LocalBackend;
let call: ReturnType<typeof api>;
let adminToken: string;
let dir: string;
let ca: Certificate;
let billing: Certificate;
let reporting: Certificate;
let outsider: Certificate;
/** The client certificate the app route saw last (what API Gateway passes to integrations). */
let seen: Record<string, unknown> | undefined;

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
// Tests only: the issuer (the plain listener) is http:// on loopback.
const insecure = { [oauth.allowInsecureRequests]: true };
/** A fetch that presents `cert` (or no certificate) to the mutual-TLS listener and trusts its server certificate. */
const over = (cert?: Certificate) =>
  mtlsFetch({ cert: cert?.certPem, key: cert?.keyPem, ca: backend.mtls!.serverCertPem });

beforeAll(async () => {
  ca = makeCertificate({ subject: { CN: 'Example services CA' }, use: 'ca' });
  billing = makeCertificate({ subject: { O: 'Example', CN: 'billing-service' }, issuer: ca, use: 'client' });
  reporting = makeCertificate({ subject: { O: 'Example', CN: 'reporting-service' }, issuer: ca, use: 'client' });
  const otherCa = makeCertificate({ subject: { CN: 'Someone else CA' }, use: 'ca' });
  outsider = makeCertificate({ subject: { O: 'Example', CN: 'billing-service' }, issuer: otherCa, use: 'client' });
  dir = await mkdtemp(join(tmpdir(), 'mtls-e2e-'));
  await writeFile(join(dir, 'truststore.pem'), ca.certPem);

  backend = await startTestBackend(
    { ROUTE_POLICIES: JSON.stringify({ 'GET /orders': { scopes: ['orders:read'] } }) },
    {
      mtls: { port: 0, truststoreFile: join(dir, 'truststore.pem') },
      appRoutes: {
        'GET /orders': async (event: { requestContext: Record<string, any> }) => {
          seen = event.requestContext.authentication?.clientCert;
          const sub = event.requestContext.authorizer.lambda.sub as string;
          return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub }) };
        },
      },
    },
  );
  call = api(backend.url);
  const email = uniqueEmail();
  const password = goodPassword();
  const signup = await call('POST', '/auth/signup', { json: { email, password } });
  await new DynamoUserStore(
    createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT }),
    backend.tables.USERS_TABLE,
  ).setRoles(claims(signup.body.accessToken).sub as string, ['user', 'admin']);
  adminToken = (await call('POST', '/auth/login', { json: { email, password } })).body.accessToken;
  // Each function pays its cold start on first use, as on Lambda: slow on two shared cores.
}, 180_000);
afterAll(async () => {
  await backend?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function registerBilling() {
  const res = await call('POST', '/admin/clients', {
    json: {
      name: 'billing',
      scopes: ['orders:read'],
      tokenEndpointAuthMethod: 'tls_client_auth',
      tlsClientAuthSubjectDn: billing.subjectDn,
    },
    headers: bearer(adminToken),
  });
  expect(res.status).toBe(201);
  return res.body.clientId as string;
}

/** The client credentials grant through oauth4webapi, over mutual TLS with `cert` (the mTLS endpoint alias). */
async function tokenOver(cert: Certificate | undefined, clientId: string) {
  const issuer = new URL(backend.url);
  const as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oidc' }),
  );
  const client: oauth.Client = { client_id: clientId, use_mtls_endpoint_aliases: true };
  const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.TlsClientAuth(), new URLSearchParams(), {
    ...insecure,
    [oauth.customFetch]: over(cert),
  });
  return { as, response, client };
}

describe('Mutual TLS on loopback (RFC 8705)', () => {
  it('S74: discovery advertises tls_client_auth and the mutual-TLS token endpoint alias', async () => {
    const res = await call('GET', '/.well-known/openid-configuration');
    expect(res.body.token_endpoint_auth_methods_supported).toContain('tls_client_auth');
    expect(res.body.mtls_endpoint_aliases).toEqual({ token_endpoint: `${backend.mtls!.url}/oauth2/token` });
  });

  it('S74: a tls_client_auth client gets a token bound to its certificate (cnf x5t#S256) over mutual TLS', async () => {
    const clientId = await registerBilling();
    const { as, response, client } = await tokenOver(billing, clientId);
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);
    const thumbprint = createHash('sha256').update(new X509Certificate(billing.certPem).raw).digest('base64url');
    expect(claims(tokens.access_token)).toMatchObject({
      sub: clientId,
      scope: 'orders:read',
      cnf: { 'x5t#S256': thumbprint },
    });
  });

  it('S74: the token endpoint refuses the client without its certificate or with another subject (invalid_client)', async () => {
    const clientId = await registerBilling();
    const plain = await call('POST', '/oauth2/token', {
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(plain.status).toBe(401);
    expect(plain.body).toMatchObject({ error: 'invalid_client' });
    const { response } = await tokenOver(reporting, clientId);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('S78: the bound token opens a protected route over mutual TLS with its certificate only (else 401)', async () => {
    const clientId = await registerBilling();
    const { as, response, client } = await tokenOver(billing, clientId);
    const token = (await oauth.processClientCredentialsResponse(as, client, response)).access_token;

    const withIt = await over(billing)(`${backend.mtls!.url}/orders`, { headers: bearer(token) });
    expect(withIt.status).toBe(200);
    expect(await withIt.json()).toEqual({ sub: clientId });
    // The same token right after (inside the authorizer cache window), without the certificate or with another one.
    expect((await call('GET', '/orders', { headers: bearer(token) })).status).toBe(401);
    expect((await over(reporting)(`${backend.mtls!.url}/orders`, { headers: bearer(token) })).status).toBe(401);
    expect((await over(billing)(`${backend.mtls!.url}/orders`, { headers: bearer(token) })).status).toBe(200);
  });

  it('passes the verified certificate to the functions as API Gateway does (authentication.clientCert)', async () => {
    const clientId = await registerBilling();
    const { as, response, client } = await tokenOver(billing, clientId);
    const token = (await oauth.processClientCredentialsResponse(as, client, response)).access_token;
    seen = undefined;
    expect((await over(billing)(`${backend.mtls!.url}/orders`, { headers: bearer(token) })).status).toBe(200);
    const x509 = new X509Certificate(billing.certPem);
    expect(seen).toEqual({
      clientCertPem: x509.toString(),
      subjectDN: 'CN=billing-service,O=Example',
      issuerDN: 'CN=Example services CA',
      serialNumber: expect.stringMatching(/^[0-9a-f]{2}(:[0-9a-f]{2})*$/),
      validity: { notBefore: x509.validFrom, notAfter: x509.validTo },
    });
    expect((seen!.serialNumber as string).replaceAll(':', '')).toBe(x509.serialNumber.toLowerCase());
  });

  it('refuses a handshake without a client certificate or with one from a CA outside the truststore', async () => {
    const url = `${backend.mtls!.url}/.well-known/jwks.json`;
    await expect(over(undefined)(url)).rejects.toThrow();
    await expect(over(outsider)(url)).rejects.toThrow();
    expect((await over(billing)(url)).status).toBe(200);
    // The plain listener is as it was: no certificate asked for.
    expect((await call('GET', '/.well-known/jwks.json')).status).toBe(200);
  });

  it('S78: will not start with an authorizer cache beside mutual TLS (a cached allow would ignore the certificate)', async () => {
    await expect(
      startTestBackend(
        { AUTHORIZER_CACHE_SECONDS: '30' },
        { mtls: { port: 0, truststoreFile: join(dir, 'truststore.pem') } },
      ),
    ).rejects.toThrow(/AUTHORIZER_CACHE_SECONDS \(30\) must be 0 with mutual TLS/);
  });
});
