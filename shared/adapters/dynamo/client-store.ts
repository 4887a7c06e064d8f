import {
  GetCommand,
  PutCommand,
  UpdateCommand,
  paginateScan,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError } from '../../domain/errors.js';
import type { AssertionReplayStore, ClientStore, MachineClient } from '../../ports/client-store.js';
import { isConditionalCheckFailed } from './conditional.js';

/**
 * Machine clients in the clients table, one item per client keyed by its id. Rotation and deletion are single
 * conditional updates, so a rotation racing a delete can never bring a deleted client's secret back.
 * @example const clients = new DynamoClientStore(createDocumentClient(), config.CLIENTS_TABLE);
 */
export class DynamoClientStore implements ClientStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(client: MachineClient): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: client.clientId, ...client },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (isConditionalCheckFailed(e)) throw new ConditionFailedError('create client: id taken', { cause: e });
      throw e;
    }
  }

  async get(clientId: string): Promise<MachineClient | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: clientId }, ConsistentRead: true }),
    );
    return out.Item ? toClient(out.Item) : undefined;
  }

  async list(): Promise<MachineClient[]> {
    const clients: MachineClient[] = [];
    // A Scan of a table that holds only clients: a handful of items, read page by page.
    const pages = paginateScan(
      { client: this.doc },
      { TableName: this.tableName, FilterExpression: 'attribute_not_exists(deletedAt)', ConsistentRead: true },
    );
    for await (const page of pages) for (const item of page.Items ?? []) clients.push(toClient(item));
    return clients.sort((a, b) => a.createdAt - b.createdAt || a.clientId.localeCompare(b.clientId));
  }

  async rotateSecret(clientId: string, secretHash: string, previousExpiresAt: number, now: number): Promise<boolean> {
    return this.update(
      clientId,
      // SET reads the item as it was before this update, so the old hash moves over in the same write.
      'SET previousSecretHash = secretHash, previousSecretExpiresAt = :exp, secretHash = :h, rotatedAt = :now',
      'attribute_exists(pk) AND attribute_not_exists(deletedAt) AND attribute_exists(secretHash)',
      { ':h': secretHash, ':exp': previousExpiresAt, ':now': now },
    );
  }

  async delete(clientId: string, now: number): Promise<boolean> {
    return this.update(
      clientId,
      'SET deletedAt = :now REMOVE secretHash, previousSecretHash, previousSecretExpiresAt, jwks',
      'attribute_exists(pk) AND attribute_not_exists(deletedAt)',
      { ':now': now },
    );
  }

  private async update(
    clientId: string,
    expression: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: clientId },
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return false;
      throw e;
    }
  }
}

/**
 * Used assertion `jti`s on the ephemeral table (TTL `expiresAt`): one conditional put per assertion. An item whose
 * `expiresAt` has passed but that TTL has not deleted yet does not block (TTL deletes lazily).
 * @example const replay = new DynamoAssertionReplayStore(createDocumentClient(), config.EPHEMERAL_TABLE);
 */
export class DynamoAssertionReplayStore implements AssertionReplayStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async use(clientId: string, jti: string, expiresAt: number, now: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `JTI#${clientId}#${jti}`, expiresAt },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return false;
      throw e;
    }
  }
}

function toClient(item: Record<string, unknown>): MachineClient {
  const { pk: _pk, ...rest } = item;
  return rest as unknown as MachineClient;
}
