import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError } from '../../domain/errors.js';
import type { OAuthTransaction, OAuthTransactionStore } from '../../ports/oauth-transaction-store.js';
import { isConditionalCheckFailed } from './conditional.js';

const txKey = (stateHash: string) => `OAUTH#${stateHash}`;

/**
 * OAuth transactions in the ephemeral table (`OAUTH#<sha256(state)>`, TTL `expiresAt`). Consuming is one
 * conditional DeleteItem returning the old item: of N concurrent callbacks with one state, exactly one gets
 * the transaction (S34), and an expired item that TTL has not yet removed is refused by the condition.
 * @example const txs = new DynamoOAuthTransactionStore(createDocumentClient(), config.EPHEMERAL_TABLE);
 */
export class DynamoOAuthTransactionStore implements OAuthTransactionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(tx: OAuthTransaction): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: txKey(tx.stateHash), ...tx },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (isConditionalCheckFailed(e))
        throw new ConditionFailedError('create oauth transaction: condition failed', { cause: e });
      throw e;
    }
  }

  async consume(stateHash: string, nowSeconds: number): Promise<OAuthTransaction | undefined> {
    try {
      const out = await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: txKey(stateHash) },
          ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (!out.Attributes) return undefined;
      const { pk: _pk, ...tx } = out.Attributes;
      return tx as OAuthTransaction;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return undefined;
      throw e;
    }
  }
}
