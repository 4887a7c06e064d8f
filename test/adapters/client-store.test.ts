/** One contract for the client stores, run against the in-memory fakes and DynamoDB Local. */
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAssertionReplayStore, DynamoClientStore } from '../../shared/adapters/dynamo/client-store.js';
import { MemoryAssertionReplayStore, MemoryClientStore } from '../../shared/adapters/memory/client-store.js';
import { ConditionFailedError } from '../../shared/domain/errors.js';
import type { AssertionReplayStore, ClientStore, MachineClient } from '../../shared/ports/client-store.js';
import { freshTables } from '../helpers/dynamo.js';

const client = (id: string, extra: Partial<MachineClient> = {}): MachineClient => ({
  clientId: id,
  name: `client ${id}`,
  scopes: ['read', 'write'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  secretHash: 'a'.repeat(64),
  createdAt: 1000,
  createdBy: 'admin-1',
  ...extra,
});

function contract(name: string, make: () => Promise<{ clients: ClientStore; replay: AssertionReplayStore }>) {
  describe(`Contract: ${name}`, () => {
    let clients: ClientStore;
    let replay: AssertionReplayStore;
    beforeAll(async () => {
      ({ clients, replay } = await make());
    });

    it('creates once per id, reads it back, lists live clients in creation order', async () => {
      await clients.create(client('c1'));
      await clients.create(
        client('c2', { createdAt: 999, jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] } }),
      );
      await expect(clients.create(client('c1'))).rejects.toBeInstanceOf(ConditionFailedError);
      expect(await clients.get('c1')).toEqual(client('c1'));
      expect((await clients.list()).map((c) => c.clientId).filter((id) => ['c1', 'c2'].includes(id))).toEqual([
        'c2',
        'c1',
      ]);
      expect(await clients.get('nobody')).toBeUndefined();
    });

    it('S79: rotation moves the current hash to previous with its expiry, in one conditional write', async () => {
      await clients.create(client('r1'));
      expect(await clients.rotateSecret('r1', 'b'.repeat(64), 5000, 2000)).toBe(true);
      expect(await clients.get('r1')).toMatchObject({
        secretHash: 'b'.repeat(64),
        previousSecretHash: 'a'.repeat(64),
        previousSecretExpiresAt: 5000,
        rotatedAt: 2000,
      });
      expect(await clients.rotateSecret('nobody', 'c'.repeat(64), 5000, 2000)).toBe(false);
      await clients.create(client('j1', { tokenEndpointAuthMethod: 'private_key_jwt', secretHash: undefined }));
      expect(await clients.rotateSecret('j1', 'c'.repeat(64), 5000, 2000)).toBe(false);
    });

    it('S76: delete leaves a tombstone without credentials; it cannot be rotated, deleted again or listed', async () => {
      await clients.create(client('d1'));
      await clients.rotateSecret('d1', 'b'.repeat(64), 5000, 2000);
      expect(await clients.delete('d1', 3000)).toBe(true);
      const tomb = await clients.get('d1');
      expect(tomb).toMatchObject({ clientId: 'd1', deletedAt: 3000 });
      expect(tomb).not.toHaveProperty('secretHash');
      expect(tomb).not.toHaveProperty('previousSecretHash');
      expect(await clients.delete('d1', 3001)).toBe(false);
      expect(await clients.rotateSecret('d1', 'c'.repeat(64), 5000, 3001)).toBe(false);
      expect((await clients.list()).map((c) => c.clientId)).not.toContain('d1');
    });

    it('S74: an assertion jti is used once; of concurrent uses exactly one wins; an expired entry does not block', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => replay.use('c1', 'jti-1', 1300, 1000)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await replay.use('c2', 'jti-1', 1300, 1000)).toBe(true);
      expect(await replay.use('c1', 'jti-1', 1700, 1400)).toBe(true);
    });
  });
}

contract('MemoryClientStore', async () => ({
  clients: new MemoryClientStore(),
  replay: new MemoryAssertionReplayStore(),
}));
contract('DynamoClientStore (DynamoDB Local)', async () => {
  const { doc, tables } = await freshTables();
  return {
    clients: new DynamoClientStore(doc, tables.CLIENTS_TABLE),
    replay: new DynamoAssertionReplayStore(doc, tables.EPHEMERAL_TABLE),
  };
});
