import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sha256Hex } from '../../domain/secrets.js';
import type { PasskeyCeremony, PasskeyChallenge, PasskeyChallengeStore } from '../../ports/passkey-store.js';
import { isConditionalCheckFailed } from './conditional.js';

const challengeKey = (challenge: string) => `WEBAUTHN#${sha256Hex(challenge)}`;

/**
 * WebAuthn challenges on the ephemeral table (TTL `expiresAt`), by the hash of the challenge. Consumption is one
 * conditional SET that returns the item, so of N concurrent verifies exactly one gets the challenge (S67).
 * @example const challenges = new DynamoPasskeyChallengeStore(createDocumentClient(), config.EPHEMERAL_TABLE);
 */
export class DynamoPasskeyChallengeStore implements PasskeyChallengeStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(challenge: PasskeyChallenge): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: challengeKey(challenge.challenge), ...challenge },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async consume(challenge: string, ceremony: PasskeyCeremony, now: number): Promise<PasskeyChallenge | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: challengeKey(challenge) },
          UpdateExpression: 'SET usedAt = :now',
          ConditionExpression:
            'attribute_exists(pk) AND ceremony = :ceremony AND expiresAt > :now AND attribute_not_exists(usedAt)',
          ExpressionAttributeValues: { ':now': now, ':ceremony': ceremony },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const item = out.Attributes ?? {};
      return {
        challenge: String(item['challenge']),
        ceremony,
        ...(item['userId'] !== undefined ? { userId: String(item['userId']) } : {}),
        ...(item['mfaTokenHash'] !== undefined ? { mfaTokenHash: String(item['mfaTokenHash']) } : {}),
        createdAt: Number(item['createdAt']),
        expiresAt: Number(item['expiresAt']),
      };
    } catch (e) {
      if (isConditionalCheckFailed(e)) return undefined;
      throw e;
    }
  }
}
