import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AtomicPart } from '../../ports/atomic-part.js';
import type { MfaChallenge, MfaChallengeStore, ReserveAttemptResult } from '../../ports/mfa-store.js';
import { isConditionalCheckFailed, transactWrite } from './conditional.js';

const challengeKey = (tokenHash: string) => `MFA#${tokenHash}`;

/**
 * `mfaToken` state on the ephemeral table (TTL `expiresAt`), by token hash. Attempts are reserved with one
 * conditional ADD, so concurrent guesses never exceed the cap (S61); consumption is one conditional SET (S66).
 * @example const challenges = new DynamoMfaChallengeStore(createDocumentClient(), config.EPHEMERAL_TABLE);
 */
export class DynamoMfaChallengeStore implements MfaChallengeStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(challenge: MfaChallenge, parts: readonly AtomicPart[] = []): Promise<void> {
    const put = {
      TableName: this.tableName,
      Item: { pk: challengeKey(challenge.tokenHash), ...challenge },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    if (parts.length === 0) await this.doc.send(new PutCommand(put));
    else await transactWrite(this.doc, [{ Put: put }], 'create mfa challenge', parts);
  }

  async reserveAttempt(tokenHash: string, maxAttempts: number, now: number): Promise<ReserveAttemptResult> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: challengeKey(tokenHash) },
          UpdateExpression: 'ADD attempts :one',
          ConditionExpression:
            'attribute_exists(pk) AND expiresAt > :now AND attribute_not_exists(usedAt) AND attempts < :max',
          ExpressionAttributeValues: { ':one': 1, ':now': now, ':max': maxAttempts },
          ReturnValues: 'ALL_NEW',
          // The refused item comes back with the refusal, so "used up" and "unknown" need no second read.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'reserved', challenge: toChallenge(out.Attributes ?? {}) };
    } catch (e) {
      if (!isConditionalCheckFailed(e)) throw e;
      // The exception carries the item in wire form ({N: "…"}): the document client does not translate it.
      const old = (e as { Item?: Record<string, unknown> }).Item;
      const live = old !== undefined && wireNumber(old['expiresAt']) > now && old['usedAt'] === undefined;
      return live ? { kind: 'exhausted' } : { kind: 'invalid' };
    }
  }

  consumePart(tokenHash: string, now: number): AtomicPart {
    return { failure: 'invalid_token', op: { Update: this.consumeInput(tokenHash, now) } };
  }

  private consumeInput(tokenHash: string, now: number) {
    return {
      TableName: this.tableName,
      Key: { pk: challengeKey(tokenHash) },
      UpdateExpression: 'SET usedAt = :now',
      ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now AND attribute_not_exists(usedAt)',
      ExpressionAttributeValues: { ':now': now },
    };
  }

  async consume(tokenHash: string, now: number): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand(this.consumeInput(tokenHash, now)));
      return true;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return false;
      throw e;
    }
  }
}

function toChallenge(item: Record<string, unknown>): MfaChallenge {
  return {
    tokenHash: String(item['tokenHash']),
    userId: String(item['userId']),
    purpose: item['purpose'] === 'enrol' ? 'enrol' : 'sign_in',
    firstFactor: String(item['firstFactor']),
    attempts: Number(item['attempts']),
    createdAt: Number(item['createdAt']),
    expiresAt: Number(item['expiresAt']),
    ...(item['snapshot'] ? { snapshot: snapshotOf(item['snapshot'] as NonNullable<MfaChallenge['snapshot']>) } : {}),
  };
}

const wireNumber = (v: unknown) =>
  typeof v === 'object' && v !== null && 'N' in v ? Number((v as { N: string }).N) : Number(v);

/** The document client reads a stored list back as an array and numbers as numbers: only the shapes to check. */
function snapshotOf(s: NonNullable<MfaChallenge['snapshot']>): NonNullable<MfaChallenge['snapshot']> {
  return {
    user: { email: String(s.user.email), emailVerified: s.user.emailVerified === true, roles: [...s.user.roles] },
    credentials: {
      userId: String(s.credentials.userId),
      factors: [...s.credentials.factors],
      recoveryCodeHashes: [...s.credentials.recoveryCodeHashes],
    },
  };
}
