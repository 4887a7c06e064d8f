import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AtomicPart } from '../../ports/atomic-part.js';
import type { Clock } from '../../ports/clock.js';
import type { RateLimitDecision, RateLimiter } from '../../ports/rate-limiter.js';
import { fixedWindow } from '../fixed-window.js';
import { isConditionalCheckFailed } from './conditional.js';

/**
 * Fixed-window limiter on the ephemeral table. Each window is its own item (`RL#<key>#<index>`), so an old
 * window left behind by lazy TTL is never read again, and a consume is one conditional increment: a burst
 * of concurrent attempts can never be allowed more than `limit` times (S4), unlike read-then-write.
 * @example const limiter = new DynamoRateLimiter(createDocumentClient(), config.EPHEMERAL_TABLE);
 */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock = Date,
  ) {}

  async consume(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision> {
    const window = fixedWindow(this.clock.now(), windowSeconds);
    if (limit < 1) return { allowed: false, retryAfterSeconds: window.retryAfterSeconds };
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: itemKey(key, window.index) },
          UpdateExpression: 'ADD attempts :one SET expiresAt = if_not_exists(expiresAt, :windowEnd)',
          ConditionExpression: 'attribute_not_exists(attempts) OR attempts < :limit',
          ExpressionAttributeValues: { ':one': 1, ':windowEnd': window.end, ':limit': limit },
        }),
      );
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (e) {
      if (isConditionalCheckFailed(e)) return { allowed: false, retryAfterSeconds: window.retryAfterSeconds };
      throw e;
    }
  }

  async reset(key: string, windowSeconds: number): Promise<void> {
    const window = fixedWindow(this.clock.now(), windowSeconds);
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: itemKey(key, window.index) } }));
  }

  resetPart(key: string, windowSeconds: number): AtomicPart {
    const window = fixedWindow(this.clock.now(), windowSeconds);
    return { failure: 'none', op: { Delete: { TableName: this.tableName, Key: { pk: itemKey(key, window.index) } } } };
  }
}

const itemKey = (key: string, index: number) => `RL#${key}#${index}`;
