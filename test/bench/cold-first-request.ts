/**
 * Case 2b: the authorizer's first request in a fresh Node process, as a cold Lambda serves it — the bundle's import
 * plus one invocation: a JWT (verify, with the JWKS fetched once over loopback) beside an API key (the lazy import
 * of `api-key-path.js`, the DynamoDB client's first `GetItem` over loopback, the key check). A loopback server
 * stands in for the JWKS URL and for DynamoDB (GetItem answers the key's record, UpdateItem its `lastUsedAt`), so
 * the difference of the two is what the API-key path costs cold, DynamoDB's own latency in AWS aside.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { MemoryApiKeyStore } from '../../shared/adapters/memory/api-key-store.js';
import { AccessTokenIssuer } from '../../shared/domain/access-token.js';
import { createApiKey } from '../../shared/domain/api-keys/manage.js';
import { createRing, toJwks } from '../../shared/domain/key-ring.js';

const run = promisify(execFile);
const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'https://api.example.test';

/** Imports the bundle, invokes it once with the event in argv[2], prints the elapsed ms; exits 2 on a refusal. */
const FIRST_REQUEST = `const t0 = performance.now();
const { handler } = await import(process.argv[1]);
const result = await handler(JSON.parse(process.argv[2]));
if (result?.isAuthorized !== true) { process.stderr.write(JSON.stringify(result)); process.exit(2); }
process.stdout.write(String(performance.now() - t0));`;

/** DynamoDB JSON of a flat record (strings, numbers, lists of strings), as the DocumentClient would write it. */
const marshall = (record: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(record)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [
        k,
        typeof v === 'number'
          ? { N: String(v) }
          : Array.isArray(v)
            ? { L: v.map((s) => ({ S: String(s) })) }
            : { S: String(v) },
      ]),
  );

const httpApiEvent = (authorization: string) => ({
  version: '2.0',
  type: 'REQUEST',
  routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/$default/GET/orders',
  routeKey: 'GET /orders',
  rawPath: '/orders',
  rawQueryString: '',
  identitySource: [authorization, 'GET /orders'],
  headers: { authorization },
  requestContext: { http: { method: 'GET', path: '/orders', sourceIp: '127.0.0.1' }, routeKey: 'GET /orders' },
});

export interface FirstRequests {
  /** One fresh process per call: import + first JWT request, ms (of another build's bundle if given). */
  jwt(otherBundle?: string): Promise<number>;
  /** One fresh process per call: import + first API-key request (lazy module, one GetItem), ms. */
  apiKey(): Promise<number>;
  close(): Promise<void>;
}

export async function firstRequests(bundle: string, env: Record<string, string>): Promise<FirstRequests> {
  const ring = await createRing('ES256', new Date());
  const issuer = new AccessTokenIssuer(
    { load: async () => ring },
    { now: () => Date.now() },
    { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 900 },
  );
  const user = { id: 'user-1', email: 'a@example.test', roles: ['user'], amr: ['pwd'], authTime: 0 };
  const { accessToken } = await issuer.issue({ ...user, authTime: Math.floor(Date.now() / 1000) }, 'openid');
  const store = new MemoryApiKeyStore();
  const { key } = await createApiKey(
    { apiKeys: store, clock: { now: () => Date.now() } },
    { userId: 'user-1', roles: ['user'], scopes: ['openid'] },
    { name: 'bench' },
  );
  const [record] = await store.listByOwner('user-1');
  const { hash, ...rest } = record;
  const item = marshall({ pk: `KEY#${hash}`, ...rest });
  const jwks = JSON.stringify(toJwks(ring));

  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(jwks);
      return;
    }
    req.resume();
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(target.endsWith('.GetItem') ? { Item: item } : {}));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const childEnv = {
    ...env,
    ISSUER,
    AUDIENCE,
    JWKS_URL: `${base}/.well-known/jwks.json`,
    API_KEYS_TABLE: 'api-keys',
    API_KEY_CACHE_SECONDS: '60',
    DYNAMODB_ENDPOINT: base,
  };
  const once = async (authorization: string, file = bundle) => {
    const args = ['--input-type=module', '-e', FIRST_REQUEST, file, JSON.stringify(httpApiEvent(authorization))];
    const { stdout } = await run(process.execPath, args, { env: childEnv });
    return Number(stdout);
  };
  return {
    jwt: (other) => once(`Bearer ${accessToken}`, other),
    apiKey: () => once(`Bearer ${key}`),
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
