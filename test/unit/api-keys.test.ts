/**
 * Personal API keys (S77, S78, S80) end to end in process: the format, the use-cases with the memory store, and the
 * authorizer's API-key path (lazily loaded, cached per key, revocation and the owner's disablement honoured).
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.ISSUER ??= 'https://auth.example.test';
});

import { MemoryApiKeyStore } from '../../shared/adapters/memory/api-key-store.js';
import { MemoryUserStore } from '../../shared/adapters/memory/user-store.js';
import { MemoryRefreshTokenStore } from '../../shared/adapters/memory/refresh-token-store.js';
import { createApiKeyPath, type ApiKeyAuthenticator } from '../../shared/authorizer/api-key-path.js';
import { createAuthorizer, type Authorizer } from '../../shared/authorizer/authorizer.js';
import { disableUser, setUserRoles } from '../../shared/domain/admin.js';
import {
  apiKeyHash,
  crc32,
  displayPrefix,
  generateApiKey,
  isWellFormedApiKey,
} from '../../shared/domain/api-keys/format.js';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyCaller } from '../../shared/domain/api-keys/manage.js';
import { AuthError } from '../../shared/domain/errors.js';
import { TokenVerificationError } from '../../shared/domain/verify-access-token.js';
import { createApiKeySchema } from '../../shared/http/api-keys.js';
import { logger } from '../../shared/observability/log.js';
import * as z from 'zod/mini';

const OWNER: ApiKeyCaller = { userId: 'user-1', roles: ['user'], scopes: ['openid', 'orders:read'] };

const httpEvent = (authorization: string, routeKey = 'GET /auth/me') =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/auth/me',
    identitySource: [authorization],
    routeKey,
    rawPath: '/auth/me',
    rawQueryString: '',
    cookies: [],
    headers: { authorization },
    requestContext: {} as APIGatewayRequestAuthorizerEventV2['requestContext'],
  }) satisfies APIGatewayRequestAuthorizerEventV2;

type Spy = { mock: { calls: unknown[][] } };
const events = (spy: Spy) =>
  spy.mock.calls.map((c) => (c[1] as { securityEvent?: string } | undefined)?.securityEvent).filter(Boolean);

let info: Spy;
beforeEach(() => {
  info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
  vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

describe('Module: API key format', () => {
  it('S77: a key is lak_ + 43 base62 characters (256 bits) + a 6-character CRC32 checksum, and verifies offline', () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    for (const key of keys) {
      expect(key).toMatch(/^lak_[0-9A-Za-z]{49}$/);
      expect(isWellFormedApiKey(key)).toBe(true);
    }
    expect(new Set(keys).size).toBe(keys.length);
    // 43 base62 characters carry 256 bits: the body's value spans the whole range, not a fraction of it.
    expect(62n ** 43n > 2n ** 256n).toBe(true);
  });

  it('S77: one changed, missing or extra character, or another prefix, fails the checksum or the shape', () => {
    const key = generateApiKey();
    const flip = (i: number) => key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1);
    for (let i = 4; i < key.length; i++) expect(isWellFormedApiKey(flip(i))).toBe(false);
    expect(isWellFormedApiKey(key.slice(0, -1))).toBe(false);
    expect(isWellFormedApiKey(`${key}0`)).toBe(false);
    expect(isWellFormedApiKey(`lax_${key.slice(4)}`)).toBe(false);
  });

  it('S77: the checksum is the standard CRC-32 (what a scanner computes), and the stored form is SHA-256 only', () => {
    for (const s of ['', 'lak_', 'hello world', generateApiKey()]) expect(crc32(s)).toBe(zlibCrc32(s));
    const key = generateApiKey();
    expect(apiKeyHash(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(displayPrefix(key)).toBe(key.slice(0, 12));
  });
});

describe('Function: createApiKey / listApiKeys / revokeApiKey', () => {
  const setup = () => {
    const apiKeys = new MemoryApiKeyStore();
    const now = { t: 1_800_000_000_000 };
    return { apiKeys, deps: { apiKeys, clock: { now: () => now.t } }, now };
  };

  it('S77: the key is shown once; the store and the list hold only its hash and display prefix', async () => {
    const { deps, apiKeys } = setup();
    const created = await createApiKey(deps, OWNER, { name: 'ci', scopes: ['orders:read'], expiresInDays: 30 });
    expect(created).toMatchObject({ name: 'ci', scopes: ['orders:read'], prefix: created.key.slice(0, 12) });
    expect(Date.parse(created.expiresAt) - Date.parse(created.createdAt)).toBe(30 * 86_400_000);
    const stored = await apiKeys.findByHash(apiKeyHash(created.key));
    expect(JSON.stringify(stored)).not.toContain(created.key);
    const list = await listApiKeys(deps, OWNER);
    expect(list).toEqual([
      {
        id: created.id,
        name: 'ci',
        prefix: created.prefix,
        scopes: ['orders:read'],
        createdAt: created.createdAt,
        expiresAt: created.expiresAt,
        lastUsedAt: null,
      },
    ]);
    expect(JSON.stringify(list)).not.toContain(created.key);
  });

  it('S77: scopes are a subset of the caller’s (all of them by default), never more', async () => {
    const { deps } = setup();
    expect((await createApiKey(deps, OWNER, { name: 'all' })).scopes).toEqual(['openid', 'orders:read']);
    await expect(createApiKey(deps, OWNER, { name: 'wider', scopes: ['orders:write'] })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  it('S77: expiry is at most one year: expiresInDays above 365, below 1 or fractional is refused', () => {
    const ok = (v: unknown) => z.safeParse(createApiKeySchema, { name: 'x', expiresInDays: v }).success;
    expect([1, 90, 365].map(ok)).toEqual([true, true, true]);
    expect([0, 366, 1.5, '30'].map(ok)).toEqual([false, false, false, false]);
  });

  it('S77: an API key cannot create keys, nor can a machine client', async () => {
    const { deps } = setup();
    await expect(createApiKey(deps, { ...OWNER, apiKeyId: 'k' }, { name: 'x' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(createApiKey(deps, { ...OWNER, clientId: 'c' }, { name: 'x' })).rejects.toBeInstanceOf(AuthError);
  });

  it('S77/S80: revoking removes the key from the list; another user’s id is 404; created and revoked are security events', async () => {
    const { deps } = setup();
    const created = await createApiKey(deps, OWNER, { name: 'ci' });
    await expect(revokeApiKey(deps, { userId: 'user-2' }, created.id)).rejects.toMatchObject({ code: 'not_found' });
    await revokeApiKey(deps, OWNER, created.id);
    expect(await listApiKeys(deps, OWNER)).toEqual([]);
    await expect(revokeApiKey(deps, OWNER, created.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(events(info)).toEqual(expect.arrayContaining(['api_key_created', 'api_key_revoked']));
  });
});

describe('Function: createAuthorizer with API keys', () => {
  const verifier = {
    verify: vi.fn(async () => {
      throw new TokenVerificationError('bad_signature');
    }),
  };

  function setup(cacheSeconds = 30) {
    const apiKeys = new MemoryApiKeyStore();
    const clock = { t: 1_800_000_000 };
    const deps = { apiKeys, clock: { now: () => clock.t * 1000 } };
    const path = createApiKeyPath({ lookup: apiKeys, cacheSeconds, now: () => clock.t });
    const load = vi.fn(async (): Promise<ApiKeyAuthenticator> => path);
    const authorize: Authorizer = createAuthorizer({ verifier, apiKeys: load, now: () => clock.t });
    return { apiKeys, clock, deps, load, authorize };
  }

  it('S77: Bearer lak_… acts as its owner with the key’s scopes on a protected route (GET /auth/me answers the owner)', async () => {
    const { deps, authorize } = setup();
    const { key, id } = await createApiKey(deps, OWNER, { name: 'ci', scopes: ['orders:read'] });
    const result = await authorize(httpEvent(`Bearer ${key}`));
    expect(result).toEqual({
      isAuthorized: true,
      context: expect.objectContaining({ sub: 'user-1', roles: 'user', scope: 'orders:read', api_key_id: id }),
    });
    expect(verifier.verify).not.toHaveBeenCalled();
  });

  it('S77: the key’s scopes decide a scope-protected route: 403 for a scope it lacks', async () => {
    const { deps, apiKeys, clock } = setup();
    const { key } = await createApiKey(deps, OWNER, { name: 'ci', scopes: ['openid'] });
    const authorize = createAuthorizer({
      verifier,
      apiKeys: async () => createApiKeyPath({ lookup: apiKeys, cacheSeconds: 0, now: () => clock.t }),
      requirements: () => ({ scopes: ['orders:read'] }),
    });
    expect(await authorize(httpEvent(`Bearer ${key}`, 'GET /orders'))).toEqual({ isAuthorized: false });
  });

  it('S77/S80: a malformed key or a bad checksum is refused without any I/O — the API-key path is not even loaded', async () => {
    const { authorize, load, apiKeys } = setup();
    const key = generateApiKey();
    const bad = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
    for (const k of [bad, 'lak_short', `${key}x`]) {
      await expect(authorize(httpEvent(`Bearer ${k}`))).rejects.toThrow('Unauthorized');
    }
    expect(load).not.toHaveBeenCalled();
    expect(apiKeys.calls.findByHash).toBe(0);
    expect(events(info)).toContain('api_key_refused');
  });

  it('S78: at most one read per key per cache window, and one caller’s cached answer never serves another key', async () => {
    const { deps, apiKeys, authorize, clock } = setup(30);
    const a = await createApiKey(deps, OWNER, { name: 'a' });
    const b = await createApiKey(deps, { ...OWNER, userId: 'user-2' }, { name: 'b' });
    for (let i = 0; i < 5; i++) await authorize(httpEvent(`Bearer ${a.key}`, i % 2 ? 'GET /auth/me' : 'GET /auth/mfa'));
    expect(apiKeys.calls.findByHash).toBe(1);
    const other = await authorize(httpEvent(`Bearer ${b.key}`));
    expect(other).toMatchObject({ context: { sub: 'user-2' } });
    expect(apiKeys.calls.findByHash).toBe(2);
    clock.t += 30;
    await authorize(httpEvent(`Bearer ${a.key}`));
    expect(apiKeys.calls.findByHash).toBe(3);
  });

  it('S77/S80: a revoked key is refused once the cache window ends (≤ 60 s with the gateway’s), as a security event', async () => {
    const { deps, authorize, clock } = setup(30);
    const { key, id } = await createApiKey(deps, OWNER, { name: 'ci' });
    await authorize(httpEvent(`Bearer ${key}`));
    await revokeApiKey(deps, OWNER, id);
    clock.t += 30;
    await expect(authorize(httpEvent(`Bearer ${key}`))).rejects.toThrow('Unauthorized');
    expect(events(info)).toContain('api_key_used_after_revocation');
  });

  it('S77: the owner’s disablement revokes the owner’s keys, so the authorizer refuses them within the window', async () => {
    const { deps, apiKeys, authorize, clock } = setup(0);
    const users = new MemoryUserStore();
    await users.create({ id: 'user-1', email: 'a@example.com', roles: ['user'], emailVerified: true, createdAt: 0 });
    const { key } = await createApiKey(deps, OWNER, { name: 'ci' });
    expect(await authorize(httpEvent(`Bearer ${key}`))).toMatchObject({ isAuthorized: true });
    await disableUser(
      { clock: deps.clock, users, refreshTokens: new MemoryRefreshTokenStore(), apiKeys },
      'admin-1',
      'user-1',
    );
    clock.t += 1;
    await expect(authorize(httpEvent(`Bearer ${key}`))).rejects.toThrow('Unauthorized');
  });

  it('S77: taking a role away revokes the keys that carry it; a key never holds more than its owner', async () => {
    const { deps, apiKeys } = setup();
    const users = new MemoryUserStore();
    await users.create({
      id: 'user-1',
      email: 'a@example.com',
      roles: ['user', 'admin'],
      emailVerified: true,
      createdAt: 0,
    });
    const adminKey = await createApiKey(deps, { ...OWNER, roles: ['user', 'admin'] }, { name: 'admin' });
    const userKey = await createApiKey(deps, OWNER, { name: 'user' });
    await setUserRoles(
      { clock: deps.clock, users, refreshTokens: new MemoryRefreshTokenStore(), apiKeys },
      'admin-2',
      'user-1',
      ['user'],
    );
    expect((await listApiKeys(deps, OWNER)).map((k) => k.id)).toEqual([userKey.id]);
    expect((await apiKeys.findByHash(apiKeyHash(adminKey.key)))?.revokedReason).toBe('roles_changed');
  });

  it('S77: an expired key is refused', async () => {
    const { deps, authorize, clock } = setup(0);
    const { key } = await createApiKey(deps, OWNER, { name: 'ci', expiresInDays: 1 });
    clock.t += 86_400;
    await expect(authorize(httpEvent(`Bearer ${key}`))).rejects.toThrow('Unauthorized');
  });

  it('S78: lastUsedAt is recorded at most once a minute per key, never a write per request', async () => {
    const { deps, apiKeys, authorize, clock } = setup(0);
    const { key } = await createApiKey(deps, OWNER, { name: 'ci' });
    for (let i = 0; i < 30; i++) {
      await authorize(httpEvent(`Bearer ${key}`));
      clock.t += 1;
    }
    expect(apiKeys.calls.recordUse).toBe(1);
    clock.t += 30;
    await authorize(httpEvent(`Bearer ${key}`));
    expect(apiKeys.calls.recordUse).toBe(2);
    expect((await listApiKeys(deps, OWNER))[0]?.lastUsedAt).toBe(new Date(clock.t * 1000).toISOString());
  });

  it('S77: without an API-key path (not configured), a well-formed key is refused like any unknown credential', async () => {
    const authorize = createAuthorizer({ verifier });
    await expect(authorize(httpEvent(`Bearer ${generateApiKey()}`))).rejects.toThrow('Unauthorized');
  });

  it('S78: the API-key store failing refuses (fails closed) and the path is retried by the next key', async () => {
    const broken = new MemoryApiKeyStore();
    vi.spyOn(broken, 'findByHash').mockRejectedValue(new Error('throttled'));
    const authorize = createAuthorizer({
      verifier,
      apiKeys: async () => createApiKeyPath({ lookup: broken, cacheSeconds: 0 }),
    });
    await expect(authorize(httpEvent(`Bearer ${generateApiKey()}`))).rejects.toThrow('Unauthorized');
  });
});
