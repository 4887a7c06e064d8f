/** Role-based authorization at the edge and the admin API, over HTTP against the local runner. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { createDocumentClient } from '../../shared/adapters/dynamo/client.js';
import { DynamoUserStore } from '../../shared/adapters/dynamo/user-store.js';
import {
  api,
  cookieValue,
  goodPassword,
  REFRESH_COOKIE,
  startTestBackend,
  uniqueEmail,
} from '../helpers/local-backend.js';

let backend: LocalBackend;
let call: ReturnType<typeof api>;
let admin: { id: string; access: string };

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const sub = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()).sub as string;

async function signUp() {
  const email = uniqueEmail();
  const password = goodPassword();
  const res = await call('POST', '/auth/signup', { json: { email, password } });
  return {
    email,
    password,
    access: res.body.accessToken as string,
    refresh: cookieValue(res.cookies, REFRESH_COOKIE)!,
    id: sub(res.body.accessToken),
  };
}

beforeAll(async () => {
  backend = await startTestBackend({ AUTHORIZER_CACHE_SECONDS: '0' });
  call = api(backend.url);
  // Bootstrap the first admin the documented way: a direct role grant on the users table (npm run admin:grant).
  const a = await signUp();
  await new DynamoUserStore(
    createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT }),
    backend.tables.USERS_TABLE,
  ).setRoles(a.id, ['user', 'admin']);
  const login = await call('POST', '/auth/login', { json: { email: a.email, password: a.password } });
  admin = { id: a.id, access: login.body.accessToken };
});
afterAll(() => backend?.close());

describe('Admin API and route roles', () => {
  it('S20: a valid token without the admin role is 403 on admin routes and 200 on /auth/me', async () => {
    const user = await signUp();
    expect((await call('GET', `/admin/users/${user.id}`, { headers: bearer(user.access) })).status).toBe(403);
    expect((await call('GET', '/auth/me', { headers: bearer(user.access) })).status).toBe(200);
    expect((await call('GET', `/admin/users/${user.id}`)).status).toBe(401);
  });

  it('an admin reads a user without the password hash; an unknown id is 404', async () => {
    const user = await signUp();
    const res = await call('GET', `/admin/users/${user.id}`, { headers: bearer(admin.access) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, email: user.email, roles: ['user'], disabled: false });
    expect(JSON.stringify(res.body)).not.toMatch(/argon2|passwordHash/);
    const missing = await call('GET', '/admin/users/00000000-0000-0000-0000-000000000000', {
      headers: bearer(admin.access),
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('not_found');
  });

  it('role changes reach the next access token at refresh, not before (the revocation window)', async () => {
    const user = await signUp();
    const put = await call('PUT', `/admin/users/${user.id}/roles`, {
      json: { roles: ['user', 'editor'] },
      headers: bearer(admin.access),
    });
    expect(put.status).toBe(200);
    expect(put.body.roles).toEqual(['user', 'editor']);
    const refreshed = await call('POST', '/auth/refresh', { headers: { cookie: `${REFRESH_COOKIE}=${user.refresh}` } });
    const me = await call('GET', '/auth/me', { headers: bearer(refreshed.body.accessToken) });
    expect(me.body.roles).toEqual(['user', 'editor']);
  });

  it('S47: roles must be simple names; an admin cannot drop their own admin role', async () => {
    const user = await signUp();
    const bad = await call('PUT', `/admin/users/${user.id}/roles`, {
      json: { roles: ['admin user'] },
      headers: bearer(admin.access),
    });
    expect(bad.status).toBe(400);
    const self = await call('PUT', `/admin/users/${admin.id}/roles`, {
      json: { roles: ['user'] },
      headers: bearer(admin.access),
    });
    expect(self.status).toBe(400);
  });

  it('S27: revoke-sessions ends every refresh token of the user', async () => {
    const user = await signUp();
    expect(
      (await call('POST', `/admin/users/${user.id}/revoke-sessions`, { headers: bearer(admin.access) })).status,
    ).toBe(204);
    expect(
      (await call('POST', '/auth/refresh', { headers: { cookie: `${REFRESH_COOKIE}=${user.refresh}` } })).status,
    ).toBe(401);
  });

  it('a disabled user cannot sign in or refresh', async () => {
    const user = await signUp();
    expect((await call('POST', `/admin/users/${user.id}/disable`, { headers: bearer(admin.access) })).status).toBe(204);
    const login = await call('POST', '/auth/login', { json: { email: user.email, password: user.password } });
    expect(login.status).toBe(403);
    expect(login.body.error).toBe('account_disabled');
    const wrong = await call('POST', '/auth/login', { json: { email: user.email, password: goodPassword() } });
    expect(wrong.body.error).toBe('invalid_credentials');
    expect(
      (await call('POST', '/auth/refresh', { headers: { cookie: `${REFRESH_COOKIE}=${user.refresh}` } })).status,
    ).toBe(401);
  });
});
