/**
 * The API-key store, one contract for the DynamoDB store (against DynamoDB Local) and the memory store: only the
 * hash is stored, revoke only a live key of its owner, `recordUse` at most once per interval by condition.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoApiKeyStore } from '../../shared/adapters/dynamo/api-key-store.js';
import { MemoryApiKeyStore } from '../../shared/adapters/memory/api-key-store.js';
import { apiKeyHash, displayPrefix, generateApiKey } from '../../shared/domain/api-keys/format.js';
import { ConditionFailedError } from '../../shared/domain/errors.js';
import type { ApiKeyRecord, ApiKeyStore } from '../../shared/ports/api-key-store.js';
import { freshTables, type FreshTables } from '../helpers/dynamo.js';

const T = 1_800_000_000;
function record(owner: string, createdAt = T): { key: string; record: ApiKeyRecord } {
  const key = generateApiKey();
  return {
    key,
    record: {
      id: randomUUID(),
      hash: apiKeyHash(key),
      owner,
      name: 'ci',
      prefix: displayPrefix(key),
      scopes: ['openid'],
      roles: ['user'],
      createdAt,
      expiresAt: createdAt + 86_400,
    },
  };
}

let local: FreshTables;
beforeAll(async () => {
  local = await freshTables();
});

const stores: [string, () => ApiKeyStore][] = [
  ['DynamoApiKeyStore (DynamoDB Local)', () => new DynamoApiKeyStore(local.doc, local.tables.API_KEYS_TABLE)],
  ['MemoryApiKeyStore', () => new MemoryApiKeyStore()],
];

describe.each(stores)('Class: %s', (_name, make) => {
  it('S77: stores a key by hash; a second create of the same hash fails by condition', async () => {
    const store = make();
    const { record: r } = record(randomUUID());
    await store.create(r);
    expect(await store.findByHash(r.hash)).toEqual(r);
    await expect(store.create(r)).rejects.toBeInstanceOf(ConditionFailedError);
    expect(await store.findByHash(apiKeyHash(generateApiKey()))).toBeUndefined();
  });

  it('S77: lists the owner’s live keys newest first; revoke takes only the owner’s live key, once', async () => {
    const store = make();
    const owner = randomUUID();
    const a = record(owner, T).record;
    const b = record(owner, T + 10).record;
    const other = record(randomUUID()).record;
    for (const r of [a, b, other]) await store.create(r);
    expect((await store.listByOwner(owner)).map((r) => r.id)).toEqual([b.id, a.id]);
    expect(await store.revoke(other.owner, a.id, T + 20, 'owner')).toBeUndefined();
    expect(await store.revoke(owner, a.id, T + 20, 'owner')).toMatchObject({ id: a.id, revokedAt: T + 20 });
    expect(await store.revoke(owner, a.id, T + 21, 'owner')).toBeUndefined();
    expect((await store.listByOwner(owner)).map((r) => r.id)).toEqual([b.id]);
    // Kept with revokedAt, so a later use is recognised as use after revocation (S80).
    expect(await store.findByHash(a.hash)).toMatchObject({ revokedAt: T + 20, revokedReason: 'owner' });
  });

  it('S77: revokeAllOf ends every live key of the owner (or those selected), and counts them', async () => {
    const store = make();
    const owner = randomUUID();
    const keys = [record(owner).record, record(owner).record, { ...record(owner).record, roles: ['user', 'admin'] }];
    for (const r of keys) await store.create(r);
    expect(await store.revokeAllOf(owner, T, 'roles_changed', (r) => r.roles.includes('admin'))).toBe(1);
    expect(await store.revokeAllOf(owner, T, 'owner_disabled')).toBe(2);
    expect(await store.listByOwner(owner)).toEqual([]);
  });

  it('S78: recordUse writes only when the last recorded use is older than the cutoff, and never for a revoked key', async () => {
    const store = make();
    const { record: r } = record(randomUUID());
    await store.create(r);
    expect(await store.recordUse(r.hash, T + 100, T + 41)).toBe(true);
    expect(await store.recordUse(r.hash, T + 130, T + 71)).toBe(false);
    expect(await store.recordUse(r.hash, T + 160, T + 101)).toBe(true);
    expect((await store.findByHash(r.hash))?.lastUsedAt).toBe(T + 160);
    await store.revoke(r.owner, r.id, T + 170, 'owner');
    expect(await store.recordUse(r.hash, T + 300, T + 241)).toBe(false);
    expect(await store.recordUse(apiKeyHash(generateApiKey()), T, T)).toBe(false);
  });
});

describe('Class: DynamoApiKeyStore (raw items)', () => {
  it('S77: no item holds a key, only its SHA-256 and display prefix', async () => {
    const store = new DynamoApiKeyStore(local.doc, local.tables.API_KEYS_TABLE);
    const { key, record: r } = record(randomUUID());
    await store.create(r);
    const items = await local.doc.send(new ScanCommand({ TableName: local.tables.API_KEYS_TABLE }));
    const text = JSON.stringify(items.Items);
    expect(text).toContain(r.hash);
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(12));
  });
});
