import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetConsistent } from './batch-get.js';
import { ConditionFailedError } from '../../domain/errors.js';
import type { AtomicPart } from '../../ports/atomic-part.js';
import type { CounterUpdate, Passkey, PasskeyStore } from '../../ports/passkey-store.js';
import { isConditionalCheckFailed, transactWrite } from './conditional.js';

import { passkeyIndexKey as indexKey, passkeyKey } from './users-table-keys.js';

/**
 * Passkeys on the users table: one item per credential (`PASSKEY#<credentialId>`, kind `passkey`), written with
 * `attribute_not_exists` so a credential id belongs to one user (S70), and per user a string set of its
 * credential ids (`PASSKEYS#<userId>`) for listing. Both change in one transaction.
 * @example const passkeys = new DynamoPasskeyStore(createDocumentClient(), config.USERS_TABLE);
 */
export class DynamoPasskeyStore implements PasskeyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(passkey: Passkey): Promise<boolean> {
    try {
      await transactWrite(
        this.doc,
        [
          {
            Put: {
              TableName: this.tableName,
              Item: { pk: passkeyKey(passkey.id), kind: 'passkey', ...passkey },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: { pk: indexKey(passkey.userId) },
              UpdateExpression: 'ADD ids :id SET kind = :kind, userId = :u',
              ExpressionAttributeValues: { ':id': new Set([passkey.id]), ':kind': 'passkeys', ':u': passkey.userId },
            },
          },
        ],
        'add passkey',
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionFailedError) return false;
      throw e;
    }
  }

  async get(credentialId: string): Promise<Passkey | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: passkeyKey(credentialId) }, ConsistentRead: true }),
    );
    return out.Item ? toPasskey(out.Item) : undefined;
  }

  async listByUser(userId: string): Promise<Passkey[]> {
    const index = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: indexKey(userId) }, ConsistentRead: true }),
    );
    const ids = [...((index.Item?.['ids'] as Set<string> | undefined) ?? [])];
    if (ids.length === 0) return [];
    const items = await batchGetConsistent(this.doc, this.tableName, ids.map(passkeyKey));
    return items
      .map(toPasskey)
      .filter((p) => p.userId === userId)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  private recordUseInput(credentialId: string, counter: number, now: number) {
    return {
      TableName: this.tableName,
      Key: { pk: passkeyKey(credentialId) },
      UpdateExpression: 'SET #c = :c, lastUsedAt = :now',
      // S69: forward only; an authenticator without a counter sends 0 every time, and stays at 0.
      ConditionExpression: counter === 0 ? 'attribute_exists(pk) AND #c = :c' : 'attribute_exists(pk) AND #c < :c',
      ExpressionAttributeNames: { '#c': 'counter' },
      ExpressionAttributeValues: { ':c': counter, ':now': now },
    };
  }

  recordUsePart(credentialId: string, counter: number, now: number): AtomicPart {
    return { failure: 'invalid_passkey', op: { Update: this.recordUseInput(credentialId, counter, now) } };
  }

  async recordUse(credentialId: string, counter: number, now: number): Promise<CounterUpdate> {
    try {
      await this.doc.send(new UpdateCommand(this.recordUseInput(credentialId, counter, now)));
      return 'updated';
    } catch (e) {
      if (isConditionalCheckFailed(e)) return 'regressed';
      throw e;
    }
  }

  async remove(userId: string, credentialId: string): Promise<boolean> {
    try {
      await transactWrite(
        this.doc,
        [
          {
            Delete: {
              TableName: this.tableName,
              Key: { pk: passkeyKey(credentialId) },
              ConditionExpression: 'userId = :u',
              ExpressionAttributeValues: { ':u': userId },
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: { pk: indexKey(userId) },
              UpdateExpression: 'DELETE ids :id',
              ExpressionAttributeValues: { ':id': new Set([credentialId]) },
            },
          },
        ],
        'remove passkey',
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionFailedError) return false;
      throw e;
    }
  }
}

function toPasskey(item: Record<string, unknown>): Passkey {
  const transports = item['transports'];
  return {
    id: String(item['id']),
    userId: String(item['userId']),
    publicKey: String(item['publicKey']),
    counter: Number(item['counter']),
    transports: Array.isArray(transports) ? transports.map(String) : [],
    deviceType: String(item['deviceType']),
    backedUp: item['backedUp'] === true,
    aaguid: String(item['aaguid']),
    name: String(item['name']),
    createdAt: Number(item['createdAt']),
    ...(item['lastUsedAt'] !== undefined ? { lastUsedAt: Number(item['lastUsedAt']) } : {}),
  };
}
