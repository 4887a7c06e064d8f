/** Personal API keys over HTTP against the local runner: the authorizer's lazily loaded path with its own grant. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { createDocumentClient } from '../../shared/adapters/dynamo/client.js';
import { DynamoUserStore } from '../../shared/adapters/dynamo/user-store.js';
import { api, goodPassword, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';

let backend: LocalBackend;
let call: ReturnType<typeof api>;

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const sub = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()).sub as string;

async function signUp() {
  const email = uniqueEmail();
  const password = goodPassword();
  const res = await call('POST', '/auth/signup', { json: { email, password } });
  return { email, password, access: res.body.accessToken as string, id: sub(res.body.accessToken) };
}

beforeAll(async () => {
  // The gateway's cache as deployed (60 s): the authorizer then keeps no read of its own (60 − 60 = 0 s).
  backend = await startTestBackend({ AUTHORIZER_CACHE_SECONDS: '60' });
  call = api(backend.url);
});
afterAll(() => backend?.close());

describe('Personal API keys through the local runner', () => {
  it('S77/S80: create (shown once), use on /auth/me as the owner, list, revoke, then refused', async () => {
    const user = await signUp();
    const created = await call('POST', '/auth/api-keys', {
      headers: bearer(user.access),
      json: { name: 'ci', expiresInDays: 7 },
    });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect(key).toMatch(/^lak_[0-9A-Za-z]{49}$/);
    expect(Date.parse(created.body.expiresAt) - Date.parse(created.body.createdAt)).toBe(7 * 86_400_000);

    const me = await call('GET', '/auth/me', { headers: bearer(key) });
    expect([me.status, me.body.sub, me.body.roles]).toEqual([200, user.id, ['user']]);

    const list = await call('GET', '/auth/api-keys', { headers: bearer(user.access) });
    expect(list.body.apiKeys).toEqual([
      expect.objectContaining({ id: created.body.id, name: 'ci', prefix: key.slice(0, 12), scopes: ['openid'] }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(key);

    expect((await call('DELETE', `/auth/api-keys/${created.body.id}`, { headers: bearer(user.access) })).status).toBe(
      204,
    );
    // A route this key has not called yet: nothing cached at the gateway, and the authorizer reads again.
    expect((await call('GET', '/auth/api-keys', { headers: bearer(key) })).status).toBe(401);
  });

  it('S77: a bad checksum is 401; scopes beyond the caller’s and a lifetime over a year are 400', async () => {
    const user = await signUp();
    const fake = `lak_${'0'.repeat(49)}`;
    expect((await call('GET', '/auth/me', { headers: bearer(fake) })).status).toBe(401);
    const wider = await call('POST', '/auth/api-keys', {
      headers: bearer(user.access),
      json: { name: 'x', scopes: ['admin:all'] },
    });
    expect([wider.status, wider.body.error]).toEqual([400, 'invalid_request']);
    const long = await call('POST', '/auth/api-keys', {
      headers: bearer(user.access),
      json: { name: 'x', expiresInDays: 366 },
    });
    expect(long.status).toBe(400);
  });

  it('S77: disabling the owner revokes the owner’s keys at once', async () => {
    const user = await signUp();
    const admin = await signUp();
    await new DynamoUserStore(
      createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT }),
      backend.tables.USERS_TABLE,
    ).setRoles(admin.id, ['user', 'admin']);
    const adminAccess = (await call('POST', '/auth/login', { json: { email: admin.email, password: admin.password } }))
      .body.accessToken as string;
    const { key } = (await call('POST', '/auth/api-keys', { headers: bearer(user.access), json: { name: 'ci' } })).body;
    expect((await call('GET', '/auth/me', { headers: bearer(key) })).status).toBe(200);
    expect((await call('POST', `/admin/users/${user.id}/disable`, { headers: bearer(adminAccess) })).status).toBe(204);
    expect((await call('GET', '/auth/api-keys', { headers: bearer(key) })).status).toBe(401);
  });
});
