import {
  GetCommand,
  PutCommand,
  UpdateCommand,
  paginateQuery,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError } from '../../domain/errors.js';
import type { ApiKeyRecord, ApiKeyStore } from '../../ports/api-key-store.js';
import { isConditionalCheckFailed } from './conditional.js';
import { API_KEYS_BY_OWNER_INDEX } from './tables.js';

const keyOf = (hash: string) => ({ pk: `KEY#${hash}` });

function fromItem(item: Record<string, unknown>): ApiKeyRecord {
  const { pk, ...rest } = item as Record<string, unknown> & { pk: string };
  return { ...(rest as unknown as Omit<ApiKeyRecord, 'hash'>), hash: pk.slice('KEY#'.length) };
}

/**
 * API keys by hash (`KEY#<sha256>`), with an index by owner for the list and for revocation by id. A revoked key
 * stays (with `revokedAt`) until its TTL removes it after expiry, so using it later is recognised (S80).
 * @example const keys = new DynamoApiKeyStore(createDocumentClient(), config.API_KEYS_TABLE);
 */
export class DynamoApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: ApiKeyRecord): Promise<void> {
    const { hash, ...rest } = record;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keyOf(hash), ...rest },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (isConditionalCheckFailed(e)) throw new ConditionFailedError('create api key: condition failed', { cause: e });
      throw e;
    }
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    // Consistent: a revocation a moment ago must be seen by the next read (S77).
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(hash), ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async recordUse(hash: string, at: number, notAfter: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(hash),
          UpdateExpression: 'SET lastUsedAt = :at',
          // Only an existing, unrevoked key, and only when the last recorded use is old enough: concurrent
          // authorizer instances then write at most once per interval per key.
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :cutoff)',
          ExpressionAttributeValues: { ':at': at, ':cutoff': notAfter },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return false;
      throw e;
    }
  }

  private async ownerKeys(owner: string): Promise<ApiKeyRecord[]> {
    // The index is eventually consistent: a key made a moment ago may be missing from a list for a moment.
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.tableName,
        IndexName: API_KEYS_BY_OWNER_INDEX,
        KeyConditionExpression: '#owner = :o',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':o': owner },
      },
    );
    const records: ApiKeyRecord[] = [];
    for await (const page of pages) records.push(...(page.Items ?? []).map(fromItem));
    return records;
  }

  async listByOwner(owner: string): Promise<ApiKeyRecord[]> {
    return (await this.ownerKeys(owner))
      .filter((r) => r.revokedAt === undefined)
      .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
  }

  private async revokeOne(
    record: ApiKeyRecord,
    at: number,
    reason: NonNullable<ApiKeyRecord['revokedReason']>,
  ): Promise<ApiKeyRecord | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(record.hash),
          UpdateExpression: 'SET revokedAt = :at, revokedReason = :reason',
          ConditionExpression: 'attribute_exists(pk) AND #owner = :o AND attribute_not_exists(revokedAt)',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':at': at, ':reason': reason, ':o': record.owner },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? fromItem(out.Attributes) : undefined;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return undefined;
      throw e;
    }
  }

  async revoke(
    owner: string,
    id: string,
    at: number,
    reason: NonNullable<ApiKeyRecord['revokedReason']>,
  ): Promise<ApiKeyRecord | undefined> {
    const record = (await this.ownerKeys(owner)).find((r) => r.id === id && r.revokedAt === undefined);
    return record && this.revokeOne(record, at, reason);
  }

  async revokeAllOf(
    owner: string,
    at: number,
    reason: NonNullable<ApiKeyRecord['revokedReason']>,
    which: (record: ApiKeyRecord) => boolean = () => true,
  ): Promise<number> {
    const live = (await this.ownerKeys(owner)).filter((r) => r.revokedAt === undefined && which(r));
    const results = await Promise.all(live.map((r) => this.revokeOne(r, at, reason)));
    return results.filter(Boolean).length;
  }
}
