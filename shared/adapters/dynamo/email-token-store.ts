import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError } from '../../domain/errors.js';
import type { EmailTokenPurpose, EmailTokenRecord, EmailTokenStore } from '../../ports/email-token-store.js';
import { isConditionalCheckFailed, transactWrite } from './conditional.js';

const linkKey = (tokenHash: string) => `L#${tokenHash}`;
const latestKey = (purpose: EmailTokenPurpose, emailHash: string) => `LATEST#${purpose}#${emailHash}`;

/**
 * Email links on the MagicLinks table: `L#<sha256 of the token>` holds the link, `LATEST#<purpose>#<sha256 of
 * the address>` points at the newest link of that address and purpose. Issuing writes both in one transaction;
 * consuming is one transaction that flips `usedAt` under every condition (unused, unexpired, latest, under the
 * code cap) — so of N concurrent verifies exactly one wins (S30), and a newer link kills older ones.
 * @example const links = new DynamoEmailTokenStore(createDocumentClient(), config.MAGIC_LINKS_TABLE);
 */
export class DynamoEmailTokenStore implements EmailTokenStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async issue(record: EmailTokenRecord): Promise<void> {
    const TableName = this.tableName;
    await transactWrite(
      this.doc,
      [
        {
          Put: {
            TableName,
            Item: { pk: linkKey(record.tokenHash), ...record },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName,
            Item: {
              pk: latestKey(record.purpose, record.emailHash),
              tokenHash: record.tokenHash,
              expiresAt: record.expiresAt,
            },
          },
        },
      ],
      'issue email token',
    );
  }

  async get(tokenHash: string): Promise<EmailTokenRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: linkKey(tokenHash) }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async findLatest(purpose: EmailTokenPurpose, emailHash: string): Promise<EmailTokenRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: latestKey(purpose, emailHash) }, ConsistentRead: true }),
    );
    const tokenHash: unknown = out.Item?.['tokenHash'];
    return typeof tokenHash === 'string' ? this.get(tokenHash) : undefined;
  }

  async reserveCodeAttempt(tokenHash: string, maxAttempts: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: linkKey(tokenHash) },
          UpdateExpression: 'ADD attempts :one',
          // The reservation happens before the code is compared: a burst of guesses cannot exceed the cap.
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(attempts) OR attempts < :max)',
          ExpressionAttributeValues: { ':one': 1, ':max': maxAttempts },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return false;
      throw e;
    }
  }

  async consume(tokenHash: string, nowSeconds: number, maxAttempts: number): Promise<EmailTokenRecord> {
    const record = await this.get(tokenHash);
    if (!record) throw new ConditionFailedError('consume email token: unknown');
    const TableName = this.tableName;
    await transactWrite(
      this.doc,
      [
        {
          Update: {
            TableName,
            Key: { pk: linkKey(tokenHash) },
            UpdateExpression: 'SET usedAt = :now',
            // Expiry is checked in the write itself: TTL deletion is lazy (S29).
            ConditionExpression:
              'attribute_exists(pk) AND attribute_not_exists(usedAt) AND expiresAt > :now AND (attribute_not_exists(attempts) OR attempts <= :max)',
            ExpressionAttributeValues: { ':now': nowSeconds, ':max': maxAttempts },
          },
        },
        {
          ConditionCheck: {
            TableName,
            Key: { pk: latestKey(record.purpose, record.emailHash) },
            ConditionExpression: 'tokenHash = :h',
            ExpressionAttributeValues: { ':h': tokenHash },
          },
        },
      ],
      'consume email token',
    );
    return { ...record, usedAt: nowSeconds };
  }
}

function fromItem(item: Record<string, unknown>): EmailTokenRecord {
  const { pk: _pk, ...record } = item;
  return record as unknown as EmailTokenRecord;
}
